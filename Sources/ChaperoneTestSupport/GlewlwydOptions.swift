extension Glewlwyd {
    /// How the test authority is set up. The defaults suit most tests.
    public struct Options: Sendable {
        /// Users, each allowed `openid`, `g_profile` and every scope in `scopes`. Glewlwyd
        /// cancels a client's pending CIBA request for a user when the same client starts
        /// another one for that user, so a test holding several approvals at once needs a user
        /// for each.
        public var users = ["alice", "bob", "carol"]
        /// Scopes besides `openid`; every user grants them to every client at start.
        public var scopes = ["read", "write"]
        /// Confidential clients, each allowed the code, refresh_token and CIBA (poll) grants.
        public var clients = [
            ClientSpec(id: "chaperone", authentication: .basic),
            ClientSpec(id: "chaperone-post", authentication: .post),
        ]
        /// Access token lifetime in seconds: short, so a test can see tokens expire.
        public var accessTokenLifetime = 60
        public var refreshTokenLifetime = 3600
        /// CIBA request lifetime in seconds when the client asks for none, and the most it may
        /// ask for (a larger `requested_expiry` is refused with `invalid_request`).
        public var cibaDefaultExpiry = 120
        public var cibaMaximumExpiry = 600
        /// The OIDC plugin's name: its endpoints live under `/api/NAME/`.
        public var pluginName = "oidc"
        /// The package's database schema. Slim images drop /usr/share/doc; the repository's
        /// copy (Sources/ChaperoneTestSupport/Fixtures) stands in when it is missing.
        public var packageSchema = "/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz"
        /// The package's configuration, copied with the listener, URL, log and database changed.
        public var packageConfig = "/etc/glewlwyd/glewlwyd.conf"

        public init() {}
    }

    /// A client to register: its secret is generated per run.
    public struct ClientSpec: Sendable {
        public var id: String
        public var authentication: GlewlwydClient.Authentication

        public init(id: String, authentication: GlewlwydClient.Authentication) {
            self.id = id
            self.authentication = authentication
        }
    }
}
