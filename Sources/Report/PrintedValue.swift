import Foundation

/// One number within a printed value: what it is, as printed, and the value it was printed from.
public struct PrintedNumber: Sendable, Equatable, Encodable {
    /// What a printed number stands for.
    public enum Quantity: String, Sendable, Encodable {
        case mean, sd, count, percent, p, r, statistic, recorded, parameter
    }

    public var quantity: Quantity
    public var text: String
    /// The computed value, unrounded; nil for recorded text and parameters.
    public var value: Double?

    public init(_ quantity: Quantity, _ text: String, value: Double?) {
        (self.quantity, self.text, self.value) = (quantity, text, value)
    }
}

/// A value a directive printed, with its source: the template position, the directive, the data column (and
/// group, counted level, paired column, test) it was computed from, and its numbers.
public struct PrintedValue: Sendable, Equatable, Encodable {
    public var file: String
    public var line: Int
    public var column: Int
    public var directive: String
    /// The data column (or parameter name) the value comes from.
    public var variable: String
    /// The group (`group=`, a summary table's level) and the column that defines it (`by=`).
    public var group: String?
    public var groupColumn: String?
    /// The value counted (`{count … value=1}`, a summary line's level).
    public var level: String?
    /// The second column of a correlation.
    public var with: String?
    /// The test behind a P or statistic ("one-way ANOVA", "chi-square", …).
    public var test: String?
    public var numbers: [PrintedNumber]

    public init(file: String, position: SourcePosition, directive: String, variable: String, group: String? = nil,
                groupColumn: String? = nil, level: String? = nil, with: String? = nil, test: String? = nil,
                numbers: [PrintedNumber])
    {
        (self.file, line, column, self.directive, self.variable) = (file, position.line, position.column, directive, variable)
        (self.group, self.groupColumn, self.level, self.with, self.test, self.numbers) = (group, groupColumn, level, with, test, numbers)
    }
}

/// Collects the values directives print during one render, in the order they are printed (`cement render
/// --check` compares them with the published ones and lists them all).
public final class PrintedValueRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [PrintedValue] = []

    public init() {}

    public func add(_ value: PrintedValue) {
        lock.lock()
        entries.append(value)
        lock.unlock()
    }

    public var values: [PrintedValue] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }
}

/// Collects the supplement files directives add during one render, by name (a later one replaces an earlier).
public final class SupplementRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: Data] = [:]

    public init() {}

    public func add(_ name: String, _ contents: Data) {
        lock.lock()
        entries[name] = contents
        lock.unlock()
    }

    /// The supplements sorted by name.
    public var supplements: [Supplement] {
        lock.lock()
        defer { lock.unlock() }
        return entries.keys.sorted().map { Supplement(name: $0, contents: entries[$0]!) }
    }
}
