/// Which link targets may reach an `href`: http, https and mailto URLs, relative paths and in-document `#` links.
/// Everything else (`javascript:`, `vbscript:`, `data:`, `file:`, …) could run script or read local files when the
/// HTML is opened, so templates using it are refused.
public enum LinkURLPolicy {
    /// Schemes a link may name.
    public static let allowedSchemes: Set<String> = ["http", "https", "mailto"]

    /// Why `url` may not be a link target, nil when it may. `url` is the destination as cmark-gfm decoded it
    /// (entities and escapes resolved). Control characters are refused outright, since browsers (WHATWG URL) drop
    /// tabs and newlines inside a scheme (`java\tscript:`); leading spaces are skipped and the scheme is compared
    /// in any case, as browsers do.
    public static func refusal(_ url: String) -> String? {
        if url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "the link URL contains control characters"
        }
        let trimmed = url.unicodeScalars.drop { $0 == " " }
        var scheme = ""
        for scalar in trimmed {
            if scalar == ":" {
                guard let first = scheme.unicodeScalars.first, isASCIILetter(first) else { return nil }
                let name = scheme.lowercased()
                return allowedSchemes.contains(name) ? nil
                    : "link URL scheme '\(name):' is not allowed (only http, https, mailto, relative and #links)"
            }
            // A '/', '?' or '#' before any ':' makes the URL relative; so does a character no scheme may hold.
            guard isASCIILetter(scalar) || ("0"..."9").contains(scalar) || "+-.".unicodeScalars.contains(scalar) else {
                return nil
            }
            scheme.unicodeScalars.append(scalar)
        }
        return nil
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
}
