/// The wire format of an RFC 8693 token exchange at an OAuth token endpoint: the request
/// form and the reading of the answer. Sending it is the caller's business.
public enum TokenExchange {
    public static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
    public static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    /// What the endpoint said.
    public enum Outcome: Sendable, Equatable {
        /// The issued token's text.
        case issued([UInt8])
        /// The endpoint refused the subject token (`invalid_grant`, `invalid_request`,
        /// `invalid_token`): the caller's fault. The error code is quoted, never the token.
        case refused(String)
        /// Anything else: the endpoint or Chaperone's own client registration failed.
        case failed(String)
    }

    /// Reads the endpoint's answer: a 200 with an `access_token`, or an OAuth error
    /// (RFC 6749 §5.2).
    public static func outcome(status: Int, body: [UInt8]) -> Outcome {
        switch TokenResponse.read(status: status, body: body) {
        case .issued(let issued):
            return .issued(issued.accessToken)
        case .malformed(let reason, _):
            return .failed(reason)
        case .error(let code, let status):
            switch code {
            case "invalid_grant", "invalid_request", "invalid_token":
                return .refused("the token endpoint refused the presented token (\(code))")
            default:
                return .failed("the token endpoint answered \(status) (\(code))")
            }
        }
    }
}
