import Foundation
import XCTest

/// The README's architecture diagram against `Package.swift`, both read as text: each module's line names exactly
/// its dependencies in the package (CementCore apart, which the diagram's last line places), every dependency
/// stands below its dependent, and every Swift module of `Sources/` has a line.
final class ArchitectureDiagramTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Non-test targets of the package and their dependencies (targets and products, by name).
    private func packageTargets() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let starts = try NSRegularExpression(pattern: #"\.(target|executableTarget|systemLibrary)\(\s*name: "([^"]+)""#)
        let matches = starts.matches(in: text, range: NSRange(text.startIndex..., in: text))
        var targets: [String: Set<String>] = [:]
        for (index, match) in matches.enumerated() {
            let name = String(text[Range(match.range(at: 2), in: text)!])
            let end = index + 1 < matches.count ? Range(matches[index + 1].range, in: text)!.lowerBound : text.endIndex
            let call = text[Range(match.range, in: text)!.upperBound..<end]
            var dependencies: Set<String> = []
            if let open = call.range(of: "dependencies: [") {
                var depth = 1, position = open.upperBound
                while depth > 0, position < call.endIndex {
                    if call[position] == "[" { depth += 1 }
                    if call[position] == "]" { depth -= 1 }
                    position = call.index(after: position)
                }
                let list = String(call[open.upperBound..<position])
                // `.product(name: "Yams", package: "Yams")` counts as Yams; any other string is a target's name.
                let products = try NSRegularExpression(pattern: #"\.product\(name: "([^"]+)", package: "[^"]+"\)"#)
                let range = NSRange(list.startIndex..., in: list)
                for product in products.matches(in: list, range: range) {
                    dependencies.insert(String(list[Range(product.range(at: 1), in: list)!]))
                }
                let plain = products.stringByReplacingMatches(in: list, range: range, withTemplate: "")
                let strings = try NSRegularExpression(pattern: #""([^"]+)""#)
                for string in strings.matches(in: plain, range: NSRange(plain.startIndex..., in: plain)) {
                    dependencies.insert(String(plain[Range(string.range(at: 1), in: plain)!]))
                }
            }
            targets[name] = dependencies
        }
        return targets
    }

    /// The diagram's module lines in order (name, dependencies), and its CementCore line.
    private func diagram() throws -> (lines: [(name: String, dependencies: Set<String>)], cementCore: String) {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try XCTUnwrap(readme.components(separatedBy: "## Architecture\n").dropFirst().first)
        let block = try XCTUnwrap(section.components(separatedBy: "```").dropFirst().first)
        var lines: [(String, Set<String>)] = [], cementCore = ""
        for line in block.split(separator: "\n").dropFirst() {  // the first names the two executables
            let text = line.trimmingCharacters(in: .whitespaces)
            if !cementCore.isEmpty || text.hasPrefix("CementCore") {
                cementCore += " " + text
                continue
            }
            let body = text.hasPrefix("├─ ") || text.hasPrefix("└─ ") ? String(text.dropFirst(3)) : text
            let name = String(body.prefix { $0.isLetter || $0.isNumber })
            guard let arrow = body.range(of: "─ ") else {
                lines.append((name, []))  // "Statistics (pure Swift)"
                continue
            }
            // Dependencies separated by ", " outside parentheses; each one's first word is its name.
            var dependencies: Set<String> = [], depth = 0, current = ""
            for character in body[arrow.upperBound...] + "," {
                if character == "(" { depth += 1 }
                if character == ")" { depth -= 1 }
                if character == ",", depth == 0 {
                    dependencies.insert(String(current.trimmingCharacters(in: .whitespaces).prefix { $0.isLetter || $0.isNumber }))
                    current = ""
                } else {
                    current.append(character)
                }
            }
            lines.append((name, dependencies))
        }
        return (lines, cementCore)
    }

    func testTheREADMEDiagramMatchesPackageSwift() throws {
        let targets = try packageTargets(), (lines, cementCore) = try diagram()
        XCTAssertGreaterThan(lines.count, 10, "the diagram was read")
        let order = Dictionary(lines.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, line) in lines.enumerated() {
            let declared = try XCTUnwrap(targets[line.name], "\(line.name) is in the diagram but not a target")
            XCTAssertEqual(line.dependencies, declared.subtracting(["CementCore"]), "\(line.name)'s line")
            for dependency in line.dependencies {
                if let below = order[dependency] {
                    XCTAssertGreaterThan(below, index, "\(line.name) depends on \(dependency), which stands above it")
                }
            }
        }
        // Every Swift module of Sources/ has a line: all but the executables, the C wrappers (CDCMTK, CCairo, …),
        // CementCore (its own line) and the test-support target of Tests/.
        let modules = Set(targets.keys).filter {
            $0.range(of: "^C[A-Z]", options: .regularExpression) == nil
                && !["cement", "cement-bench", "CementCore", "CLITestSupport"].contains($0)
        }
        XCTAssertEqual(Set(order.keys), modules)
        // "CementCore (no dependencies; directly under every module above but A, B, C and D, which …)".
        let exceptions = try XCTUnwrap(cementCore.range(of: #"but (.*?), which"#, options: .regularExpression))
        let named = Set(cementCore[exceptions].dropFirst(4).dropLast(7)
            .replacingOccurrences(of: " and ", with: ", ").components(separatedBy: ", "))
        XCTAssertEqual(Set(order.keys).subtracting(named), Set(order.keys).filter { targets[$0]!.contains("CementCore") },
                       "the modules the CementCore line says it is directly under")
        XCTAssertEqual(targets["CementCore"], [], "CementCore has no dependencies")
    }
}
