/// The known name a mistyped one most likely meant: one that extends it (`cement` → `cement_ml`), else the
/// nearest by edit distance when that is small; nil when nothing is close.
public func closestName(to name: String, among known: some Collection<String>) -> String? {
    let sorted = known.sorted()
    if !name.isEmpty, let extended = sorted.filter({ $0.hasPrefix(name) }).min(by: { $0.count < $1.count }) {
        return extended
    }
    guard let best = sorted.min(by: { editDistance($0, name) < editDistance($1, name) }),
          editDistance(best, name) <= max(2, name.count / 3) else { return nil }
    return best
}

/// Levenshtein distance, for "did you mean" suggestions.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...max(1, b.count) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
