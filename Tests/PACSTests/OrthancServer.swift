import Foundation
import PACS
import XCTest

/// A real Orthanc (Debian package `orthanc`) on loopback for the tests: generated configuration, free DICOM
/// port, storage in a temporary folder, the test's AE title registered as a modality (C-FIND, C-GET, C-MOVE and C-STORE
/// are allowed only to registered modalities, and the called AE title is checked, so unknown titles are
/// rejected as a production PACS would) and a C-MOVE destination (`moveAE` on `movePort`). Stopped and its folder removed by `stop()`.
final class OrthancServer {
    static let aeTitle = "ORTHANCTEST"
    static let clientAE = "CEMENTTEST"
    /// The C-MOVE destination the configuration lists (this host, `movePort`).
    static let moveAE = "CEMENTMOVE"

    let folder: String
    let port: UInt16
    /// The port the tests' C-MOVE storage SCP listens on.
    let movePort: UInt16
    private let process: Process

    /// The Orthanc executable, nil when the package is not installed.
    static var executable: String? {
        for candidate in ["/usr/sbin/Orthanc", "/usr/bin/Orthanc", "/usr/local/bin/Orthanc"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// Starts Orthanc and waits (at most 20 s) until it answers C-ECHO.
    init() throws {
        guard let executable = Self.executable else {
            throw XCTSkip("Orthanc is not installed (apt-get install orthanc; scripts/install-deps.sh does it): PACS round trip skipped")
        }
        folder = NSTemporaryDirectory() + "cementreport-orthanc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/storage", withIntermediateDirectories: true)
        port = try Self.freePort()
        movePort = try Self.freePort()
        let configuration: [String: Any] = [
            "Name": "CementReportTest",
            "StorageDirectory": folder + "/storage",
            "IndexDirectory": folder + "/storage",
            "Plugins": [String](),
            "LuaScripts": [String](),
            "HttpServerEnabled": false,
            "DicomServerEnabled": true,
            "DicomAet": Self.aeTitle,
            "DicomPort": Int(port),
            "DicomCheckCalledAet": true,
            // Orthanc 1.10 cannot bind its DICOM port to loopback only; it accepts the test AE only from 127.0.0.1.
            "DicomCheckModalityHost": true,
            "DicomAlwaysAllowEcho": false,
            "DicomAlwaysAllowStore": false,
            "DicomAlwaysAllowFind": false,
            "DicomAlwaysAllowGet": false,
            "DicomAlwaysAllowMove": false,
            // The client (its port is never called) and the C-MOVE destination Orthanc connects to.
            "DicomModalities": ["cement": [Self.clientAE, "127.0.0.1", 1],
                                "cement-move": [Self.moveAE, "127.0.0.1", Int(movePort)]],
            "DicomScpTimeout": 10,
            "SaveJobs": false,
            "ConcurrentJobs": 1,
            "StorageCompression": false,
            // A test server need not survive a power cut: no fsync per stored instance.
            "SyncStorageArea": false,
        ]
        let configurationPath = folder + "/orthanc.json"
        try JSONSerialization.data(withJSONObject: configuration, options: [.sortedKeys, .prettyPrinted])
            .write(to: URL(fileURLWithPath: configurationPath))
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [configurationPath]
        guard FileManager.default.createFile(atPath: folder + "/orthanc.log", contents: nil) else {
            throw NSError(domain: "OrthancServer", code: 4, userInfo: [NSLocalizedDescriptionKey: "cannot create \(folder)/orthanc.log"])
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/orthanc.log"))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        var lastError: Error?
        while Date() < deadline {
            guard process.isRunning else { break }
            do {
                try PACSClient(peer: peer(retries: 0)).echo()
                return
            } catch {
                lastError = error
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        stop()
        throw NSError(domain: "OrthancServer", code: 1, userInfo: [NSLocalizedDescriptionKey:
            "Orthanc did not come up on port \(port): \(lastError.map { "\($0)" } ?? "exited") (log \(folder)/orthanc.log)"])
    }

    /// The peer as the tests' client sees it: short timeouts, no retries unless asked.
    func peer(retries: Int = 0) -> PACSPeer {
        PACSPeer(host: "127.0.0.1", port: port, calledAE: Self.aeTitle, callingAE: Self.clientAE,
                 connectTimeout: 3, associationTimeout: 5, messageTimeout: 10, retries: retries, retryDelay: 0.2)
    }

    /// Connection flags for `cement pacs …`.
    var flags: [String] {
        ["--host", "127.0.0.1", "--port", String(port), "--called-ae", Self.aeTitle, "--calling-ae", Self.clientAE,
         "--connect-timeout", "3", "--association-timeout", "5", "--message-timeout", "10", "--retries", "0"]
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed).
    static func freePort() throws -> UInt16 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw NSError(domain: "OrthancServer", code: 2) }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Int32 in
                guard bind(socket, raw, length) == 0 else { return -1 }
                return getsockname(socket, raw, &length)
            }
        }
        guard bound == 0 else { throw NSError(domain: "OrthancServer", code: 3) }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// A TCP listener on loopback that accepts connections into its backlog and never answers: a peer that hangs.
final class SilentListener {
    let port: UInt16
    private let socket: Int32

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.socket = socket
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Int32 in
                guard bind(socket, raw, length) == 0, listen(socket, 8) == 0 else { return -1 }
                return getsockname(socket, raw, &length)
            }
        }
        guard socket >= 0, status == 0 else { throw NSError(domain: "SilentListener", code: 1) }
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(socket) }
}
