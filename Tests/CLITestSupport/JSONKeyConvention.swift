import Foundation

/// The one key convention of the CLI's `--json` output: snake_case (`series_uid`, `ci_low`), lower-case words of
/// letters and digits joined by single underscores. Objects keyed by data (a group label, a level name, a case
/// ID) are maps, not records: their keys are the user's, and only the records inside them are checked.
public enum JSONKeyConvention {
    /// Whether `key` is snake_case.
    public static func isSnakeCase(_ key: String) -> Bool {
        key.range(of: #"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"#, options: .regularExpression) != nil
    }

    /// The keys of a JSON value that break the convention, each with its path (`groups[0].meanSD`); the values of
    /// `dataKeyed` keys are maps keyed by data, whose own keys are not field names (no output of today has one).
    public static func violations(in value: Any, path: String = "", dataKeyed: Set<String> = []) -> [String] {
        if let array = value as? [Any] {
            return array.enumerated().flatMap { violations(in: $1, path: path + "[\($0)]", dataKeyed: dataKeyed) }
        }
        guard let object = value as? [String: Any] else { return [] }
        var found: [String] = []
        for key in object.keys.sorted() {
            let place = path.isEmpty ? key : path + "." + key
            if !isSnakeCase(key) { found.append(place) }
            if dataKeyed.contains(key), let map = object[key] as? [String: Any] {
                for entry in map.keys.sorted() {
                    found += violations(in: map[entry]!, path: place + "[\(entry.debugDescription)]", dataKeyed: dataKeyed)
                }
            } else {
                found += violations(in: object[key]!, path: place, dataKeyed: dataKeyed)
            }
        }
        return found
    }

    /// The violations in what a `--json` run printed: one JSON document, or JSON lines (one document a line).
    /// Output that is not JSON at all (a failed run's empty stdout) has none.
    public static func violations(inOutput data: Data) -> [String] {
        if let document = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
            return violations(in: document)
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated().flatMap { index, line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed]))
                .map { violations(in: $0, path: "line \(index + 1)") } ?? []
        }
    }
}
