import Foundation

/// Special functions the distributions are built on. Accuracy targets: relative error near 1e-14 in the body,
/// no cancellation in the tails. `lgamma`, `erf`, `erfc`, `log1p` and `expm1` come from the C library.
public enum SpecialFunctions {
    /// log Γ(x) for x > 0.
    public static func logGamma(_ x: Double) -> Double { lgamma(x) }

    /// Stirling's correction δ(x) = log Γ(x) − [(x − ½) log x − x + ½ log 2π], for x ≥ 10, by its asymptotic
    /// series (terms B₂ₖ / (2k(2k−1)x²ᵏ⁻¹)); six terms give full double precision there.
    static func stirlingCorrection(_ x: Double) -> Double {
        let x2 = 1 / (x * x)
        let series = 1.0 / 12 - x2 * (1.0 / 360 - x2 * (1.0 / 1260 - x2 * (1.0 / 1680 - x2 * (1.0 / 1188 - x2 * 691.0 / 360360))))
        return series / x
    }

    /// log B(a, b), accurate also when a and b are large (where log Γ(a) + log Γ(b) − log Γ(a + b) cancels).
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        let p = min(a, b), q = max(a, b)
        if p >= 10 {
            let correction = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q)
            return -0.5 * log(q) + 0.5 * log(2 * Double.pi) + correction + (p - 0.5) * log(p / (p + q))
                + q * log1p(-p / (p + q))
        }
        if q >= 10 {
            let correction = stirlingCorrection(q) - stirlingCorrection(p + q)
            return lgamma(p) + correction + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q))
        }
        return lgamma(p) + lgamma(q) - lgamma(p + q)
    }

    /// Regularized incomplete beta Iₓ(a, b), or its complement 1 − Iₓ(a, b) when `upper` is true, each computed
    /// directly (no subtraction from 1). Continued fraction (modified Lentz) on whichever side converges.
    public static func regularizedBeta(_ x: Double, a: Double, b: Double, upper: Bool = false) -> Double {
        precondition(a > 0 && b > 0, "beta parameters must be positive")
        if x <= 0 { return upper ? 1 : 0 }
        if x >= 1 { return upper ? 0 : 1 }
        // The fraction converges fast for x < (a + 1)/(a + b + 2), where Iₓ is at most about one half, so its
        // complement is taken by subtraction without cancellation; beyond it, use I_x(a,b) = 1 − I_{1−x}(b,a).
        if x < (a + 1) / (a + b + 2) {
            let lower = betaFraction(x, a, b)
            return upper ? 1 - lower : lower
        }
        let complement = betaFraction(1 - x, b, a)
        return upper ? complement : 1 - complement
    }

    /// Iₓ(a, b) = xᵃ(1−x)ᵇ / (a B(a,b)) · 1/(1+ d₁/(1+ d₂/(1+ …))).
    private static func betaFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let logPrefactor = a * log(x) + b * log1p(-x) - logBeta(a, b) - log(a)
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...100_000 {
            let mm = Double(m)
            let m2 = 2 * mm
            var numerator = mm * (b - mm) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            numerator = -(a + mm) * (a + b + mm) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            result *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(logPrefactor) * result
    }

    /// Regularized lower incomplete gamma P(a, x), or Q(a, x) = 1 − P(a, x) when `upper` is true, each computed
    /// without cancellation: series for x < a + 1, continued fraction otherwise.
    public static func regularizedGamma(_ a: Double, x: Double, upper: Bool = false) -> Double {
        precondition(a > 0, "gamma shape must be positive")
        if x <= 0 { return upper ? 1 : 0 }
        if x.isInfinite { return upper ? 0 : 1 }
        let logPrefactor = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            // P(a,x) = e^{-x} x^a / Γ(a+1) · Σ xⁿ / ((a+1)…(a+n))
            var term = 1.0 / a
            var sum = term
            var n = 1.0
            while n < 100_000 {
                term *= x / (a + n)
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
                n += 1
            }
            // Below the mean P is at most about one half, so 1 − P does not cancel.
            let p = exp(logPrefactor) * sum
            return upper ? 1 - p : p
        }
        let q = gammaFraction(a, x, logPrefactor)
        return upper ? q : 1 - q
    }

    /// Q(a, x) by Legendre's continued fraction (modified Lentz).
    private static func gammaFraction(_ a: Double, _ x: Double, _ logPrefactor: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 100_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
            i += 1
        }
        return exp(logPrefactor) * h
    }
}
