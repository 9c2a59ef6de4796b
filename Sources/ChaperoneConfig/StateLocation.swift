/// Where a store of Chaperone's own state lives: the vault's and the audit log's.
public enum StateStore: Sendable, Equatable {
    /// An SQLite file, its path resolved against the configuration's directory.
    case sqlite(path: String)
}

/// Where a key (the vault's, the audit log's signing key) is read from, for messages: never
/// the key itself.
public enum KeySource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case environment(String)

    public var description: String {
        switch self {
        case .file(let path): "file \(path)"
        case .environment(let name): "environment variable \(name)"
        }
    }
}
