import Foundation

/// Rules a vertebral body's outline obeys, applied to the radii of its rays (equally spaced angles, mm): it has
/// no deep notches, it is smooth where no wall was seen, it has no bulge of cement that leaked out through the
/// wall, and no pedicle is left attached.
enum OutlineShapeRules {
    /// Applies the rules in turn; `cementAtEdge[ray]` says whether cement forms that ray's edge, `wallSeen[ray]`
    /// whether a cortical wall was found along it, `pedicleBase[ray]` whether it points where a pedicle joins
    /// the body and `outerCementEdge[ray]` where the outermost cement mass along it begins (NaN where unknown).
    static func apply(to radii: inout [Double], cementAtEdge: [Bool], wallSeen: [Bool], pedicleBase: [Bool],
                      outerCementEdge: [Double]) {
        let before = radii
        removeNotches(&radii)
        // A ray the notch rule moved did not end at the body's wall.
        let seen = (0..<radii.count).map { wallSeen[$0] && radii[$0] == before[$0] }
        fitUnseenWalls(&radii, cementAtEdge: cementAtEdge, wallSeen: seen, pedicleBase: pedicleBase)
        cutCementBulges(&radii, cementAtEdge: cementAtEdge, outerCementEdge: outerCementEdge)
        cutPedicles(&radii, cementAtEdge: cementAtEdge)
    }

    private static func fitUnseenWalls(_ radii: inout [Double], cementAtEdge: [Bool], wallSeen: [Bool], pedicleBase: [Bool]) {
        // A ray along which no wall was found ends at the coarse outline, which the opening leaves outside the body
        // where a pedicle joins it or the wall is faint (on the tuning phantoms +0.5 mm median, +1.1 mm mean, against
        // −0.1 mm for rays that found their wall). Such rays take the smooth outline through the rays that found a
        // wall (least-squares Fourier series to the fourth harmonic) where it lies inside. Rays ending in cement are
        // left to the bulge rule. Where a pedicle joins the body there is no wall between them, and a "wall" found
        // there is the pedicle's cortex: those rays neither support the series nor keep a radius outside it (on the
        // tuning phantoms the outline stood 0.9 mm out there, median, against at most 0.3 mm elsewhere).
        let rays = radii.count, order = 4, unknowns = 2 * order + 1
        let isSupported = (0..<rays).map { wallSeen[$0] && radii[$0].isFinite && !pedicleBase[$0] }
        let supported = (0..<rays).filter { isSupported[$0] }
        guard supported.count >= 2 * unknowns else { return }
        func basis(_ ray: Int) -> [Double] {
            let theta = 2 * Double.pi * Double(ray) / Double(rays)
            return [1] + (1...order).flatMap { [cos(Double($0) * theta), sin(Double($0) * theta)] }
        }
        guard let coefficients = LinearSystem.leastSquares(supported.map(basis), supported.map { radii[$0] }) else { return }
        // Across a gap of more than 60° without a wall the series is unconstrained (it dived 8 mm into the body
        // where cement hid a whole anterior wall): there the coarse outline stands.
        let maxGap = rays / 6
        /// The number of rays without a wall in the gap that `ray` lies in.
        func gapLength(_ ray: Int) -> Int {
            var a = 0, b = 0
            while a < rays, !isSupported[(ray - a + rays) % rays] { a += 1 }
            while b < rays, !isSupported[(ray + b) % rays] { b += 1 }
            return a + b - 1
        }
        for ray in 0..<rays where !isSupported[ray] && !cementAtEdge[ray] {
            let smooth = zip(coefficients, basis(ray)).reduce(0) { $0 + $1.0 * $1.1 }
            if !radii[ray].isFinite || (smooth < radii[ray] && gapLength(ray) <= maxGap) { radii[ray] = smooth }
        }
    }

    private static func removeNotches(_ radii: inout [Double]) {
        let rays = radii.count
        // A body's outline has no deep notches: a run of rays far inside their ±30° neighbourhood stopped at a
        // spurious ridge (the blurred edge of a cement mass), and a ray without an edge has none of its own; both
        // take the neighbourhood's median.
        let neighbourhood = (0..<rays).map { ray -> Double in
            let window = (-15...15).map { radii[(ray + $0 + rays) % rays] }.filter(\.isFinite).sorted()
            return window.isEmpty ? .nan : window[window.count / 2]
        }
        for ray in 0..<rays where neighbourhood[ray].isFinite
            && (!radii[ray].isFinite || radii[ray] < neighbourhood[ray] - max(3, 0.2 * neighbourhood[ray])) {
            radii[ray] = neighbourhood[ray]
        }
    }

    private static func cutCementBulges(_ radii: inout [Double], cementAtEdge rawCementAtEdge: [Bool],
                                        outerCementEdge: [Double]) {
        let rays = radii.count
        // A ray or two without cement inside a run of cement rays (a slice's estimate moved off the cement) does
        // not split the run: split, its parts take their lines from rays on the bulge itself.
        var cementAtEdge = rawCementAtEdge
        for ray in 0..<rays where !rawCementAtEdge[ray] {
            let before = (1...2).contains { rawCementAtEdge[(ray - $0 + rays) % rays] }
            let after = (1...2).contains { rawCementAtEdge[(ray + $0) % rays] }
            if before && after { cementAtEdge[ray] = true }
        }
        // Cement that leaked out through the wall (anteriorly, say) joins the outline as a bulge: along a run of
        // rays whose edge is cement, a radius may not stand out more than 3 mm beyond the line between the rays
        // 10° beyond either end of the run, where bone forms the edge. A leak lying on the wall bulges less than
        // that: a ray more than 1 mm beyond the line ends where the outermost cement begins, if that lies from 3 mm
        // inside the line (the line is poor across long runs) to 1.5 mm beyond it (on the 14 tuning phantoms with an
        // anterior leak 0.067 ml of it, mean, had been counted in the body, cement in the body +2.4 %; now 0.030 ml
        // and +0.9 %).
        if cementAtEdge.contains(false) {
            let start = (0..<rays).first { !cementAtEdge[$0] }!
            var offset = 1
            while offset < rays {
                guard cementAtEdge[(start + offset) % rays] else {
                    offset += 1
                    continue
                }
                var length = 0
                while cementAtEdge[(start + offset + length) % rays] { length += 1 }
                // The line's ends lie 10° beyond the run, clear of the bulge's flanks.
                let reach = 5
                let before = radii[(start + offset - 1 - reach + rays) % rays]
                let after = radii[(start + offset + length + reach) % rays]
                if before.isFinite, after.isFinite, length + 2 * reach < rays {
                    for step in 0..<length {
                        let ray = (start + offset + step) % rays
                        let line = before + (after - before) * Double(step + 1 + reach) / Double(length + 1 + 2 * reach)
                        let edge = outerCementEdge[ray]
                        if edge.isFinite, edge < radii[ray], radii[ray] > line + 1, edge > line - 3, edge < line + 1.5 {
                            radii[ray] = edge
                        }
                        if radii[ray] > line + 3 { radii[ray] = line }
                    }
                }
                offset += length
            }
        }
    }

    private static func cutPedicles(_ radii: inout [Double], cementAtEdge: [Bool]) {
        let rays = radii.count
        // Nor does bone bulge it: a run of rays whose edge is bone and lies more than 3 mm beyond the line between
        // the rays 24° to either side, entered or left by a step of 2.5 mm or more between neighbouring rays,
        // reaches into a pedicle that the opening left attached. (A wide body seen from off its centre bulges as
        // much, but smoothly.)
        let chord = 12
        func chordLine(_ ray: Int) -> Double { (radii[(ray - chord + rays) % rays] + radii[(ray + chord) % rays]) / 2 }
        let bulging = (0..<rays).map { ray in !cementAtEdge[ray] && radii[ray].isFinite && radii[ray] > chordLine(ray) + 3 }
        var clamped = radii
        var ray = 0
        while ray < rays {
            guard bulging[ray] else {
                ray += 1
                continue
            }
            var end = ray
            while end + 1 < rays, bulging[end + 1] { end += 1 }
            let outside = (radii[(ray - 1 + rays) % rays], radii[(end + 1) % rays])
            let stepIn = max(radii[ray], radii[min(end, ray + 1)]) - outside.0
            let stepOut = max(radii[end], radii[max(ray, end - 1)]) - outside.1
            if stepIn >= 2.5 || stepOut >= 2.5 {
                for r in ray...end { clamped[r] = chordLine(r) }
            }
            ray = end + 1
        }
        radii = clamped
    }
}
