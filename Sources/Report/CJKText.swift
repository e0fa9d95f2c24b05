extension Character {
    /// Chinese, Japanese and Korean characters and punctuation (U+2E80 and above): lines break between any two of
    /// them, they are about two Latin characters wide, and no space separates them.
    var isCJK: Bool { (unicodeScalars.first?.value ?? 0) >= 0x2E80 }
}
