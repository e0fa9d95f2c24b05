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
    /// Cement mixed with bone over the interdigitated fringe (world phantoms).
    case cementFringe
    /// A sclerotic impaction band inside the treated body.
    case scleroticBand
    /// Gas: an intravertebral cleft, disc vacuum, bowel.
    case gas
    /// Disc calcification.
    case calcification
    case osteophyte
    case rib
}
