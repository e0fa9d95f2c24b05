/// One journal-like look for every chart: sizes in points, fonts named explicitly, colour-blind-safe colours.
public struct FigureTheme: Sendable {
    /// Font family for all text; Noto Sans CJK SC covers Latin and Chinese, so labels in either language
    /// use one family.
    public var fontFamily = "Noto Sans CJK SC"
    public var baseSize = 8.0
    public var titleSize = 9.0
    public var tickLength = 3.0
    public var lineWidth = 0.75
    public var axisWidth = 0.6
    public var pointRadius = 1.6
    public var palette = Color.okabeIto
    public var text = Color(hex: 0x202020)
    public var grid = Color(hex: 0xebebeb)
    /// Margin around the plot area (points).
    public var padding = 6.0

    public init() {}

    public static let standard = FigureTheme()

    /// Points per millimetre, for sizes given in mm.
    public static let pointsPerMillimetre = 72 / 25.4
}
