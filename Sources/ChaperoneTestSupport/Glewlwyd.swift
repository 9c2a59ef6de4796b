import Foundation

/// A real Glewlwyd 2.7.5 authority (the Debian package) on loopback, set up for one test in
/// about a second: a fresh SQLite database, an RSA key generated for the run, the OIDC plugin
/// with CIBA poll mode, RS256 JWT access tokens and one-use refresh tokens, confidential
/// clients, and users who have consented to every client. It stops on `stop()` or when
/// released, and a watchdog ends it if the test runner dies first.
///
///     let glewlwyd = try Glewlwyd()
///     let alice = glewlwyd.user("alice"), client = glewlwyd.client("chaperone")
///     let grant = try glewlwyd.firstGrant(for: alice, client: client)
///     let next = try glewlwyd.oidc.refresh(client: client, refreshToken: grant.refreshToken)
public final class Glewlwyd: Sendable {
    public let options: Options
    public let oidc: GlewlwydOIDC
    public let admin: GlewlwydAdmin
    public let users: [GlewlwydUser]
    public let clients: [GlewlwydClient]
    private let server: GlewlwydServer

    public init(_ options: Options = Options()) throws {
        precondition(!options.clients.isEmpty, "Glewlwyd needs a client to learn the subjects")
        let server = try GlewlwydServer(options)
        let oidc = GlewlwydOIDC(issuer: server.baseURL + "/api/" + options.pluginName)
        let admin = try GlewlwydAdmin(baseURL: server.baseURL)
        for scope in options.scopes { try admin.addScope(scope) }
        let passwords = options.users.map { _ in randomSecret() }
        for (name, password) in zip(options.users, passwords) {
            try admin.addUser(name, password: password,
                              scopes: ["openid", "g_profile"] + options.scopes)
        }
        try admin.addOIDCPlugin(
            name: options.pluginName, issuer: oidc.issuer,
            keyPEM: try String(contentsOfFile: server.keyPath, encoding: .utf8),
            certificatePEM: try String(contentsOfFile: server.certificatePath, encoding: .utf8),
            options: options)
        let clients = options.clients.map {
            GlewlwydClient(id: $0.id, secret: randomSecret(), authentication: $0.authentication)
        }
        for client in clients { try admin.addClient(client) }

        // Each user consents once to every client. Glewlwyd assigns a user's subject when it
        // first issues a token for them, and no API shows it before: a first approval learns it.
        var users: [GlewlwydUser] = []
        for (name, password) in zip(options.users, passwords) {
            let phone = try GlewlwydPhone(baseURL: server.baseURL, pluginName: options.pluginName,
                                          username: name, password: password)
            for client in clients { try phone.grant(client, scopes: ["openid"] + options.scopes) }
            let grant = try oidc.grant(client: clients[0], approvedBy: phone, scope: "openid")
            guard let sub = try UnverifiedJWT(grant.accessToken).claim("sub") else {
                throw TestFailure("Glewlwyd issued \(name) an access token without sub")
            }
            users.append(GlewlwydUser(name: name, password: password, sub: sub))
        }

        self.options = options
        self.server = server
        self.oidc = oidc
        self.admin = admin
        self.clients = clients
        self.users = users
    }

    public var port: Int { server.port }
    public var baseURL: String { server.baseURL }
    public var issuer: String { oidc.issuer }
    public var tokenURL: String { oidc.tokenURL }
    public var backchannelURL: String { oidc.backchannelURL }
    public var jwksURL: String { oidc.jwksURL }
    public var discoveryURL: String { oidc.discoveryURL }

    /// The self-signed certificate of the key that signs this run's tokens (PEM).
    public var certificatePath: String { server.certificatePath }

    /// Glewlwyd's own log, for a failing test to show.
    public var log: String {
        (try? String(contentsOfFile: server.logPath, encoding: .utf8)) ?? ""
    }

    public var isRunning: Bool { server.isRunning }

    public func user(_ name: String) -> GlewlwydUser {
        guard let user = users.first(where: { $0.name == name }) else {
            preconditionFailure("no Glewlwyd user \(name); the options name \(options.users)")
        }
        return user
    }

    public func client(_ id: String) -> GlewlwydClient {
        guard let client = clients.first(where: { $0.id == id }) else {
            preconditionFailure("no Glewlwyd client \(id)")
        }
        return client
    }

    /// A phone for `user`, logged in with a session of its own.
    public func phone(for user: GlewlwydUser) throws -> GlewlwydPhone {
        try GlewlwydPhone(baseURL: baseURL, pluginName: options.pluginName, username: user.name,
                          password: user.password)
    }

    /// The user's first refresh token: a CIBA request as `client`, approved on the user's
    /// phone, then the token endpoint polled. `scope` defaults to `openid` and every scope.
    public func firstGrant(for user: GlewlwydUser, client: GlewlwydClient,
                           scope: String? = nil) throws -> TokenGrant
    {
        let scope = scope ?? (["openid"] + options.scopes).joined(separator: " ")
        return try oidc.grant(client: client, approvedBy: phone(for: user), scope: scope)
    }

    /// Stops Glewlwyd: SIGTERM, then SIGKILL after five seconds. Also done when released.
    public func stop() { server.stop() }
}
