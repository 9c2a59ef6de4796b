import ChaperoneIdentity
import ChaperoneTestSupport
import Foundation
import Testing

/// Tokens, key sets and rules minted by PyJWT (`Fixtures/mint_tokens.py`), once per run.
/// None of them is made by the code under test.
struct MintedTokens: Sendable {
    /// The fixed time every case is verified at.
    let now: Int64
    let keySets: [String: JSONWebKeySet]
    let keySetTexts: [String: String]
    let cases: [MintedCase]
    /// Where the tokens' `jku` and `x5u` point.
    let trap: FetchTrap

    static func shared() throws -> MintedTokens { try loaded.get() }

    private static let loaded = Result { try MintedTokens() }

    private init() throws {
        trap = try FetchTrap()
        let directory = try TemporaryDirectory()
        let script = packageRoot + "/Tests/ChaperoneIdentityTests/Fixtures/mint_tokens.py"
        // Debian's interpreter: python3-jwt and python3-cryptography live there, whatever
        // python3 comes first on the PATH.
        let process = try TestProcess("/usr/bin/python3", [script, trap.url],
                                      directory: directory, name: "mint")
        guard process.waitForExit(timeout: 120) == 0 else {
            throw TestFailure("mint_tokens.py failed:\n\(process.stderr)")
        }
        let output = try Data(contentsOf: URL(fileURLWithPath: process.stdoutPath))
        guard let document = try JSONSerialization.jsonObject(with: output) as? [String: Any],
              let now = document["now"] as? Int64,
              let texts = document["key_sets"] as? [String: String],
              let rules = document["rules"] as? [String: Any],
              let cases = document["cases"] as? [[String: Any]]
        else { throw TestFailure("mint_tokens.py printed an unexpected document") }

        self.now = now
        keySetTexts = texts
        keySets = try texts.mapValues { try JSONWebKeySet(json: $0) }
        self.cases = try cases.map { try MintedCase($0, baseRules: rules) }
    }
}

/// One minted token and what verifying it must give.
struct MintedCase: Sendable, CustomTestStringConvertible {
    let name: String
    let token: String
    /// "ok", or the `TokenFailure.code` the verifier must report.
    let expect: String
    let why: String
    let rules: TokenRules
    let keySet: String
    let check: ExpectedClaims?

    var testDescription: String { name }

    init(_ fields: [String: Any], baseRules: [String: Any]) throws {
        guard let name = fields["name"] as? String, let token = fields["token"] as? String,
              let expect = fields["expect"] as? String, let why = fields["why"] as? String
        else { throw TestFailure("a minted case lacks name, token, expect or why: \(fields)") }
        self.name = name
        self.token = token
        self.expect = expect
        self.why = why
        let overrides = fields["rules"] as? [String: Any] ?? [:]
        rules = try Self.rules(baseRules.merging(overrides) { $1 })
        keySet = fields["key_set"] as? String ?? "main"
        check = (fields["check"] as? [String: Any]).map(ExpectedClaims.init)
    }

    private static func rules(_ fields: [String: Any]) throws -> TokenRules {
        guard let issuer = fields["issuer"] as? String,
              let audience = fields["audience"] as? String,
              let names = fields["algorithms"] as? [String],
              let leeway = fields["leeway"] as? Int64,
              let actorRequired = fields["actor_required"] as? Bool,
              let maxActorDepth = fields["max_actor_depth"] as? Int,
              let maxTokenBytes = fields["max_token_bytes"] as? Int
        else { throw TestFailure("unexpected rules: \(fields)") }
        let algorithms = try names.map { name in
            guard let algorithm = JWSAlgorithm(rawValue: name) else {
                throw TestFailure("unknown algorithm \(name) in rules")
            }
            return algorithm
        }
        return TokenRules(
            issuer: issuer, audience: audience, algorithms: Set(algorithms),
            leewaySeconds: leeway, requiredType: fields["required_type"] as? String,
            actorRequired: actorRequired, maxActorDepth: maxActorDepth,
            maxTokenBytes: maxTokenBytes)
    }
}

/// Claims a verified token must carry; nil fields are not checked.
struct ExpectedClaims: Sendable {
    var algorithm: String?
    var keyID: String?
    var subject: String?
    var audiences: [String]?
    var scopes: Set<String>?
    var clientID: String?
    var expiresAt: Int64?
    var actors: [Actor]?

    init(_ fields: [String: Any]) {
        algorithm = fields["alg"] as? String
        keyID = fields["kid"] as? String
        subject = fields["subject"] as? String
        audiences = fields["audiences"] as? [String]
        scopes = (fields["scopes"] as? [String]).map(Set.init)
        clientID = fields["client_id"] as? String
        expiresAt = fields["expires_at"] as? Int64
        actors = (fields["actors"] as? [[Any]])?.map { pair in
            Actor(subject: pair[0] as? String ?? "", profile: pair[1] as? String)
        }
    }
}

/// A listening socket on loopback that nothing may ever connect to.
final class FetchTrap: Sendable {
    let descriptor: Int32
    let url: String

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw TestFailure("could not listen on loopback: errno \(errno)")
        }
        self.descriptor = descriptor
        url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/EVIL"
    }

    deinit { close(descriptor) }

    /// True when a connection is waiting to be accepted.
    var wasContacted: Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0
    }
}
