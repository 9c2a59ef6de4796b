/// The errors Chaperone itself answers with, each an RFC 9457 problem with a stable type.
enum ProblemType: Sendable {
    case badRequest
    case invalidToken
    case forbidden
    /// The user said no to the held request.
    case approvalDenied
    /// Nobody approved the held request in time.
    case approvalExpired
    /// No usable stored grant: the user must link (or re-link) the account.
    case consentRequired
    case noRoute
    case bodyTooLarge
    case headersTooLarge
    case upstreamFailed
    case upstreamTimeout
    case unavailable

    var status: UInt32 {
        switch self {
        case .badRequest: 400
        case .invalidToken: 401
        case .forbidden, .approvalDenied, .approvalExpired, .consentRequired: 403
        case .noRoute: 404
        case .bodyTooLarge: 413
        case .headersTooLarge: 431
        case .upstreamFailed: 502
        case .unavailable: 503
        case .upstreamTimeout: 504
        }
    }

    /// The distinct codes, in the order of `metricIndex`.
    static let metricCodes = [
        "bad-request", "invalid-token", "forbidden", "approval-denied", "approval-expired",
        "consent-required", "no-route", "too-large", "upstream-failed", "upstream-timeout",
        "unavailable",
    ]

    /// The position of `code` in `metricCodes`.
    var metricIndex: Int {
        switch self {
        case .badRequest: 0
        case .invalidToken: 1
        case .forbidden: 2
        case .approvalDenied: 3
        case .approvalExpired: 4
        case .consentRequired: 5
        case .noRoute: 6
        case .bodyTooLarge, .headersTooLarge: 7
        case .upstreamFailed: 8
        case .upstreamTimeout: 9
        case .unavailable: 10
        }
    }

    /// The stable code clients match on.
    var code: String {
        switch self {
        case .badRequest: "bad-request"
        case .invalidToken: "invalid-token"
        case .forbidden: "forbidden"
        case .approvalDenied: "approval-denied"
        case .approvalExpired: "approval-expired"
        case .consentRequired: "consent-required"
        case .noRoute: "no-route"
        case .bodyTooLarge, .headersTooLarge: "too-large"
        case .upstreamFailed: "upstream-failed"
        case .upstreamTimeout: "upstream-timeout"
        case .unavailable: "unavailable"
        }
    }

    var title: String {
        switch self {
        case .badRequest: "Bad request"
        case .invalidToken: "Invalid token"
        case .forbidden: "Forbidden"
        case .approvalDenied: "Approval denied"
        case .approvalExpired: "Approval expired"
        case .consentRequired: "Consent required"
        case .noRoute: "No route"
        case .bodyTooLarge: "Request body too large"
        case .headersTooLarge: "Request headers too large"
        case .upstreamFailed: "Upstream failed"
        case .upstreamTimeout: "Upstream timed out"
        case .unavailable: "Unavailable"
        }
    }
}

/// One problem answer: its type and a detail a person can act on. The detail is written
/// by Chaperone from fixed phrases and configuration names, never from header values.
struct Problem: Sendable {
    var type: ProblemType
    var detail: String
    /// Seconds for `Retry-After`, sent with 503.
    var retryAfter: Int?
    /// The `WWW-Authenticate` value (RFC 6750 §3), sent with 401 and a missing scope.
    var challenge: String?
    /// Where the user links the account, sent with `consent-required` as `connect_url`.
    var connectURL: String?

    init(_ type: ProblemType, _ detail: String, retryAfter: Int? = nil,
         challenge: String? = nil, connectURL: String? = nil)
    {
        self.type = type
        self.detail = detail
        self.retryAfter = retryAfter
        self.challenge = challenge
        self.connectURL = connectURL
    }

    func body(requestID: String) -> [UInt8] {
        var json = JSONText(capacity: 192 + detail.utf8.count)
        json.beginObject()
        json.field("type", type.code)
        json.field("title", type.title)
        json.field("status", type.status)
        json.field("detail", detail)
        json.field("request_id", requestID)
        if let connectURL { json.field("connect_url", connectURL) }
        json.endObject()
        return json.bytes
    }
}
