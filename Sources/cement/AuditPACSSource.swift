import Foundation
import Imaging
import PACS
import RateEngine
import Registry

/// A PACS query as the source of `cement audit ingest --pacs`: finds the matching studies as `cement pacs find`
/// does, skips those the registry already holds (by the pseudonymous series UID, so nothing is pulled for them),
/// pulls the series of the others into a pull cache and names, per study, the one series to ingest (the only one,
/// or the one series selection picks, as `cement rate` would).
///
/// The pull cache is named by pseudonymous UIDs (`DepartmentKey.replacementUID`): FOLDER/STUDY/SERIES/, so the
/// paths the registry keeps for failures and the measurement cache keeps for its entries hold no real UID. The
/// files in it are the PACS's own, identifiers included, as in a department's export folder.
struct AuditPACSSource {
    var client: PACSClient
    var registry: CaseRegistry
    var key: DepartmentKey
    /// The pull cache.
    var folder: String
    /// Pull again the studies registered by another engine version (`--remeasure`).
    var remeasure: Bool
    /// Pull again the studies that failed before (`--retry-failed`).
    var retryFailed: Bool
    /// The series selection's parameters, for studies with more than one matching series.
    var selection: SeriesSelection.Parameters

    /// One study: a series to ingest, or an outcome decided without ingesting.
    enum Item {
        case ingest(AuditInput)
        case decided(input: String, outcome: AuditIngest.Outcome)
    }

    /// What `prepare` found and pulled, in the PACS's study order.
    struct Prepared {
        var items: [Item]
        var studiesFound: Int
        var seriesPulled: Int
        /// A pull that failed (with the UIDs in its message replaced by their pseudonyms); the studies before it
        /// are prepared, the rest are not.
        var pullFailure: String?
    }

    /// Finds, decides and pulls; `progress` gets (studies done, studies in all).
    func prepare(_ query: PACSQuery, progress: (Int, Int) -> Void) throws -> Prepared {
        let studies: [PACSStudy]
        do { studies = try client.find(query) } catch { throw CommandFailure(message: error.description) }
        let failures = try registryCall { () throws(RegistryError) in try registry.failures() }
        var prepared = Prepared(items: [], studiesFound: studies.count, seriesPulled: 0)
        for (index, study) in studies.enumerated() {
            progress(index, studies.count)
            let studyFolder = (folder as NSString).appendingPathComponent(key.replacementUID(for: study.studyUID))
            let seriesFolders = study.series.map {
                (studyFolder as NSString).appendingPathComponent(key.replacementUID(for: $0.seriesUID))
            }
            if let registered = try registeredCase(study), registered.engineVersion == RateEngine.version || !remeasure {
                prepared.items.append(.decided(input: seriesFolders[registered.index], outcome:
                    .alreadyRegistered(caseID: registered.caseID, engineVersion: registered.engineVersion)))
                continue
            }
            if !retryFailed, let failed = ([studyFolder] + seriesFolders).first(where: { failures[$0] != nil }) {
                prepared.items.append(.decided(input: failed, outcome: .failedBefore(error: failures[failed]!)))
                continue
            }
            do throws(PACSError) {
                for (series, target) in zip(study.series, seriesFolders) {
                    _ = try client.pull(series, to: target)
                    prepared.seriesPulled += 1
                }
            } catch {
                prepared.pullFailure = pseudonymised(error.description, study: study)
                break
            }
            prepared.items.append(try chooseSeries(of: study, folders: seriesFolders, studyFolder: studyFolder))
        }
        progress(prepared.items.count, studies.count)
        return prepared
    }

    /// The case already holding one of the study's series, and which series.
    private func registeredCase(_ study: PACSStudy) throws -> (index: Int, caseID: String, engineVersion: String)? {
        for (index, series) in study.series.enumerated() {
            let uid = key.replacementUID(for: series.seriesUID)
            if let found = try registryCall({ () throws(RegistryError) in try registry.caseOfSeries(uid: uid) }) {
                return (index, found.caseID, found.engineVersion)
            }
        }
        return nil
    }

    /// The series to ingest: the study's only one, else the one series selection picks among those pulled. A study
    /// none of whose series can be measured is recorded as failed with the selection's reason.
    private func chooseSeries(of study: PACSStudy, folders: [String], studyFolder: String) throws -> Item {
        guard folders.count > 1 else { return .ingest(AuditInput(path: folders[0])) }
        do throws(ImagingError) {
            let chosen = try SeriesLoader().select(paths: folders, parameters: selection).series.uid
            guard let index = study.series.firstIndex(where: { $0.seriesUID == chosen }) else {
                throw ImagingError(file: studyFolder, "the selected series is not among those the PACS listed")
            }
            return .ingest(AuditInput(path: folders[index]))
        } catch {
            let message = pseudonymised("\(error)", study: study)
            try registryCall { () throws(RegistryError) in
                try registry.recordFailure(input: studyFolder, error: message, engineVersion: RateEngine.version,
                                           at: ProcedureTime.iso(AuditClock.now()))
            }
            return .decided(input: studyFolder, outcome: .failed(error: message))
        }
    }

    /// `text` with the study's real UIDs replaced by their pseudonyms, for messages that reach the registry or
    /// the terminal.
    private func pseudonymised(_ text: String, study: PACSStudy) -> String {
        // Longest first: a UID may be the prefix of another.
        ([study.studyUID] + study.series.map(\.seriesUID)).sorted { $0.count > $1.count }.reduce(text) { text, uid in
            text.replacingOccurrences(of: uid, with: key.replacementUID(for: uid))
        }
    }

    private func registryCall<T>(_ body: () throws(RegistryError) -> T) throws -> T {
        do { return try body() } catch { throw CommandFailure(message: error.description) }
    }
}
