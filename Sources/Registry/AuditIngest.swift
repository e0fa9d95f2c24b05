import Foundation
import Imaging
import Measurements
import RateBatch
import RateEngine

/// Brings new series into the registry: each series is identified (its DICOM files, their content hash, the
/// pseudonymous case ID), skipped when the registry already holds it, measured by the rate engine (`rate-batch`'s
/// `CaseMeasurement`) and recorded in one transaction. A series that fails is recorded with its error and left
/// alone until `retryFailed`. Workers run in parallel; a killed run resumes where it stopped, since every recorded
/// series is skipped the next time.
public struct AuditIngest: Sendable {
    /// How an ingest runs; echoed in the registry as the measurements' parameters.
    public struct Parameters: Sendable {
        /// The rate engine's parameters.
        public var engine = RateEngine.Parameters()
        /// Series measured at once.
        public var jobs = 2
        /// Measure again the series registered by another engine version.
        public var remeasure = false
        /// Try again the series that failed before.
        public var retryFailed = false
        /// The department's time zone, for StudyDate and StudyTime without TimezoneOffsetFromUTC.
        public var timeZone = TimeZone(identifier: "UTC")!
        /// Where each measurement is stored with its masks (keyed by content hash, engine version and parameters),
        /// so that the audit report draws its QC thumbnails without running the engine; nil stores none.
        public var measurementCache: MeasurementCache?

        public init() {}
    }

    /// What happened to one input.
    public enum Outcome: Sendable, Equatable {
        case measured(caseID: String)
        /// Already in the registry, measured by this engine version (or by another, without `remeasure`).
        case alreadyRegistered(caseID: String, engineVersion: String)
        case failed(error: String)
        /// Failed in an earlier run; not retried.
        case failedBefore(error: String)
    }

    /// The outcome of every input, in input order.
    public struct Summary: Sendable {
        public var outcomes: [(input: String, outcome: Outcome)]

        public init(outcomes: [(input: String, outcome: Outcome)]) {
            self.outcomes = outcomes
        }

        public var measured: Int { outcomes.filter { if case .measured = $0.outcome { true } else { false } }.count }
        public var alreadyRegistered: Int {
            outcomes.filter { if case .alreadyRegistered = $0.outcome { true } else { false } }.count
        }
        /// Inputs registered by another engine version and not measured again.
        public var stale: Int {
            outcomes.filter { if case .alreadyRegistered(_, let version) = $0.outcome { version != RateEngine.version } else { false } }.count
        }
        public var failures: [(input: String, error: String)] {
            outcomes.compactMap { item in
                switch item.outcome {
                case .failed(let error), .failedBefore(let error): (item.input, error)
                default: nil
                }
            }
        }
    }

    public var registry: CaseRegistry
    public var key: DepartmentKey
    public var parameters: Parameters
    /// The time recorded as `measured_at`; a fixed one keeps the registry's content reproducible.
    public var clock: @Sendable () -> Date

    public init(registry: CaseRegistry, key: DepartmentKey, parameters: Parameters, clock: @escaping @Sendable () -> Date) {
        self.registry = registry
        self.key = key
        self.parameters = parameters
        self.clock = clock
    }

    /// Ingests `inputs`; `progress` gets (inputs done, inputs in all) after each.
    public func run(_ inputs: [AuditInput], progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in })
        throws(RegistryError) -> Summary {
        let earlierFailures = try registry.failures()
        let outcomes = OutcomeList(count: inputs.count)
        let next = Counter()
        let workers = DispatchGroup()
        for _ in 0..<max(1, min(parameters.jobs, inputs.count)) {
            workers.enter()
            // Own threads with a large stack, as `rate-batch`: the engine's segmentation recurses deeply.
            let thread = Thread {
                while !outcomes.stopped, let index = next.take(below: inputs.count) {
                    let input = inputs[index]
                    let outcome: Outcome
                    if let error = earlierFailures[input.path], !parameters.retryFailed {
                        outcome = .failedBefore(error: error)
                    } else {
                        do throws(RegistryError) {
                            outcome = try ingest(input, failedBefore: earlierFailures[input.path] != nil)
                        } catch {
                            // The registry cannot be written (a full disk, say): later series would fail alike.
                            outcomes.stop(error)
                            break
                        }
                    }
                    progress(outcomes.set(index, (input.path, outcome)), inputs.count)
                }
                workers.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        workers.wait()
        if let error = outcomes.storageError { throw error }
        return Summary(outcomes: outcomes.all)
    }

    /// One input through the stages: identify (one scan of its folder), decide, load and measure, record. An input
    /// that `failedBefore` and now succeeds loses its failure: in the measurement's transaction when measured, on
    /// its own when its series turns out to be registered already (from another folder).
    func ingest(_ input: AuditInput, failedBefore: Bool = false) throws(RegistryError) -> Outcome {
        let identified: IdentifiedSeries
        do throws(ImagingError) {
            identified = try identify(input)
        } catch {
            return try fail(input, "\(error)")
        }
        if let existing = try registry.caseOfSeries(identified.digest),
           existing.engineVersion == RateEngine.version || !parameters.remeasure {
            if failedBefore { try registry.clearFailure(input: input.path) }
            return .alreadyRegistered(caseID: existing.caseID, engineVersion: existing.engineVersion)
        }
        let loaded: LoadedSeries
        do throws(ImagingError) { loaded = try SeriesLoader().load(identified.series) } catch {
            return try fail(input, "\(error)")
        }
        let cache = parameters.measurementCache, engine = parameters.engine
        let result = CaseMeasurement.measure(BatchCase(id: identified.caseID, path: input.path), loaded: loaded,
                                             parameters: engine, withMasks: cache != nil) { measured in
            // Stored before the registry's transaction: a kill in between leaves an unused entry, never a case
            // without its masks.
            try cache?.store(measured, geometry: loaded.volume.geometry,
                             key: MeasurementCache.Key(seriesDigest: identified.digest, parameters: engine),
                             seriesFolder: URL(fileURLWithPath: input.path).standardizedFileURL.path)
        }
        guard result.status == .measured else { return try fail(input, result.error ?? "not measured") }
        let record = try registered(identified, input: input, levels: result.levels)
        try registry.record(record, input: input.path)
        return .measured(caseID: identified.caseID)
    }

    private func fail(_ input: AuditInput, _ error: String) throws(RegistryError) -> Outcome {
        try registry.recordFailure(input: input.path, error: error, engineVersion: RateEngine.version,
                                   at: ProcedureTime.iso(clock()))
        return .failed(error: error)
    }

    struct IdentifiedSeries {
        /// The scanned series, loaded from this scan for measuring (the folder is scanned once).
        var series: DICOMScan.Series
        var digest: String
        var caseID: String
        var seriesUID: String
        var procedureAt: String?
    }

    /// The series' files, content hash and pseudonymous identity; the identifiers themselves stay here.
    func identify(_ input: AuditInput) throws(ImagingError) -> IdentifiedSeries {
        let scan = try DICOMScanner.scan([input.path])
        // `cement rate`'s exclusions: a scout, a non-CT or a non-axial series beside the series is passed over,
        // and never measured alone.
        let (eligible, excluded) = SeriesSelection.ranked(scan)
        let series = eligible.map(\.0)
        guard series.count == 1, let first = series[0].images.first else {
            if series.isEmpty { throw SeriesSelection.nothingToMeasure(excluded, location: input.path) }
            throw ImagingError(file: input.path, "holds \(series.count) measurable CT series; give one series per folder")
        }
        let digest: String
        do { digest = try SeriesDigest.of(files: series[0].images.map(\.path)) } catch {
            throw ImagingError(file: error.file, error.message)
        }
        let identity = try DICOMStudyIdentity.read(path: first.path)
        var procedureAt: String?
        if let date = input.procedureDate ?? identity.studyDate,
           let instant = ProcedureTime.instant(date: date, time: input.procedureDate == nil ? identity.studyTime : nil,
                                                offset: input.procedureDate == nil ? identity.timezoneOffset : nil,
                                                timeZone: parameters.timeZone) {
            procedureAt = ProcedureTime.iso(instant)
        }
        return IdentifiedSeries(series: series[0], digest: digest,
                                caseID: key.caseID(patientID: identity.patientID, studyInstanceUID: identity.studyInstanceUID),
                                seriesUID: key.replacementUID(for: identity.seriesInstanceUID), procedureAt: procedureAt)
    }

    private func registered(_ series: IdentifiedSeries, input: AuditInput, levels: [[String: FlatValue]])
        throws(RegistryError) -> RegisteredCase {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let parametersJSON: String
        do { parametersJSON = String(decoding: try encoder.encode(parameters.engine), as: UTF8.self) } catch {
            throw RegistryError(file: input.path, "cannot record the engine parameters (\(error))")
        }
        let measuredAt = ProcedureTime.iso(clock())
        var recorded: [RegisteredLevel] = []
        for (index, fields) in levels.enumerated() {
            let flags = (fields["qc"].map(Self.list) ?? []).map(\.text)
            let interval = fields["distribution_rate_interval_percent"].map(Self.list)?.compactMap(Self.number)
            let json: String
            do { json = String(decoding: try encoder.encode(fields), as: UTF8.self) } catch {
                throw RegistryError(file: input.path, "cannot record the measurement (\(error))")
            }
            recorded.append(RegisteredLevel(
                levelIndex: index, distributionRatePercent: fields["distribution_rate_percent"].flatMap(Self.number),
                distributionRateInterval: interval?.count == 2 ? interval : nil, group: fields["group"]?.text,
                leakageML: fields["leakage_ml"].flatMap(Self.number), qcFlags: flags,
                needsReview: flags.contains { QCFlag(rawValue: $0)?.needsReview ?? true }, fieldsJSON: json,
                parametersJSON: parametersJSON, engineVersion: RateEngine.version, measuredAt: measuredAt))
        }
        return RegisteredCase(caseID: series.caseID, seriesSHA256: series.digest, seriesUID: series.seriesUID,
                              procedureAt: series.procedureAt, treatedLevels: input.treatedLevels,
                              operatorCode: input.operatorCode, engineVersion: RateEngine.version, levels: recorded)
    }
}

extension AuditIngest {
    /// A flat field's number, nil when it holds none.
    static func number(_ value: FlatValue) -> Double? {
        switch value {
        case .number(let number): number
        case .integer(let number): Double(number)
        default: nil
        }
    }

    /// A flat field's elements (a single value as one).
    static func list(_ value: FlatValue) -> [FlatValue] {
        if case .list(let values) = value { values } else { [value] }
    }
}

/// Hands out input indices to the workers.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// The outcomes as the workers fill them in; returns how many are done.
private final class OutcomeList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(input: String, outcome: AuditIngest.Outcome)?]
    private var done = 0
    private var error: RegistryError?

    init(count: Int) { items = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ item: (input: String, outcome: AuditIngest.Outcome)) -> Int {
        lock.lock()
        defer { lock.unlock() }
        items[index] = item
        done += 1
        return done
    }

    func stop(_ error: RegistryError) {
        lock.lock()
        defer { lock.unlock() }
        if self.error == nil { self.error = error }
    }

    var stopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return error != nil
    }

    var storageError: RegistryError? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }

    var all: [(input: String, outcome: AuditIngest.Outcome)] {
        lock.lock()
        defer { lock.unlock() }
        return items.compactMap { $0 }
    }
}
