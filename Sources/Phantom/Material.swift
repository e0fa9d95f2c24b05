/// Tissue classes of the phantom. Raw values index the HU table of `PhantomParameters`.
public enum Material: UInt8, CaseIterable, Codable, Sendable {
    case background = 0  // soft tissue, fat and air: taken from the in-plane body outline
    case cortex
    case endplate
    case cancellous
    case cement
    case disc
    case posteriorElement
    case canal
    case leakedCement
}
