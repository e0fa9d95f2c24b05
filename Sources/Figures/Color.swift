/// An sRGB colour with alpha, components in [0, 1].
public struct Color: Sendable, Equatable, Codable {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// From a 0xRRGGBB value.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(red: Double((hex >> 16) & 0xff) / 255, green: Double((hex >> 8) & 0xff) / 255,
                  blue: Double(hex & 0xff) / 255, alpha: alpha)
    }

    public func withAlpha(_ alpha: Double) -> Color { Color(red: red, green: green, blue: blue, alpha: alpha) }

    public static let black = Color(hex: 0x000000)
    public static let white = Color(hex: 0xffffff)
    public static let grey = Color(hex: 0x7f7f7f)
    public static let lightGrey = Color(hex: 0xd9d9d9)

    /// Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
    public static let okabeIto: [Color] = [
        Color(hex: 0x0072B2), Color(hex: 0xE69F00), Color(hex: 0x009E73), Color(hex: 0xCC79A7),
        Color(hex: 0x56B4E9), Color(hex: 0xD55E00), Color(hex: 0xF0E442), Color(hex: 0x000000),
    ]
}
