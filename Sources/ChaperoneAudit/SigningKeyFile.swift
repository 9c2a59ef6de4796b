import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Where the log's signing key comes from.
public enum AuditSigningKeySource: Sendable {
    /// A key already read, from the file or environment variable the configuration names.
    case key(AuditSigningKey)
    /// The key in this file, which the log generates (mode 0600, its directory 0700) when
    /// the file does not exist and the store has no checkpoint yet, so the embedded
    /// defaults need no set-up. A store that already has checkpoints is never given a
    /// new key silently: their signatures would stop proving anything.
    case generatedIfMissing(path: String)
}

/// Reads and writes the PEM file of a generated Ed25519 key: the audit log's signing key,
/// and the development issuer's. `name` says which in every error ("the audit signing
/// key").
public enum SigningKeyFile {
    /// The key in the file at `path`, or nil when the file does not exist.
    public static func read(_ path: String, named name: String) throws(AuditFailure)
        -> AuditSigningKey?
    {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw .signingKey("cannot read \(name) \(path): \(errorText())")
        }
        defer { close(descriptor) }
        var pem: [UInt8] = []
        defer { pem.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { chunk.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress,
                                                                  $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                throw .signingKey("cannot read \(name) \(path): \(errorText())")
            }
            if count == 0 { break }
            pem.append(contentsOf: chunk[0..<count])
            guard pem.count <= 64 << 10 else {
                throw .signingKey("\(name) \(path) is too large for a key")
            }
        }
        do {
            return try AuditSigningKey(pem: pem)
        } catch {
            throw .signingKey("\(name) \(path) \(error)")
        }
    }

    /// Generates a key and writes it to a new file at `path`; when another process
    /// created the file first, reads that one instead.
    public static func create(_ path: String, named name: String) throws(AuditFailure)
        -> AuditSigningKey
    {
        try SQLiteDatabase.makeDirectory(containing: path)
        let key = try AuditSigningKey.generate()
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor < 0, errno == EEXIST, let existing = try read(path, named: name) {
            return existing
        }
        guard descriptor >= 0 else {
            throw .signingKey("cannot create \(name) \(path): \(errorText())")
        }
        defer { close(descriptor) }
        var pem = try key.pem()
        defer { pem.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        var written = 0
        while written < pem.count {
            let count = pem[written...].withUnsafeBytes { write(descriptor, $0.baseAddress,
                                                                $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let reason = errorText()
                unlink(path)
                throw .signingKey("cannot write \(name) \(path): \(reason)")
            }
            written += count
        }
        guard fsync(descriptor) == 0 else {
            let reason = errorText()
            unlink(path)
            throw .signingKey("cannot write \(name) \(path): \(reason)")
        }
        return key
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
