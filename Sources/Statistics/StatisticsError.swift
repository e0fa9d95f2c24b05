/// Why a test could not be computed.
public enum StatisticsError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Too few observations (after dropping missing values) for the test.
    case tooFewObservations(test: String, needed: Int, got: Int)
    /// The data make the statistic undefined (e.g. zero variance in every group).
    case degenerate(test: String, reason: String)
    /// Arguments outside the test's domain.
    case invalidArgument(String)
    /// An exact computation would take too long; the message says what to use instead.
    case tooLarge(String)

    public var description: String {
        switch self {
        case let .tooFewObservations(test, needed, got): "\(test): needs at least \(needed) observations, got \(got)"
        case let .degenerate(test, reason): "\(test): \(reason)"
        case let .invalidArgument(message): message
        case let .tooLarge(message): message
        }
    }
}
