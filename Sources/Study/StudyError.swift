import Tabular

/// A study input (published numbers, codebook, cohort, plan) that cannot be used, naming the file.
public struct StudyError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }
    public init(_ error: TableError) {
        self.init(file: error.file, error.message)
    }
    public var description: String { "\(file): \(message)" }
}

extension CSVTable {
    /// The table at `path`, failing as a study input.
    static func read(_ path: String) throws(StudyError) -> CSVTable {
        do { return try CSVTable(path: path) } catch { throw StudyError(error) }
    }
}

extension CSVTable {
    /// `column(_:)`, failing as a study input.
    func studyColumn(_ name: String) throws(StudyError) -> Int {
        do { return try column(name) } catch { throw StudyError(error) }
    }

    /// `number(row:column:)`, failing as a study input.
    func studyNumber(row: Int, column: Int) throws(StudyError) -> Double? {
        do { return try number(row: row, column: column) } catch { throw StudyError(error) }
    }
}
