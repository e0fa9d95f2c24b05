/// Joins a number to the unit or percent sign after it with a no-break space ("10 %", "7.5 ml", "P = 0.035"
/// already carries its own), so that no line of the HTML or the PDF starts with a unit or "%".
enum UnitBinding {
    /// Units the reports print after numbers.
    static let units: Set<String> = ["%", "ml", "mm", "min", "h", "d", "°", "years", "kg/m²", "岁", "次", "分", "cm"]

    static func apply(_ text: String) -> String {
        guard text.contains(" ") else { return text }
        let characters = Array(text)
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for (index, character) in characters.enumerated() {
            if character == " ", index > 0, characters[index - 1].isNumber, startsWithUnit(characters, at: index + 1) {
                result.append("\u{00A0}")
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Whether a unit (followed by a non-letter or the end) starts at `start`.
    private static func startsWithUnit(_ characters: [Character], at start: Int) -> Bool {
        for unit in units {
            let unitCharacters = Array(unit)
            guard start + unitCharacters.count <= characters.count,
                  Array(characters[start..<start + unitCharacters.count]) == unitCharacters else { continue }
            let end = start + unitCharacters.count
            if end == characters.count || !(characters[end].isLetter) || unitCharacters.first!.isCJK { return true }
        }
        return false
    }
}
