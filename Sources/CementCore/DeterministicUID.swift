/// DICOM UIDs derived from a name, so that the same inputs always produce the same files.
///
/// The UID has the form `2.25.N` (ISO/IEC 9834-8), N being a 128-bit number hashed from the name with two
/// independent 64-bit FNV-1a streams. Different names give different UIDs with overwhelming probability.
public enum DeterministicUID {
    public static func make(_ name: String) -> String {
        var high: UInt64 = 0xcbf2_9ce4_8422_2325
        var low: UInt64 = 0x6c62_272e_07bb_0142
        for byte in name.utf8 {
            high = (high ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            low = (low ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3
        }
        // Clear the top bit so the number stays below 2^127 like a UUID-derived value, and avoid zero.
        return "2.25." + decimal(high: (high & 0x7fff_ffff_ffff_ffff) | 1, low: low)
    }

    /// Decimal digits of the 128-bit number high·2^64 + low.
    private static func decimal(high: UInt64, low: UInt64) -> String {
        var words = [high >> 32, high & 0xffff_ffff, low >> 32, low & 0xffff_ffff]
        var digits: [Character] = []
        while words.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for index in words.indices {
                let value = (remainder << 32) | words[index]
                words[index] = value / 10
                remainder = value % 10
            }
            digits.append(Character(String(remainder)))
        }
        return String(digits.reversed())
    }
}
