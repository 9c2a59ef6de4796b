import ChaperoneConfig
import ChaperoneIdentity
import COpenSSL

/// The approval authority as the event loops use it: where to send, how the client
/// authenticates, and the forms of a backchannel request and of a poll. Built once per
/// configuration.
final class ApprovalRuntime: Sendable {
    let settings: ApprovalSettings
    let backchannelURL: String
    let tokenURL: String
    /// Extra header lines of every call: the client's Basic credentials, when it uses them.
    let headers: [String]

    static let cibaGrantType = "urn:openid:params:grant-type:ciba"

    init(_ settings: ApprovalSettings) {
        self.settings = settings
        backchannelURL = settings.backchannelURL.description
        tokenURL = settings.tokenURL.description
        var headers = ["Content-Type: application/x-www-form-urlencoded",
                       "Accept: application/json"]
        if settings.authentication == .basic {
            headers.append("Authorization: " + OAuthForm.basicCredentials(
                clientID: settings.clientID, secret: settings.clientSecret.reveal()))
        }
        self.headers = headers
    }

    /// What one backchannel request asks (OpenID CIBA Core §7.1).
    struct Question {
        var scopes: [String]
        var loginHint: String
        var bindingMessage: String
        var audience: String?
        /// Seconds.
        var requestedExpiry: Int
        /// RFC 9396 `authorization_details`, JSON; nil sends none.
        var authorizationDetails: String?
    }

    /// The form body; it may hold the client secret, so the sender wipes it.
    func backchannelForm(_ question: Question) -> [UInt8] {
        var form = OAuthForm.encode([
            ("scope", (["openid"] + question.scopes.filter { $0 != "openid" })
                .joined(separator: " ")),
            ("login_hint", question.loginHint),
            ("binding_message", question.bindingMessage),
            ("requested_expiry", String(question.requestedExpiry)),
        ])
        if let audience = question.audience {
            OAuthForm.append("audience", text: audience, to: &form)
        }
        if let details = question.authorizationDetails {
            OAuthForm.append("authorization_details", text: details, to: &form)
        }
        return authenticated(form)
    }

    /// A poll of the token endpoint for the CIBA grant (§10.1).
    func pollForm(authReqID: String) -> [UInt8] {
        authenticated(OAuthForm.encode([("grant_type", Self.cibaGrantType),
                                        ("auth_req_id", authReqID)]))
    }

    private func authenticated(_ form: [UInt8]) -> [UInt8] {
        guard settings.authentication == .post else { return form }
        var form = form
        OAuthForm.append("client_id", text: settings.clientID, to: &form)
        OAuthForm.append("client_secret", text: settings.clientSecret.reveal(), to: &form)
        return form
    }

    /// The verified user as the authority knows them. Values are JSON-escaped wherever
    /// they go, so a subject cannot change the hint's structure.
    func loginHint(for caller: VerifiedToken) -> String {
        var json = JSONText(capacity: 128)
        switch settings.loginHint {
        case .subject:
            return caller.subject
        case .issuerAndSubject:
            json.beginObject()
            json.field("format", "iss_sub")
            json.field("iss", caller.issuer)
            json.field("sub", caller.subject)
            json.endObject()
        case .template(let pieces):
            for piece in pieces {
                switch piece {
                case .literal(let text): json.raw(text)
                case .subject: json.escaped(caller.subject)
                case .issuer: json.escaped(caller.issuer)
                }
            }
        }
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// RFC 9396 details of the exact request held: method, upstream URL, route and the
    /// SHA-256 of the body.
    func authorizationDetails(method: String, url: String, route: String,
                              body: UnsafeRawBufferPointer) -> String?
    {
        guard let type = settings.authorizationDetailsType else { return nil }
        var json = JSONText(capacity: 256 + url.utf8.count)
        json.raw("[")
        json.beginObject()
        json.field("type", type)
        json.field("method", method)
        json.field("url", url)
        json.field("route", route)
        json.field("body_sha256", Self.sha256Hex(body))
        json.endObject()
        json.raw("]")
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        // An empty body has no base address; EVP_Digest wants a pointer even for no bytes.
        let empty: [UInt8] = [0]
        empty.withUnsafeBytes { fallback in
            _ = EVP_Digest(bytes.baseAddress ?? fallback.baseAddress, bytes.count, &digest,
                           &length, EVP_sha256(), nil)
        }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
