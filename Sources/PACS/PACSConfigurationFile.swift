import Foundation
import Yams

/// A small YAML or JSON file with a peer's connection settings, the keys of `PACSPeer` in snake case:
///
///     host: pacs.example.org
///     port: 104
///     called_ae: PACS
///     calling_ae: CEMENTREPORT
///     connect_timeout: 10
///     association_timeout: 30
///     message_timeout: 60
///     retries: 2
///     retry_delay: 2
///
/// `host`, `port` and `called_ae` are required unless given as flags; an unknown key is an error (a typo would
/// otherwise silently fall back to a default).
public enum PACSConfigurationFile {
    /// The settings in the file at `path`, keyed by `PACSPeer.CodingKeys` raw values; values stay as read.
    public static func read(path: String) throws(PACSError) -> [String: Any] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PACSError(peer: path, .configuration("cannot read the configuration file"))
        }
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch let error as YamlError {
            throw PACSError(peer: path, .configuration("not valid YAML or JSON: \(describe(error))"))
        } catch {
            throw PACSError(peer: path, .configuration("not valid YAML or JSON"))
        }
        guard let settings = loaded as? [String: Any] else {
            throw PACSError(peer: path, .configuration("expected a mapping of settings (host, port, called_ae, …)"))
        }
        let known = Set(PACSPeer.CodingKeys.allCases.map(\.rawValue))
        for key in settings.keys.sorted() where !known.contains(key) {
            throw PACSError(peer: path, .configuration("unknown key \"\(key)\" (known: \(known.sorted().joined(separator: ", ")))"))
        }
        return settings
    }

    /// A string setting, or nil when absent; a non-string is an error naming the key.
    static func string(_ settings: [String: Any], _ key: PACSPeer.CodingKeys, file: String) throws(PACSError) -> String? {
        guard let value = settings[key.rawValue] else { return nil }
        if let text = value as? String { return text }
        if let number = value as? Int { return String(number) }
        throw PACSError(peer: file, .configuration("\(key.rawValue) must be a string"))
    }

    /// A number setting, or nil when absent; anything else is an error naming the key.
    static func number(_ settings: [String: Any], _ key: PACSPeer.CodingKeys, file: String) throws(PACSError) -> Double? {
        guard let value = settings[key.rawValue] else { return nil }
        if let number = value as? Int { return Double(number) }
        if let number = value as? Double { return number }
        throw PACSError(peer: file, .configuration("\(key.rawValue) must be a number"))
    }

    private static func describe(_ error: YamlError) -> String {
        let text = "\(error)"
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}

extension PACSPeer {
    /// A peer from a configuration file (nil: none) overridden by the values given (nil: not given). Defaults
    /// fill what neither gives, except host, port and called AE, which are required.
    public static func resolve(file: String?, host: String?, port: Int?, calledAE: String?, callingAE: String?,
                               connectTimeout: Int?, associationTimeout: Int?, messageTimeout: Int?,
                               retries: Int?) throws(PACSError) -> PACSPeer {
        let settings = try file.map { path throws(PACSError) in try PACSConfigurationFile.read(path: path) } ?? [:]
        let source = file ?? "PACS settings"
        func text(_ key: CodingKeys) throws(PACSError) -> String? {
            try PACSConfigurationFile.string(settings, key, file: source)
        }
        func integer(_ key: CodingKeys) throws(PACSError) -> Int? {
            guard let value = try PACSConfigurationFile.number(settings, key, file: source) else { return nil }
            guard value == value.rounded(), abs(value) < 1e9 else {
                throw PACSError(peer: source, .configuration("\(key.rawValue) must be a whole number"))
            }
            return Int(value)
        }
        let fileHost = try text(.host), filePort = try integer(.port), fileCalledAE = try text(.calledAE)
        guard let host = host ?? fileHost else {
            throw PACSError(peer: source, .configuration("no host: give --host or host in --config"))
        }
        guard let port = port ?? filePort else {
            throw PACSError(peer: source, .configuration("no port: give --port or port in --config"))
        }
        guard (1...65535).contains(port) else {
            throw PACSError(peer: source, .configuration("the port must be 1–65535, not \(port)"))
        }
        guard let calledAE = calledAE ?? fileCalledAE else {
            throw PACSError(peer: source, .configuration("no AE title of the PACS: give --called-ae or called_ae in --config"))
        }
        var peer = PACSPeer(host: host, port: UInt16(port), calledAE: calledAE)
        let fileCallingAE = try text(.callingAE), fileConnect = try integer(.connectTimeout)
        let fileAssociation = try integer(.associationTimeout), fileMessage = try integer(.messageTimeout)
        let fileRetries = try integer(.retries)
        if let value = callingAE ?? fileCallingAE { peer.callingAE = value }
        if let value = connectTimeout ?? fileConnect { peer.connectTimeout = value }
        if let value = associationTimeout ?? fileAssociation { peer.associationTimeout = value }
        if let value = messageTimeout ?? fileMessage { peer.messageTimeout = value }
        if let value = retries ?? fileRetries { peer.retries = value }
        if let value = try PACSConfigurationFile.number(settings, .retryDelay, file: source) { peer.retryDelay = value }
        try peer.validate()
        return peer
    }
}
