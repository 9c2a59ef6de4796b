import ChaperoneVault
import Testing

@testable import ChaperoneConfig

/// A base64 vault key, the raw bytes it stands for, and secrets for the vault's tests.
let vaultKeyBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
let vaultKeyRaw = (0..<32).map { UInt8($0) }

let vaultSecrets = SecretSource(
    environment: {
        ["GH_SECRET": "gh-s3cret", "GH_ID": "Iv1.abc", "VAULT_KEY": vaultKeyBase64,
         "SHORT_KEY": "c2hvcnQ="][$0]
    },
    readFile: { path in
        switch path {
        case "keys/vault.key": .success(Array((vaultKeyBase64 + "\n").utf8))
        case ".chaperone/vault.key": .success(vaultKeyRaw)
        case "conf/.chaperone/vault.key": .success(vaultKeyRaw)
        case "keys/short.key": .success(Array("not a key at all\n".utf8))
        default: .failure(FileReadError("No such file or directory"))
        }
    }
)

/// Loads with the vault's secrets; `file` sets the directory relative paths start from.
func loadVault(_ text: String, file: String = "proxy.yaml", secrets: SecretSource = vaultSecrets,
               requiresVault: Bool = false) throws(ConfigErrors) -> Configuration
{
    try ConfigLoader(secrets: secrets, defaultWorkers: 2, requiresVault: requiresVault)
        .load(text: Array(text.utf8), file: file)
}

func vaultErrors(_ text: String, secrets: SecretSource = vaultSecrets,
                 requiresVault: Bool = false) -> [String]
{
    do {
        _ = try loadVault(text, secrets: secrets, requiresVault: requiresVault)
        return []
    } catch {
        return error.problems.filter { $0.severity == .error }.map(\.description)
    }
}

/// An identity section, which a route that takes its credential from the vault needs;
/// appended last so that it moves no position the tests expect.
let vaultIdentity = """
    identity:
      issuer: https://i.example/
      jwks_url: https://i.example/jwks
      audience: chaperone

    """

/// Secrets without any vault key file.
let secretsWithoutKeys = SecretSource(
    environment: vaultSecrets.environment,
    readFile: { _ in .failure(FileReadError("No such file or directory")) }
)

@Suite struct VaultConfigTests {
    static let github = """
        version: 1
        connections:
          github:
            token_url: https://github.com/login/oauth/access_token
            client_id: Iv1.abc
            client_secret: {env: GH_SECRET}

        """

    static let route = """
        routes:
          - name: r
            path: /a/**
            upstream: http://127.0.0.1:1

        """

    @Test func everyKeyBecomesSettings() throws {
        let config = try loadVault("""
            version: 1
            identity:
              issuer: https://tenant.example.com/
              jwks_url: https://tenant.example.com/.well-known/jwks.json
              audience: https://chaperone.local
            vault:
              store: sqlite:data/grants.db
              key: {env: VAULT_KEY}
            connections:
              github:
                token_url: https://github.com/login/oauth/access_token
                client_id: {env: GH_ID}
                client_secret: {env: GH_SECRET}
                auth: post
                connect_url: https://chaperone.example.com/connect/github?from=agent
                scopes: [repo, read:org]
                max_ttl: 10m
              google:
                kind: auth0_token_vault
                token_url: https://tenant.example.com/oauth/token
                connection: google-oauth2
                subject_token: incoming
                client_id: chaperone
                client_secret: {env: GH_SECRET}

            """ + Self.route + """
                connection: github
                inject: {header: x-token, format: "token {token}"}
              - name: s
                path: /b/**
                upstream: http://127.0.0.1:1
                connection: google
                credential: vault

            """, file: "conf/proxy.yaml")
        #expect(config.vault.store == .sqlite(path: "conf/data/grants.db"))
        #expect(config.vault.keySource == .environment("VAULT_KEY"))
        #expect(config.vault.key?.id == (try VaultKey(parsing: vaultKeyRaw)).id)
        #expect(config.vault.isConfigured)

        let github = try #require(config.connection(named: "github"))
        #expect(github.kind == .refreshToken)
        #expect(github.tokenURL.description == "https://github.com/login/oauth/access_token")
        #expect(github.clientID == "Iv1.abc")
        #expect(github.clientSecret.reveal() == "gh-s3cret")
        #expect(github.authentication == .post)
        #expect(github.connectURL == "https://chaperone.example.com/connect/github?from=agent")
        #expect(github.scopes == ["repo", "read:org"])
        #expect(github.maxTTL == .seconds(600))
        #expect(github.storesGrants)
        let google = try #require(config.connection(named: "google"))
        #expect(google.kind == .auth0TokenVault(connection: "google-oauth2",
                                                subjectToken: .incoming))
        #expect(google.authentication == .basic)
        #expect(!google.storesGrants)

        #expect(config.routes[0].credential == nil)
        #expect(config.routes[0].vaultCredential == VaultCredential(
            connection: "github", header: "x-token", format: "token {token}"))
        #expect(config.routes[1].vaultCredential == VaultCredential(
            connection: "google", header: "Authorization", format: "Bearer {token}"))
        #expect(config.warnings.isEmpty)
    }

    @Test func withoutAVaultSectionTheDefaultsApplyBesideTheFile() throws {
        let config = try loadVault(Self.github + Self.route + "    connection: github\n"
                                       + vaultIdentity, file: "conf/proxy.yaml")
        #expect(config.vault.store == .sqlite(path: "conf/.chaperone/vault.db"))
        #expect(config.vault.keySource == .file("conf/.chaperone/vault.key"))
        #expect(config.vault.key?.id == (try VaultKey(parsing: vaultKeyRaw)).id)
        #expect(!config.vault.isConfigured)
    }

    @Test func theDefaultKeyNeedNotExistUntilSomethingUsesTheVault() throws {
        let unused = try loadVault(Self.github + Self.route, secrets: secretsWithoutKeys)
        #expect(unused.vault.key == nil)
        #expect(unused.connections.count == 1)

        // Static credentials and a connection that keeps nothing in the vault need no key.
        _ = try loadVault("""
            version: 1
            identity:
              issuer: https://i.example/
              jwks_url: https://i.example/jwks
              audience: chaperone
            connections:
              google:
                kind: auth0_token_vault
                token_url: https://i.example/oauth/token
                connection: google-oauth2
                subject_token: incoming
                client_id: chaperone
                client_secret: {env: GH_SECRET}

            """ + Self.route + "    connection: google\n", secrets: secretsWithoutKeys)

        #expect(vaultErrors(Self.github + Self.route + "    connection: github\n"
                                + vaultIdentity, secrets: secretsWithoutKeys) == [
            "proxy.yaml:11:17: vault.key: cannot read .chaperone/vault.key (the default vault "
                + "key, which routes[0] needs): No such file or directory",
        ])
        #expect(vaultErrors(Self.github, secrets: secretsWithoutKeys, requiresVault: true) == [
            "proxy.yaml:1:1: vault.key: cannot read .chaperone/vault.key (the default vault "
                + "key): No such file or directory",
        ])
    }

    @Test func secretsAndKeysNeverPrint() throws {
        let config = try loadVault(Self.github + "vault: {key: {file: keys/vault.key}}\n")
        let github = try #require(config.connection(named: "github"))
        #expect(!String(reflecting: github).contains("gh-s3cret"))
        #expect(!String(reflecting: config.vault).contains("AAEC"))
        let problems = vaultErrors(Self.github + "vault: {key: {env: SHORT_KEY}}\n")
            + vaultErrors(Self.github + "vault: {key: {file: keys/short.key}}\n")
        #expect(problems.count == 2)
        #expect(!problems.contains { $0.contains("c2hvcnQ") || $0.contains("not a key") })
    }
}

@Suite struct BrokenVaultConfigTests {
    static let github = VaultConfigTests.github
    static let route = VaultConfigTests.route

    @Test(arguments: [
        // vault
        ("version: 1\nvault: {store: 'postgres://chaperone:pw@db/vault'}\n", [
            "proxy.yaml:2:16: vault.store: PostgreSQL vaults are not supported by this build "
                + "yet: use sqlite:PATH",
        ]),
        ("version: 1\nvault: {store: 'mysql://db/vault', key: {env: VAULT_KEY}}\n", [
            "proxy.yaml:2:16: vault.store: expected sqlite:PATH, such as "
                + "sqlite:.chaperone/vault.db",
        ]),
        ("version: 1\nvault: {store: 'sqlite:', key: {env: VAULT_KEY}}\n", [
            "proxy.yaml:2:16: vault.store: sqlite: needs the path of a file, such as "
                + "sqlite:.chaperone/vault.db",
        ]),
        ("version: 1\nvault:\n  key: {env: NO_SUCH_KEY}\n  stores: x\n", [
            "proxy.yaml:3:14: vault.key.env: environment variable NO_SUCH_KEY is not set",
            "proxy.yaml:4:3: vault.stores: unknown key 'stores' (did you mean 'store'?)",
        ]),
        ("version: 1\nvault: {key: {env: SHORT_KEY}}\n", [
            "proxy.yaml:2:20: vault.key.env: environment variable SHORT_KEY holds 8 bytes, "
                + "neither a raw 32-byte key nor base64 of one (create a key with: openssl "
                + "rand -base64 32)",
        ]),
        ("version: 1\nvault: {key: {file: keys/short.key}}\n", [
            "proxy.yaml:2:21: vault.key.file: file keys/short.key holds 17 bytes, neither a "
                + "raw 32-byte key nor base64 of one (create a key with: openssl rand -base64 "
                + "32)",
        ]),
        ("version: 1\nvault: {key: {file: keys/missing.key}}\n", [
            "proxy.yaml:2:21: vault.key.file: cannot read keys/missing.key: No such file or "
                + "directory",
        ]),
        ("version: 1\nvault: {key: sk-inline}\n", [
            "proxy.yaml:2:14: vault.key: a secret is {env: NAME} or {file: PATH}, never "
                + "written inline",
        ]),
        ("version: 1\nvault: sqlite:x.db\n", [
            "proxy.yaml:2:8: vault: expected a mapping, found a scalar",
        ]),
        // connections
        ("version: 1\nconnections: [github]\n", [
            "proxy.yaml:2:14: connections: expected a mapping from connection names to their "
                + "settings, found a list",
        ]),
        ("version: 1\nconnections:\n  github:\n", [
            "proxy.yaml:3:10: connections.github: expected a mapping, found nothing",
        ]),
        ("version: 1\nconnections:\n  git hub: {}\n", [
            "proxy.yaml:3:3: connections.git hub: a connection name must be 1 to 64 letters, "
                + "digits, '-', '_' or '.'",
            "proxy.yaml:3:12: connections.git hub.token_url: is required",
            "proxy.yaml:3:12: connections.git hub.client_id: is required",
            "proxy.yaml:3:12: connections.git hub.client_secret: is required",
        ]),
        (github + "    auth: client_secret_basic\n    scopes: [repo, 'a b']\n"
            + "    max_ttl: forever\n    connect_url: /connect\n    tokn_url: x\n", [
            "proxy.yaml:7:11: connections.github.auth: expected basic or post",
            "proxy.yaml:8:20: connections.github.scopes[1]: must be visible ASCII without "
                + "spaces, quotes or backslashes",
            "proxy.yaml:9:14: connections.github.max_ttl: expected a duration such as 500ms, "
                + "30s, 5m or 1h",
            "proxy.yaml:10:18: connections.github.connect_url: expected an absolute http or "
                + "https URL without spaces or quotes",
            "proxy.yaml:11:5: connections.github.tokn_url: unknown key 'tokn_url' (did you "
                + "mean 'token_url'?)",
        ]),
        ("version: 1\nconnections:\n  g:\n    token_url: ftp://x\n    client_id: ''\n"
            + "    client_secret: {env: NOPE}\n    ca_file: missing.pem\n", [
            "proxy.yaml:4:16: connections.g.token_url: scheme must be http or https, not 'ftp'",
            "proxy.yaml:5:16: connections.g.client_id: must not be empty",
            "proxy.yaml:6:26: connections.g.client_secret.env: environment variable NOPE is "
                + "not set",
            "proxy.yaml:7:14: connections.g.ca_file: cannot read missing.pem: No such file or "
                + "directory",
        ]),
        (github + "    connection: google-oauth2\n    subject_token: vault\n", [
            "proxy.yaml:7:17: connections.github.connection: only for kind: auth0_token_vault",
            "proxy.yaml:8:20: connections.github.subject_token: only for kind: "
                + "auth0_token_vault",
        ]),
        (github + "    login_hint: '{sub}'\n", [
            "proxy.yaml:7:17: connections.github.login_hint: only for kind: auth0_token_vault",
        ]),
        (github + "    kind: auth0\n", [
            "proxy.yaml:7:11: connections.github.kind: expected refresh_token or "
                + "auth0_token_vault",
        ]),
        (github + "    kind: auth0_token_vault\n", [
            "proxy.yaml:4:5: connections.github.connection: is required for kind: "
                + "auth0_token_vault (the connection at Auth0, such as google-oauth2)",
        ]),
        (github + "    kind: auth0_token_vault\n    connection: g\n    subject_token: incoming\n", [
            "proxy.yaml:9:20: connections.github.subject_token: incoming needs an identity "
                + "section: without one the caller's token is never verified",
        ]),
        (github + "    kind: auth0_token_vault\n    connection: g\n    subject_token: refresh\n", [
            "proxy.yaml:9:20: connections.github.subject_token: expected vault or incoming",
        ]),
        // routes that use them
        (github + route + "    connection: gitlab\n", [
            "proxy.yaml:11:17: routes[0].connection: no connection named 'gitlab' "
                + "(connections: github)",
        ]),
        ("version: 1\n" + route + "    connection: github\n", [
            "proxy.yaml:6:17: routes[0].connection: no connection named 'github' (there is no "
                + "connections section)",
        ]),
        (github + route + "    credential: vault\n", [
            "proxy.yaml:11:17: routes[0].credential: needs the route's connection: the vault "
                + "keeps one grant per user and connection",
        ]),
        (github + route + "    credential: approval\n", [
            "proxy.yaml:11:17: routes[0].credential: forwards the token an approval returns, "
                + "but the route has no approval section",
        ]),
        (github + route + "    credential: {static: {env: GH_SECRET}}\n    connection: github\n", [
            "proxy.yaml:12:17: routes[0].connection: a route with credential {static: ...} "
                + "takes no connection: remove one of them",
        ]),
        (github + route + "    credential: [vault]\n", [
            "proxy.yaml:11:17: routes[0].credential: expected vault, approval, {static: {env: "
                + "NAME}} or {static: {file: PATH}}",
        ]),
        (github + route + "    connection: github\n", [
            "proxy.yaml:11:17: routes[0].connection: a route that takes its credential from "
                + "the vault needs an identity section, to know which user calls",
        ]),
        (github + route + "    connection: github\n    authenticate: false\n" + vaultIdentity, [
            "proxy.yaml:11:17: routes[0].connection: a route that takes its credential from "
                + "the vault must authenticate its callers: remove authenticate: false",
        ]),
        (github + route + "    connection: github\n    inject: {header: Host}\n"
            + vaultIdentity, [
            "proxy.yaml:12:22: routes[0].inject.header: 'Host' is managed by the proxy and "
                + "cannot carry a credential",
        ]),
    ])
    func brokenFilesReportEveryProblemWithPosition(text: String, expected: [String]) {
        #expect(vaultErrors(text) == expected)
    }
}
