import ChaperoneRouting
import Testing

@testable import ChaperoneConfig

/// Secrets for tests: a fixed environment and a fixed set of files.
let testSecrets = SecretSource(
    environment: { ["OPENAI_API_KEY": "sk-test-123", "EMPTY": "", "BROKEN": "a\r\nb"][$0] },
    readFile: { path in
        switch path {
        case "keys/anthropic.key": .success(Array("ak-456\n".utf8))
        default: .failure(FileReadError("No such file or directory"))
        }
    }
)

func load(_ text: String) throws(ConfigErrors) -> Configuration {
    try ConfigLoader(secrets: testSecrets, defaultWorkers: 2)
        .load(text: Array(text.utf8), file: "proxy.yaml")
}

/// The error lines for a configuration, warnings left out.
func errors(_ text: String) -> [String] {
    do {
        _ = try load(text)
        return []
    } catch {
        return error.problems.filter { $0.severity == .error }.map(\.description)
    }
}

@Suite struct ConfigLoaderTests {
    static let valid = """
        version: 1
        listen: 127.0.0.1:8080
        workers: 2
        admin:
          listen: 127.0.0.1:9090
        limits:
          header_bytes: 32KiB
          body_bytes: 1MiB
          connections: 500
          idle_timeout: 30s
          request_timeout: 1m
        routes:
          - name: chat
            methods: [POST]
            path: /openai/v1/**
            upstream: https://api.openai.com/
            strip_prefix: /openai
            credential: {static: {env: OPENAI_API_KEY}}
          - name: messages
            methods: [GET, POST]
            path: /anthropic/v1/{endpoint}
            host: Agents.Local
            upstream: http://127.0.0.1:8081/base
            strip_prefix: /anthropic
            timeout: 1500ms
            strip_headers: [X-Debug-Token]
            credential: {static: {file: keys/anthropic.key}}
            inject: {header: x-api-key, format: "{token}"}
        """

    @Test func validFileBecomesDomainValues() throws {
        let config = try load(Self.valid)
        #expect(config.listen.description == "127.0.0.1:8080")
        #expect(config.admin?.description == "127.0.0.1:9090")
        #expect(config.workers == 2)
        #expect(config.limits == Limits(headerBytes: 32 << 10, bodyBytes: 1 << 20,
                                        connections: 500, idleTimeout: .seconds(30),
                                        requestTimeout: .seconds(60),
                                        drainTimeout: .seconds(30)))
        let chat = config.routes[0]
        #expect(chat.upstream.description == "https://api.openai.com")
        #expect(chat.strippedSegments == 1)
        #expect(chat.timeout == .seconds(30))
        #expect(chat.credential?.header == "Authorization")
        #expect(chat.credential?.value.reveal() == "Bearer sk-test-123")
        let messages = config.routes[1]
        #expect(messages.host == "agents.local")
        #expect(messages.upstream.description == "http://127.0.0.1:8081/base")
        #expect(messages.timeout == .milliseconds(1500))
        #expect(messages.methods.contains(.head))
        #expect(messages.stripHeaders == ["x-debug-token"])
        #expect(messages.credential?.header == "x-api-key")
        #expect(messages.credential?.value.reveal() == "ak-456")
        #expect(config.warnings.map(\.keyPath) == ["identity"])
    }

    @Test func defaultsApplyWhenKeysAreAbsent() throws {
        let config = try load("version: 1\nroutes: []\n")
        #expect(config.listen.description == "127.0.0.1:8080")
        #expect(config.admin == nil)
        #expect(config.workers == 2)
        #expect(config.limits == .defaults)
        #expect(config.warnings.map(\.keyPath) == ["identity", "routes"])
    }

    @Test func secretsNeverPrint() throws {
        let config = try load(Self.valid)
        let credential = try #require(config.routes[0].credential)
        #expect("\(credential.value)" == "<redacted>")
        #expect(String(reflecting: credential.value) == "<redacted>")
        #expect(!String(reflecting: credential).contains("sk-test"))
        #expect(!"\(config.routes[0])".contains("sk-test"))
    }

    static let route = """
        version: 1
        routes:
          - name: r
            path: /a/**
            upstream: http://127.0.0.1:1

        """

    @Test(arguments: [
        ("", ["proxy.yaml:1:1: the file is empty"]),
        ("version: 1\nroutes: [\n", [
            "proxy.yaml:3:1: did not find expected node content while parsing a flow node",
        ]),
        ("version: 1\nversion: 1\n", ["proxy.yaml:2:1: duplicate key 'version'"]),
        ("a: &x 1\nb: *x\n", ["proxy.yaml:2:4: YAML aliases (*name) are not supported"]),
        ("- 1\n", ["proxy.yaml:1:1: expected a mapping, found a list"]),
        ("listen: 127.0.0.1:8080\n", ["proxy.yaml:1:1: version: is required and must be 1"]),
        ("version: 2\n", [
            "proxy.yaml:1:10: version: unsupported version '2': this Chaperone reads 1",
        ]),
        ("version: 1\nlisten: 8080\nlimts: {}\n", [
            "proxy.yaml:2:9: listen: expected IP:PORT such as 127.0.0.1:8080 or [::1]:8080",
            "proxy.yaml:3:1: limts: unknown key 'limts' (did you mean 'limits'?)",
        ]),
        ("version: 1\nadmin: {listen: 0.0.0.0:9090}\n", [
            "proxy.yaml:2:17: admin.listen: the admin listener must be on a loopback address",
        ]),
        ("version: 1\nlimits:\n  body_bytes: lots\n  idle_timeout: 10\n  connections: -1\n", [
            "proxy.yaml:3:15: limits.body_bytes: expected a size such as 65536, 64KiB or 10MiB",
            "proxy.yaml:4:17: limits.idle_timeout: expected a duration such as 500ms, 30s, 5m "
                + "or 1h",
            "proxy.yaml:5:16: limits.connections: expected a whole number from 1 to 1000000",
        ]),
        ("version: 1\nlimits: {header_bytes: 2MiB, request_timeout: 0s}\n", [
            "proxy.yaml:2:24: limits.header_bytes: must be from 1024 to 1048576 bytes",
            "proxy.yaml:2:47: limits.request_timeout: must be from 1s to 24h",
        ]),
        ("version: 1\nroutes: {}\n", ["proxy.yaml:2:9: routes: expected a list, found a mapping"]),
        ("version: 1\nroutes:\n  - {}\n", [
            "proxy.yaml:3:5: routes[0].name: is required",
            "proxy.yaml:3:5: routes[0].path: is required",
            "proxy.yaml:3:5: routes[0].upstream: is required",
        ]),
        (route + "    methods: [get, BREW]\n", [
            "proxy.yaml:6:15: routes[0].methods[0]: unknown method 'get' (methods are "
                + "upper-case, such as GET or POST)",
            "proxy.yaml:6:20: routes[0].methods[1]: unknown method 'BREW' (methods are "
                + "upper-case, such as GET or POST)",
        ]),
        (route + "    methods: GET\n", [
            "proxy.yaml:6:14: routes[0].methods: expected a list, found a scalar",
        ]),
        (route + "    timeout: soon\n    tiemout: 1s\n", [
            "proxy.yaml:6:14: routes[0].timeout: expected a duration such as 500ms, 30s, 5m "
                + "or 1h",
            "proxy.yaml:7:5: routes[0].tiemout: unknown key 'tiemout' (did you mean 'timeout'?)",
        ]),
        (route + "    strip_prefix: /b\n", [
            "proxy.yaml:6:19: routes[0].strip_prefix: '/b' is not a prefix of the route's path "
                + "'/a/**'",
        ]),
        (route + "    host: api.local:80\n", [
            "proxy.yaml:6:11: routes[0].host: expected a host name without port, such as "
                + "api.local",
        ]),
        ("version: 1\nroutes:\n  - {name: r, path: 'a/{x}', upstream: 'ftp://x'}\n", [
            "proxy.yaml:3:21: routes[0].path: must start with '/'",
            "proxy.yaml:3:40: routes[0].upstream: scheme must be http or https, not 'ftp'",
        ]),
        ("version: 1\nroutes:\n  - {name: r, path: /x, upstream: 'http://u:p@h/?q'}\n", [
            "proxy.yaml:3:35: routes[0].upstream: must not carry a user name",
        ]),
        (route + "    credential: {static: sk-inline}\n", [
            "proxy.yaml:6:26: routes[0].credential.static: a secret is {env: NAME} or "
                + "{file: PATH}, never written inline",
        ]),
        (route + "    credential: sk-inline\n", [
            "proxy.yaml:6:17: routes[0].credential: expected vault, approval, {static: {env: "
                + "NAME}} or {static: {file: PATH}}",
        ]),
        (route + "    credential: {static: {env: MISSING}}\n", [
            "proxy.yaml:6:32: routes[0].credential.static.env: environment variable MISSING "
                + "is not set",
        ]),
        (route + "    credential: {static: {env: EMPTY}}\n", [
            "proxy.yaml:6:32: routes[0].credential.static.env: the secret is empty",
        ]),
        (route + "    credential: {static: {env: BROKEN}}\n", [
            "proxy.yaml:6:32: routes[0].credential.static.env: the secret has a line break or "
                + "control character, which a header cannot carry",
        ]),
        (route + "    credential: {static: {file: nope.key}}\n", [
            "proxy.yaml:6:33: routes[0].credential.static.file: cannot read nope.key: No such "
                + "file or directory",
        ]),
        (route + "    credential: {static: {env: A, file: b}}\n", [
            "proxy.yaml:6:26: routes[0].credential.static: a secret needs exactly one of env "
                + "or file",
        ]),
        (route + "    credential: {static: {env: OPENAI_API_KEY}}\n"
            + "    inject: {header: Host, format: 'Key {token} {token}'}\n", [
            "proxy.yaml:7:22: routes[0].inject.header: 'Host' is managed by the proxy and "
                + "cannot carry a credential",
            "proxy.yaml:7:36: routes[0].inject.format: must contain {token} exactly once",
        ]),
        (route + "    inject: {header: x-api-key}\n", [
            "proxy.yaml:6:13: routes[0].inject: needs a credential to inject",
        ]),
        (route + "  - {name: r, path: /b, upstream: 'http://h'}\n", [
            "proxy.yaml:6:12: routes[1].name: duplicate route name 'r' (first at line 3)",
        ]),
        (route + "  - {name: s, path: '/a/**', upstream: 'http://h', methods: [GET]}\n", [
            "proxy.yaml:6:5: routes[1]: route 's' overlaps route 'r' (line 3): same path shape, "
                + "host and a method in common, so neither is more specific",
        ]),
    ])
    func brokenFilesReportEveryProblemWithPosition(text: String, expected: [String]) {
        #expect(errors(text) == expected)
    }

    /// The repository's proxy.yaml is the demo's: it is valid once the files that
    /// ./scripts/run writes before serving it exist (Chaperone's client at the demo's
    /// authority, the vault key), and names exactly those files until then.
    @Test func exampleConfigurationIsValidWithTheDemoState() throws {
        let path = packageRoot() + "/proxy.yaml"
        let state = [
            "/.chaperone/demo/client-id": "chaperone\n",
            "/.chaperone/demo/client-secret": "w0Qk3ZLr8sTq1VbN6yXe2HdJ9fPa4MuC\n",
            "/.chaperone/vault.key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        ]
        let withState = SecretSource(environment: { _ in nil }, readFile: { file in
            guard let entry = state.first(where: { file.hasSuffix($0.key) }) else {
                return .failure(FileReadError("No such file or directory"))
            }
            return .success(Array(entry.value.utf8))
        })
        let config = try ConfigLoader(secrets: withState, defaultWorkers: 2).load(path: path)
        #expect(config.development)
        #expect(config.routes.map(\.name) == ["read-messages", "send-message", "purchase"])

        let before = SecretSource(environment: { _ in nil }, readFile: { _ in
            .failure(FileReadError("No such file or directory"))
        })
        let problems = try #require(throws: ConfigErrors.self) {
            try ConfigLoader(secrets: before, defaultWorkers: 2).load(path: path)
        }.problems.filter { $0.severity == .error }
        #expect(!problems.isEmpty)
        #expect(problems.allSatisfy { $0.message.hasPrefix("cannot read ")
            && $0.message.contains("/.chaperone/") })
    }
}

/// The package directory, found from this source file's path.
func packageRoot(file: String = #filePath) -> String {
    var parts = file.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}
