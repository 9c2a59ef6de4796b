import Foundation

/// A real token issuer for tests (Tests/ChaperoneEndToEndTests/Fixtures/issuer.py): keys
/// and a JWKS endpoint served by Python's http.server, tokens minted by PyJWT, so what
/// Chaperone verifies was produced by code it shares nothing with.
public final class TestIssuer: @unchecked Sendable {
    public static let issuer = "https://issuer.test/"
    public static let audience = "https://chaperone.test"
    /// The client the issuer's token endpoint knows, for exchange mode.
    public static let clientID = "chaperone"
    public static let clientSecret = "s3cret+/&=:x"

    private let server: FixtureServer
    public var port: Int { server.port }

    public init() throws {
        server = try FixtureServer("issuer.py")
    }

    public var jwksURL: String { "http://127.0.0.1:\(port)/jwks.json" }

    /// An `identity` section trusting this issuer; `extra` lines are added to it.
    public func identitySection(_ extra: String = "") -> String {
        var lines = [
            "identity:",
            "  issuer: \(Self.issuer)",
            "  jwks_url: \(jwksURL)",
            "  audience: \(Self.audience)",
        ]
        lines += extra.split(separator: "\n").map { "  " + $0 }
        return lines.joined(separator: "\n")
    }

    /// A token for `claims` (merged over iss, aud, iat and exp five minutes ahead; a
    /// claim set to NSNull is left out), signed with key `kid`.
    public func mint(_ claims: [String: Any], alg: String = "RS256", kid: String = "rsa-1",
                     header: [String: Any] = [:]) throws -> String
    {
        let request: [String: Any] = ["claims": claims, "alg": alg, "kid": kid,
                                      "header": header]
        return try post("/mint", request).text
    }

    /// A token for user `user` acting through agent `agent` (RFC 8693 `act`).
    public func token(user: String = "alice", agent: String? = "agent-1",
                      profile: String? = "ai_agent", scope: String? = "read",
                      extra: [String: Any] = [:]) throws -> String
    {
        var claims: [String: Any] = ["sub": user]
        if let agent {
            var actor: [String: Any] = ["sub": agent]
            if let profile { actor["sub_profile"] = profile }
            claims["act"] = actor
        }
        if let scope { claims["scope"] = scope }
        claims.merge(extra) { $1 }
        return try mint(claims)
    }

    public func addKey(kid: String, kty: String = "RSA", publish: Bool) throws {
        _ = try post("/keys", ["kid": kid, "kty": kty, "publish": publish])
    }

    public func publish(kid: String, _ published: Bool = true) throws {
        _ = try post("/publish", ["kid": kid, "published": published])
    }

    public func outage(_ on: Bool) throws { _ = try post("/outage", ["on": on]) }

    public var tokenURL: String { "http://127.0.0.1:\(port)/token" }

    /// How the token endpoint behaves: "ok", "fail" (500) or "slow" (a second's wait).
    public func exchangeMode(_ mode: String) throws { _ = try post("/exchange-mode", ["mode": mode]) }

    /// Exchanges so far, and the last request's client authentication ("basic" or "post")
    /// and form field names.
    public func exchanges() throws -> (count: Int, auth: String?, fields: [String]) {
        let answer = try HTTPClient.request("http://127.0.0.1:\(port)/__exchanges").json
        let last = answer["last"] as? [String: Any]
        return (answer["count"] as? Int ?? -1, last?["auth"] as? String,
                last?["fields"] as? [String] ?? [])
    }

    /// How many times the key set was fetched so far.
    public func fetches() throws -> Int {
        Int(try HTTPClient.request("http://127.0.0.1:\(port)/__fetches").text) ?? -1
    }

    private func post(_ path: String, _ body: [String: Any]) throws -> HTTPResponse {
        let data = try JSONSerialization.data(withJSONObject: body)
        let response = try HTTPClient.request("http://127.0.0.1:\(port)\(path)", method: "POST",
                                              headers: ["Content-Type: application/json"],
                                              body: Array(data))
        guard response.status == 200 else {
            throw TestFailure("issuer \(path) answered \(response.status): \(response.text)")
        }
        return response
    }
}
