import ChaperoneAudit
import ChaperoneConfig
import ChaperoneIdentity

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
        let name = "the development issuer's key"
        do throws(AuditFailure) {
            if let key = try SigningKeyFile.read(path, named: name) {
                return DevelopmentIssuer(key: key)
            }
            return DevelopmentIssuer(key: try SigningKeyFile.create(path, named: name))
        } catch {
            throw ServerError(error.description)
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
            + Self.keyID + #"","x":""# + Base64URL.encode(key.publicKey.bytes) + #""}]}"#
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
        let input = Base64URL.encode(header.bytes) + "." + Base64URL.encode(claims.bytes)
        do {
            return input + "." + Base64URL.encode(try key.sign(Array(input.utf8)))
        } catch {
            throw ServerError("the development issuer could not sign: \(error)")
        }
    }
}
