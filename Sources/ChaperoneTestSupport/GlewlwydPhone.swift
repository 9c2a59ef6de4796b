import Foundation

/// A CIBA request waiting for the user, as Glewlwyd lists it on the user's side. It carries
/// no `auth_req_id`: tests tell requests apart by their binding message.
public struct PendingApproval: Sendable {
    public let clientID: String
    public let userRequestID: String
    public let bindingMessage: String?
    public let scopes: [String]
    public let connectURI: String
    public let cancelURI: String
}

/// The user's phone, played by a test: logged in with the user's password, it grants clients
/// their scopes and approves or denies the CIBA requests waiting for the user.
public final class GlewlwydPhone: Sendable {
    public let username: String
    private let baseURL: String
    private let pluginName: String
    private let cookie: String

    init(baseURL: String, pluginName: String, username: String, password: String) throws {
        self.baseURL = baseURL
        self.pluginName = pluginName
        self.username = username
        let response = try HTTPClient.sendJSON(baseURL + "/api/auth/",
                                               ["username": username, "password": password])
        guard response.status == 200, let session = response.cookies.first else {
            throw TestFailure("Glewlwyd login as \(username) answered \(response.status)")
        }
        cookie = "Cookie: " + session
    }

    /// Consents to `client` receiving `scopes`. Without consent an approval still succeeds,
    /// but the token then carries only `openid`.
    public func grant(_ client: GlewlwydClient, scopes: [String]) throws {
        let response = try HTTPClient.sendJSON(
            baseURL + "/api/auth/grant/" + HTTPClient.formEscaped(client.id), method: "PUT",
            ["scope": scopes.joined(separator: " ")], headers: [cookie])
        guard response.status == 200 else {
            throw TestFailure("grant to \(client.id) answered \(response.status): \(response.text)")
        }
    }

    /// The requests waiting for this user, newest first, from every client.
    public func pendingRequests() throws -> [PendingApproval] {
        let response = try HTTPClient.request(
            baseURL + "/api/\(pluginName)/ciba_user_list", headers: [cookie])
        let list = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]
        guard response.status == 200, let list else {
            throw TestFailure("ciba_user_list answered \(response.status): \(response.text)")
        }
        return list.map { entry in
            PendingApproval(
                clientID: entry["client_id"] as? String ?? "",
                userRequestID: entry["user_req_id"] as? String ?? "",
                bindingMessage: entry["binding_message"] as? String,
                scopes: entry["scopes"] as? [String] ?? [],
                connectURI: entry["connect_uri"] as? String ?? "",
                cancelURI: entry["cancel_uri"] as? String ?? "")
        }
    }

    /// Waits until a request with `bindingMessage` is pending, polling every 20 ms.
    public func waitForRequest(bindingMessage: String, timeout: Double = 10) throws
        -> PendingApproval
    {
        try poll("a CIBA request for \(username) reading \"\(bindingMessage)\"", timeout: timeout) {
            try pendingRequests().first { $0.bindingMessage == bindingMessage }
        }
    }

    /// Approves: Glewlwyd answers the connect URI with a redirect whose query says
    /// `ciba_message=complete`.
    public func approve(_ request: PendingApproval) throws {
        try answer(request.connectURI + "&g_continue", expecting: "complete")
    }

    /// Denies: the cancel URI's redirect says `ciba_message=cancelled`, and the client's next
    /// poll gets `access_denied`.
    public func deny(_ request: PendingApproval) throws {
        try answer(request.cancelURI, expecting: "cancelled")
    }

    @discardableResult
    public func approve(bindingMessage: String, timeout: Double = 10) throws -> PendingApproval {
        let request = try waitForRequest(bindingMessage: bindingMessage, timeout: timeout)
        try approve(request)
        return request
    }

    @discardableResult
    public func deny(bindingMessage: String, timeout: Double = 10) throws -> PendingApproval {
        let request = try waitForRequest(bindingMessage: bindingMessage, timeout: timeout)
        try deny(request)
        return request
    }

    private func answer(_ uri: String, expecting outcome: String) throws {
        let response = try HTTPClient.request(uri, headers: [cookie])
        let location = response.header("Location") ?? ""
        let message = URLComponents(string: location)?.queryItems?
            .first { $0.name == "ciba_message" }?.value
        guard response.status == 302, message == outcome else {
            throw TestFailure("\(username)'s answer expected ciba_message=\(outcome), got "
                + "\(response.status) \(location)")
        }
    }
}
