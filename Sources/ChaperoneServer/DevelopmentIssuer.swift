import COpenSSL
import ChaperoneAudit
import ChaperoneConfig
import ChaperoneVault
#if canImport(Glibc)
import Glibc
#endif

/// A token issuer for trying Chaperone on one machine without an identity provider:
/// `chaperone dev token` mints on-behalf-of tokens with its Ed25519 key, and in development
/// mode (`development: true`) the admin listener publishes the key at `/dev/jwks.json` for
/// the `identity` section to verify them against. Outside development mode neither exists.
///
/// The key is the audit log's Ed25519 key type, kept in `.chaperone/dev-issuer.pem`
/// beside the configuration (mode 0600), made on first use.
public final class DevelopmentIssuer: Sendable {
    public static let issuer = "chaperone-dev"
    public static let keyID = "chaperone-dev-1"
    public static let jwksPath = "/dev/jwks.json"

    private let key: AuditSigningKey
    /// The JSON Web Key Set with the public key.
    public let jwks: String

    /// Reads the key for `configuration`, or makes it. Throws a sentence saying why not.
    public static func open(_ configuration: Configuration) throws(ServerError)
        -> DevelopmentIssuer
    {
        let path = keyPath(configuration)
        do {
            if let pem = try readFile(path) {
                var bytes = pem
                defer { bytes.wipe() }
                return DevelopmentIssuer(key: try AuditSigningKey(pem: bytes))
            }
            let key = try AuditSigningKey.generate()
            var pem = try key.pem()
            defer { pem.wipe() }
            try writeNewFile(path, pem)
            return DevelopmentIssuer(key: key)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError("the development issuer's key \(path) is unusable: \(error)")
        }
    }

    public static func keyPath(_ configuration: Configuration) -> String {
        let file = configuration.file
        let directory = file.contains("/") ? String(file[..<file.lastIndex(of: "/")!]) : "."
        return directory + "/.chaperone/dev-issuer.pem"
    }

    private init(key: AuditSigningKey) {
        self.key = key
        jwks = #"{"keys":[{"kty":"OKP","crv":"Ed25519","use":"sig","alg":"EdDSA","kid":""#
            + Self.keyID + #"","x":""# + Self.base64URL(key.publicKey.bytes) + #""}]}"#
    }

    /// An on-behalf-of token: `user` as the subject, `agent` as the current actor.
    public func token(user: String, agent: String?, profile: String, scope: String?,
                      audience: String, lifetime: Int64, now: Int64) throws(ServerError)
        -> String
    {
        var header = JSONText(capacity: 64)
        header.beginObject()
        header.field("alg", "EdDSA")
        header.field("typ", "at+jwt")
        header.field("kid", Self.keyID)
        header.endObject()
        var claims = JSONText(capacity: 256)
        claims.beginObject()
        claims.field("iss", Self.issuer)
        claims.field("sub", user)
        claims.field("aud", audience)
        claims.field("iat", now)
        claims.field("exp", now + lifetime)
        claims.field("client_id", Self.issuer)
        if let scope { claims.field("scope", scope) }
        if let agent {
            claims.raw(#","act":"#)
            claims.beginObject()
            claims.field("sub", agent)
            claims.field("sub_profile", profile)
            claims.endObject()
        }
        claims.endObject()
        let input = Self.base64URL(header.bytes) + "." + Self.base64URL(claims.bytes)
        do {
            return input + "." + Self.base64URL(try key.sign(Array(input.utf8)))
        } catch {
            throw ServerError("the development issuer could not sign: \(error)")
        }
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        var encoded = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let length = Int(EVP_EncodeBlock(&encoded, bytes, Int32(bytes.count)))
        return String(decoding: encoded.prefix(length).compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: byte
            }
        }, as: UTF8.self)
    }

    private static func readFile(_ path: String) throws(ServerError) -> [UInt8]? {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw ServerError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 16 << 10)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { throw ServerError("cannot read \(path)") }
        return Array(bytes.prefix(count))
    }

    private static func writeNewFile(_ path: String, _ bytes: [UInt8]) throws(ServerError) {
        let directory = String(path[..<path.lastIndex(of: "/")!])
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw ServerError("cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        let descriptor = Glibc.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ServerError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw ServerError("cannot write \(path)")
        }
    }
}
