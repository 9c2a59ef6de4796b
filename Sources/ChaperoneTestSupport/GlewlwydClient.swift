import Foundation

/// A confidential client registered at the test authority.
public struct GlewlwydClient: Sendable {
    public enum Authentication: String, Sendable {
        case basic = "client_secret_basic"
        case post = "client_secret_post"
    }

    public let id: String
    public let secret: String
    public let authentication: Authentication

    /// A client as the authority knows it, or, with a wrong secret, as an impostor presents it.
    public init(id: String, secret: String, authentication: Authentication) {
        self.id = id
        self.secret = secret
        self.authentication = authentication
    }

    /// The header or form fields that authenticate this client, with `fields` after them.
    public func authenticating(_ fields: [(String, String)])
        -> (headers: [String], fields: [(String, String)])
    {
        switch authentication {
        case .basic:
            // Glewlwyd compares the Basic credentials without form-decoding them first (RFC 6749
            // 2.3.1 says to encode them): a secret with reserved characters only works raw.
            // Generated secrets are unreserved, so both readings agree.
            let credentials = Data("\(id):\(secret)".utf8).base64EncodedString()
            return (["Authorization: Basic \(credentials)"], fields)
        case .post:
            return ([], [("client_id", id), ("client_secret", secret)] + fields)
        }
    }
}
