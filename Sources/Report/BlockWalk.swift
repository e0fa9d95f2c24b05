/// Walking a document tree: the one place that knows which blocks hold other blocks, so that numbering, heading
/// ids and figure export all see a figure or heading inside a list, a quote or a folded appendix.
extension Block {
    /// The block sequences nested in this block, in document order: a quote's or a collapsible's children, or
    /// each list item.
    public var nested: [[Block]] {
        switch self {
        case let .blockQuote(children), let .collapsible(_, children): [children]
        case let .list(_, items): items
        default: []
        }
    }

    /// This block with its nested sequences replaced; `nested` must have as many sequences as `self.nested`.
    func replacingNested(_ nested: [[Block]]) -> Block {
        switch self {
        case .blockQuote: .blockQuote(nested[0])
        case let .collapsible(summary, _): .collapsible(summary: summary, nested[0])
        case let .list(ordered, _): .list(ordered: ordered, items: nested)
        default: self
        }
    }
}

extension Array where Element == Block {
    /// Every block in document order, each followed by the blocks nested in it.
    public var flattened: [Block] {
        flatMap { block in [block] + block.nested.flatMap(\.flattened) }
    }

    /// Every figure of the document in order of appearance, nested ones included.
    public var figures: [Figure] {
        flattened.compactMap { block in
            if case let .figure(figure) = block { figure } else { nil }
        }
    }

    /// Calls `update` on every block in document order, a block before the blocks nested in it.
    mutating func updateEach(_ update: (inout Block) -> Void) {
        for index in indices {
            update(&self[index])
            let nested = self[index].nested
            guard !nested.isEmpty else { continue }
            self[index] = self[index].replacingNested(nested.map { children in
                var children = children
                children.updateEach(update)
                return children
            })
        }
    }
}
