import ChaperoneIdentity
import Testing

@testable import ChaperoneConfig

@Suite struct IdentityConfigTests {
    static let identity = """
        version: 1
        identity:
          issuer: https://tenant.example.com/
          jwks_url: https://tenant.example.com/.well-known/jwks.json
          audience: https://chaperone.local

        """

    static let route = """
        routes:
          - name: r
            path: /a/**
            upstream: http://127.0.0.1:1

        """

    @Test func identitySectionBecomesSettingsWithDefaults() throws {
        let config = try load(Self.identity + Self.route)
        let identity = try #require(config.identity)
        #expect(identity.issuer == "https://tenant.example.com/")
        #expect(identity.jwksURL.description == "https://tenant.example.com/.well-known/jwks.json")
        #expect(identity.algorithms == [.rs256, .es256, .edDSA])
        #expect(identity.leeway == .seconds(30))
        #expect(identity.jwksCacheLifetime == .seconds(600))
        #expect(identity.jwksMaxStale == .seconds(3_600))
        #expect(identity.maxActorDepth == 5)
        #expect(!identity.actorRequired)
        #expect(config.routes[0].policy.authenticate)
        #expect(!config.warnings.contains { $0.description.contains("identity") })
    }

    @Test func everyKeyIsRead() throws {
        let config = try load(Self.identity + """
              algorithms: [PS256, ES384]
              leeway: 5s
              require_typ: at+jwt
              jwks_cache: 1m
              jwks_max_stale: 0s
              max_token_bytes: 8KiB
              token_cache: 100
              actor: {required: true, max_depth: 2}

            """ + Self.route + """
                authenticate: true
                actors: [agent-1, agent-2]
                actor_profiles: [ai_agent]
                scopes: [mail.read]

            """)
        let identity = try #require(config.identity)
        #expect(identity.algorithms == [.ps256, .es384])
        #expect(identity.rules.leewaySeconds == 5)
        #expect(identity.requiredType == "at+jwt")
        #expect(identity.jwksCacheLifetime == .seconds(60))
        #expect(identity.jwksMaxStale == .zero)
        #expect(identity.maxTokenBytes == 8 << 10)
        #expect(identity.tokenCacheEntries == 100)
        #expect(identity.actorRequired && identity.maxActorDepth == 2)
        #expect(config.routes[0].policy == RoutePolicy(
            authenticate: true, actors: ["agent-1", "agent-2"], actorProfiles: ["ai_agent"],
            scopes: ["mail.read"]))
    }

    @Test(arguments: [
        ("version: 1\nidentity: {}\n", [
            "proxy.yaml:2:11: identity.issuer: is required",
            "proxy.yaml:2:11: identity.audience: is required",
            "proxy.yaml:2:11: identity.jwks_url: is required",
        ]),
        (identity + "  algorithms: [RS256, none, HS256]\n", [
            "proxy.yaml:6:23: identity.algorithms[1]: unsupported algorithm 'none' (supported: "
                + "RS256, RS384, RS512, PS256, ES256, ES384, EdDSA; 'none' and HMAC never are)",
            "proxy.yaml:6:29: identity.algorithms[2]: unsupported algorithm 'HS256' (supported: "
                + "RS256, RS384, RS512, PS256, ES256, ES384, EdDSA; 'none' and HMAC never are)",
        ]),
        (identity + "  algorithms: []\n", [
            "proxy.yaml:6:15: identity.algorithms: must name at least one algorithm",
        ]),
        (identity + "  jwks_cache: 0s\n  leeway: 1h\n  actor: {required: yes, depth: 3}\n", [
            "proxy.yaml:6:15: identity.jwks_cache: must be from 1s to 24h",
            "proxy.yaml:7:11: identity.leeway: must be from 0s to 5m",
            "proxy.yaml:8:21: identity.actor.required: expected true or false",
            "proxy.yaml:8:26: identity.actor.depth: unknown key 'depth'",
        ]),
        (identity + "  exchange: {token_url: 'https://x', auth_method: jwt, "
            + "client_secret: {env: MISSING}, actor_token: {file: nope.jwt}}\n", [
            "proxy.yaml:6:13: identity.exchange.client_id: is required",
            "proxy.yaml:6:51: identity.exchange.auth_method: expected client_secret_basic or "
                + "client_secret_post",
            "proxy.yaml:6:77: identity.exchange.client_secret.env: environment variable "
                + "MISSING is not set",
            "proxy.yaml:6:107: identity.exchange.actor_token.file: cannot read nope.jwt: No "
                + "such file or directory",
        ]),
        ("version: 1\nidentity: {issuer: x, audience: y, jwks_url: 'ftp://k'}\n", [
            "proxy.yaml:2:46: identity.jwks_url: scheme must be http or https, not 'ftp'",
        ]),
        ("version: 1\n" + route + "    scopes: [read]\n", [
            "proxy.yaml:6:13: routes[0].scopes: cannot be enforced: there is no identity "
                + "section, so callers are not authenticated",
        ]),
        ("version: 1\n" + route + "    authenticate: true\n", [
            "proxy.yaml:6:19: routes[0].authenticate: authenticate: true needs an identity "
                + "section",
        ]),
        (identity + route + "    authenticate: false\n    actors: [a]\n", [
            "proxy.yaml:11:13: routes[0].actors: cannot be enforced: the route says "
                + "authenticate: false, so there is no caller to check",
        ]),
        (identity + route + "    scopes: ['a b', 'say\"hi']\n    actor_profiles: []\n", [
            "proxy.yaml:10:14: routes[0].scopes[0]: must be visible ASCII without spaces, "
                + "quotes or backslashes",
            "proxy.yaml:10:21: routes[0].scopes[1]: must be visible ASCII without spaces, "
                + "quotes or backslashes",
            "proxy.yaml:11:21: routes[0].actor_profiles: must not be empty (leave the key out "
                + "to allow any)",
        ]),
    ])
    func brokenIdentityReportsEveryProblemWithPosition(text: String, expected: [String]) {
        #expect(errors(text) == expected)
    }

    @Test func exchangeSettingsWithDefaults() throws {
        let config = try load(Self.identity + """
              exchange:
                token_url: https://tenant.example.com/oauth/token
                client_id: chaperone
                client_secret: {env: OPENAI_API_KEY}
                actor_token: {file: keys/anthropic.key}

            """ + Self.route)
        let exchange = try #require(config.identity?.exchange)
        #expect(exchange.tokenURL.description == "https://tenant.example.com/oauth/token")
        #expect(exchange.clientID == "chaperone")
        #expect(exchange.clientSecret.reveal() == "sk-test-123")
        #expect(exchange.authentication == .basic)
        #expect(exchange.audience == "https://chaperone.local")
        #expect(exchange.scope == nil)
        #expect(exchange.actorToken == .file("keys/anthropic.key"))
        #expect(exchange.actorTokenType == "urn:ietf:params:oauth:token-type:jwt")
        #expect(exchange.timeout == .seconds(10))
    }

    @Test func plainHTTPKeysAreAWarningUnlessLocal() throws {
        let remote = try load("version: 1\nidentity: {issuer: i, audience: a, "
            + "jwks_url: 'http://keys.example.com/jwks'}\n" + Self.route)
        #expect(remote.warnings.contains { $0.description.contains("use https") })
        let local = try load("version: 1\nidentity: {issuer: i, audience: a, "
            + "jwks_url: 'http://127.0.0.1:9/jwks'}\n" + Self.route)
        #expect(!local.warnings.contains { $0.description.contains("use https") })
    }
}
