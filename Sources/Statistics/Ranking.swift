/// Mid-ranks (ties share the mean of their ranks) and the tie groups' sizes.
struct Ranking {
    let ranks: [Double]
    /// Sizes of groups of tied values (only groups of two or more).
    let ties: [Int]

    init(_ values: [Double]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var ties: [Int] = []
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = rank }
            if end > start { ties.append(end - start + 1) }
            start = end + 1
        }
        self.ranks = ranks
        self.ties = ties
    }

    /// Σ (t³ − t) over tie groups.
    var tieSum: Double { ties.reduce(0) { $0 + pow3($1) - Double($1) } }
}

private func pow3(_ t: Int) -> Double { Double(t) * Double(t) * Double(t) }
