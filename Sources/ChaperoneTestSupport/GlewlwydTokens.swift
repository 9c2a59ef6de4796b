import Foundation

/// A backchannel authentication request Glewlwyd accepted.
public struct BackchannelRequest: Sendable {
    public let authReqID: String
    public let expiresIn: Int
    /// Glewlwyd always says 5 and never answers `slow_down` to faster polling.
    public let interval: Int
}

/// What the token endpoint answered, success or not.
public struct TokenAnswer: Sendable {
    public let status: Int
    public let body: String
    /// The OAuth error code; nil on success, and also for the empty-bodied 400 with which
    /// Glewlwyd refuses a refresh token that was already used.
    public let error: String?
    public let accessToken: String?
    public let refreshToken: String?
    public let expiresIn: Int?
    public let scope: String?

    init(_ response: HTTPResponse) {
        let json = response.json
        status = response.status
        body = response.text
        error = json["error"] as? String
        accessToken = json["access_token"] as? String
        refreshToken = json["refresh_token"] as? String
        expiresIn = json["expires_in"] as? Int
        scope = json["scope"] as? String
    }

    /// The tokens, or a failure saying what was answered instead.
    public func grant() throws -> TokenGrant {
        guard status == 200, let accessToken, let refreshToken, let expiresIn else {
            throw TestFailure("the token endpoint answered \(status): \(body)")
        }
        return TokenGrant(accessToken: accessToken, refreshToken: refreshToken,
                          expiresIn: expiresIn, scope: scope ?? "")
    }
}

/// An access token with the refresh token that came with it.
public struct TokenGrant: Sendable {
    public let accessToken: String
    public let refreshToken: String
    public let expiresIn: Int
    public let scope: String
}
