import Foundation
import Synchronization

/// Glewlwyd's administration API, used as the schema's default administrator.
public final class GlewlwydAdmin: Sendable {
    public static let username = "admin"
    public static let password = "password"

    private let baseURL: String
    private let cookie = Mutex("")

    init(baseURL: String) throws {
        self.baseURL = baseURL
        try logIn()
    }

    /// Sends `body` (JSON) to `/api/PATH` and throws unless Glewlwyd answers 200.
    @discardableResult
    public func send(_ method: String, _ path: String, _ body: Any? = nil) throws -> HTTPResponse {
        var response = try attempt(method, path, body)
        if response.status == 401 {
            // The admin scope asks for the password again after ten minutes (password_max_age
            // 600 in the schema): a long test run logs in anew.
            try logIn()
            response = try attempt(method, path, body)
        }
        guard response.status == 200 else {
            throw TestFailure("Glewlwyd admin \(method) /api/\(path) answered "
                + "\(response.status): \(response.text)")
        }
        return response
    }

    public func addScope(_ name: String) throws {
        try send("POST", "scope/", [
            "name": name, "display_name": name, "description": "Test scope \(name)",
            "password_required": false, "password_max_age": 0, "scheme": [String: Any](),
        ])
    }

    public func addUser(_ name: String, password: String, scopes: [String]) throws {
        try send("POST", "user/", [
            "username": name, "password": password, "name": name,
            "email": "\(name)@example.test", "enabled": true, "scope": scopes,
        ])
    }

    /// A confidential client allowed the code, refresh_token and CIBA (poll mode) grants.
    public func addClient(_ client: GlewlwydClient) throws {
        try send("POST", "client/", [
            "client_id": client.id, "client_secret": client.secret, "name": client.id,
            "enabled": true, "confidential": true,
            "token_endpoint_auth_method": [client.authentication.rawValue],
            "authorization_type": ["code", "refresh_token", "urn:openid:params:grant-type:ciba"],
            "backchannel_token_delivery_mode": "poll",
            "redirect_uri": ["http://127.0.0.1/callback"], "scope": [String](),
        ])
    }

    private func logIn() throws {
        let response = try HTTPClient.sendJSON(
            baseURL + "/api/auth/", ["username": Self.username, "password": Self.password])
        guard response.status == 200, let session = response.cookies.first else {
            throw TestFailure("Glewlwyd admin login answered \(response.status)")
        }
        cookie.withLock { $0 = session }
    }

    private func attempt(_ method: String, _ path: String, _ body: Any?) throws -> HTTPResponse {
        let url = baseURL + "/api/" + path
        let session = "Cookie: " + cookie.withLock { $0 }
        guard let body else {
            return try HTTPClient.request(url, method: method, headers: [session])
        }
        return try HTTPClient.sendJSON(url, method: method, body, headers: [session])
    }
}
