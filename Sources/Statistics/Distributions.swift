import Foundation

/// The standard normal distribution.
public enum Normal {
    /// P(Z ≤ z).
    public static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// P(Z > z), accurate far into the upper tail.
    public static func uppertail(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// The density φ(z).
    public static func density(_ z: Double) -> Double { exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() }

    /// The quantile Φ⁻¹(p): Acklam's rational approximation (relative error about 1e-9), polished by two
    /// Halley steps on erfc, which brings it to full double precision, also for p down to 1e-300.
    public static func quantile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 1, "probability outside [0, 1]")
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        // Work on the smaller tail so that p close to 1 keeps its precision.
        if p > 0.5 { return -lowerQuantile(1 - p) }
        return lowerQuantile(p)
    }

    /// Φ⁻¹(p) for p ≤ ½.
    private static func lowerQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        for _ in 0..<2 {
            // Halley: u = (Φ(x) − p)/φ(x), computed as a ratio so it stays relative in the far tail.
            let e = cdf(x) - p
            let u = e * (2 * Double.pi).squareRoot() * exp(0.5 * x * x)
            x -= u / (1 + 0.5 * x * u)
        }
        return x
    }
}

/// Student's t distribution with `df` degrees of freedom.
public struct StudentT: Sendable {
    public let df: Double
    public init(df: Double) { self.df = df }

    /// P(|T| ≥ |t|).
    public func twoSided(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        let t2 = t * t
        // I_{df/(df+t²)}(df/2, ½); for small t use the complementary form, which does not cancel.
        if t2 < df {
            return SpecialFunctions.regularizedBeta(t2 / (df + t2), a: 0.5, b: df / 2, upper: true)
        }
        return SpecialFunctions.regularizedBeta(df / (df + t2), a: df / 2, b: 0.5)
    }

    /// P(T > t).
    public func uppertail(_ t: Double) -> Double {
        let half = 0.5 * twoSided(t)
        return t >= 0 ? half : 1 - half
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double { uppertail(-t) }

    /// The quantile: solves cdf(t) = p by bisection-safeguarded Newton steps.
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "probability outside (0, 1)")
        if p == 0.5 { return 0 }
        var x = Normal.quantile(p)
        for _ in 0..<100 {
            let f = cdf(x) - p
            let density = exp(lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * Double.pi)
                - (df + 1) / 2 * log1p(x * x / df))
            let step = f / density
            x -= step
            if abs(step) < 1e-15 * max(1, abs(x)) { break }
        }
        return x
    }
}

/// The F distribution.
public struct FDistribution: Sendable {
    public let df1: Double
    public let df2: Double
    public init(df1: Double, df2: Double) {
        self.df1 = df1
        self.df2 = df2
    }

    /// P(F > f).
    public func uppertail(_ f: Double) -> Double {
        if f.isNaN { return .nan }
        if f <= 0 { return 1 }
        if f.isInfinite { return 0 }
        let x = df2 / (df2 + df1 * f)
        return SpecialFunctions.regularizedBeta(x, a: df2 / 2, b: df1 / 2)
    }
}

/// The chi-square distribution.
public struct ChiSquared: Sendable {
    public let df: Double
    public init(df: Double) { self.df = df }

    /// P(X > x).
    public func uppertail(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        return SpecialFunctions.regularizedGamma(df / 2, x: x / 2, upper: true)
    }
}
