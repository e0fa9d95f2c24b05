/// A buffer that several threads write at disjoint indices (callers guarantee the indices do not overlap).
public struct SharedBuffer<Element>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>
    public init(_ buffer: UnsafeMutableBufferPointer<Element>) { base = buffer.baseAddress! }
    public subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }
}
