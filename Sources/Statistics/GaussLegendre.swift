import Foundation

/// Gauss–Legendre quadrature: nodes and weights of the n-point rule on [−1, 1], computed by Newton's method on
/// the Legendre polynomial, and composite integration over panels.
struct GaussLegendre: Sendable {
    let nodes: [Double]
    let weights: [Double]

    init(points n: Int) {
        var nodes = [Double](repeating: 0, count: n), weights = [Double](repeating: 0, count: n)
        for i in 0..<(n + 1) / 2 {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for k in 2...n {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1
                    p1 = p2
                }
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let step = p1 / derivative
                x -= step
                if abs(step) < 1e-16 { break }
            }
            nodes[i] = -x
            nodes[n - 1 - i] = x
            let w = 2 / ((1 - x * x) * derivative * derivative)
            weights[i] = w
            weights[n - 1 - i] = w
        }
        self.nodes = nodes
        self.weights = weights
    }

    /// ∫ f over [a, b] split into `panels` equal panels.
    func integrate(_ a: Double, _ b: Double, panels: Int, _ f: (Double) -> Double) -> Double {
        let width = (b - a) / Double(panels)
        var total = CompensatedSum()
        for panel in 0..<panels {
            let centre = a + (Double(panel) + 0.5) * width
            for (x, w) in zip(nodes, weights) { total.add(w * f(centre + 0.5 * width * x) * 0.5 * width) }
        }
        return total.value
    }

    static let sixteen = GaussLegendre(points: 16)
}
