// What an access token costs a request: a full verification per signing algorithm, against
// the SHA-256 and cache lookup that a token already verified costs.
//
// The keys and tokens come from PyJWT (mint.py beside this file, run with Debian's
// /usr/bin/python3 and its python3-jwt and python3-cryptography packages), so that what is
// timed is our verification of tokens our code did not make. Every token must verify before
// anything is timed. One thread does all the work: each event loop of the server verifies on
// its own thread, with its own cache, so per-thread figures are the ones that add up.
//
//     swift run -c release TokenVerificationBenchmark
import BenchmarkSupport
import ChaperoneIdentity
import Foundation

/// One row of the table: a token in mint.py's document, its `alg` and the key that signed it.
let cases: [(name: String, algorithm: String, key: String)] = [
    ("RS256", "RS256", "RSA 2048"),
    ("RS256-3072", "RS256", "RSA 3072"),
    ("PS256", "PS256", "RSA 2048"),
    ("ES256", "ES256", "P-256"),
    ("ES384", "ES384", "P-384"),
    ("EdDSA", "EdDSA", "Ed25519"),
]

/// The python3 on PATH may be another interpreter without PyJWT; Debian's has it.
let python = "/usr/bin/python3"
/// Entries in the cache when lookups are timed: the default `token_cache` of a worker.
let cacheEntries = 10_000
let repetitions = 7
/// Each repetition of one case runs this long, give or take: long enough that the clock's
/// resolution does not matter, short enough that the whole run stays well under a minute.
let repetitionSeconds = 0.2

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}

/// What mint.py printed: the issuer's key set, one token per case, and the agents' tokens
/// that fill the cache.
struct Minted {
    var keySet: JSONWebKeySet
    var tokens: [String: [UInt8]]
    var agentTokens: [[UInt8]]
}

func mint(agentTokens: Int) throws -> Minted {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("mint.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script.path, String(agentTokens)]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    // Read before waiting: the document is megabytes, more than a pipe holds.
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw BenchmarkFailure(description: "\(python) \(script.path) exited with status "
            + "\(process.terminationStatus)")
    }

    guard let document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let jwks = document["jwks"],
          let tokens = document["tokens"] as? [String: String],
          let agents = document["agent_tokens"] as? [String]
    else { throw BenchmarkFailure(description: "mint.py printed an unexpected document") }
    let keySet = try JSONWebKeySet(json: Array(JSONSerialization.data(withJSONObject: jwks)))
    return Minted(keySet: keySet, tokens: tokens.mapValues { Array($0.utf8) },
                  agentTokens: agents.map { Array($0.utf8) })
}

/// Checks that `token` verifies as a token of `algorithm` with its one actor, and returns
/// what the verifier returned, to be cached.
func verifiedOnce(_ token: [UInt8], name: String, algorithm: String, verifier: TokenVerifier,
                  keys: JSONWebKeySet, now: Int64) throws -> VerifiedToken
{
    switch verifier.verify(token, keys: keys, now: now) {
    case .success(let verified):
        guard verified.algorithm.rawValue == algorithm, verified.actors.count == 1 else {
            throw BenchmarkFailure(description: "the \(name) token verified as "
                + "\(verified.algorithm.rawValue) with \(verified.actors.count) actors")
        }
        return verified
    case .failure(let failure):
        var reason = "the \(name) token does not verify: \(failure.code): \(failure.detail)"
        if !keys.skipped.isEmpty { reason += "; keys skipped: \(keys.skipped)" }
        throw BenchmarkFailure(description: reason)
    }
}

/// What the checksum keeps of a result, so that no timed call can be optimised away.
func digestOf(_ token: VerifiedToken) -> Int {
    Int(truncatingIfNeeded: token.expiresAt) &+ token.scopes.count &+ token.actors.count
}

/// Times `count` verifications of one token: nanoseconds per verification, a checksum,
/// and how many failed (which must be none).
@inline(never)
func timeVerifications(_ token: [UInt8], count: Int, verifier: TokenVerifier,
                       keys: JSONWebKeySet, now: Int64)
    -> (nanoseconds: Double, checksum: Int, failures: Int)
{
    var checksum = 0
    var failures = 0
    let elapsed = token.withUnsafeBytes { bytes in
        ContinuousClock().measure {
            for _ in 0..<count {
                switch verifier.verify(bytes, keys: keys, now: now) {
                case .success(let verified): checksum &+= digestOf(verified)
                case .failure: failures += 1
                }
            }
        }
    }
    return (nanoseconds(elapsed) / Double(count), checksum, failures)
}

/// Times `count` cache hits as a request pays them, the SHA-256 of the token's text and
/// the lookup, cycling through `tokens`.
@inline(never)
func timeCachedLookups(_ tokens: [[UInt8]], count: Int, cache: VerifiedTokenCache, now: Int64)
    -> (nanoseconds: Double, checksum: Int, failures: Int)
{
    var checksum = 0
    var failures = 0
    var next = 0
    let elapsed = ContinuousClock().measure {
        for _ in 0..<count {
            let key = tokens[next].withUnsafeBytes { VerifiedTokenCache.Digest(of: $0) }
            if let cached = cache.lookup(key, generation: 1, now: now) {
                checksum &+= digestOf(cached)
            } else {
                failures += 1
            }
            next = next + 1 == tokens.count ? 0 : next + 1
        }
    }
    return (nanoseconds(elapsed) / Double(count), checksum, failures)
}

/// Times `count` lookups alone, with digests computed beforehand, to split the cached cost.
@inline(never)
func timeLookups(_ keys: [VerifiedTokenCache.Digest], count: Int, cache: VerifiedTokenCache,
                 now: Int64) -> (nanoseconds: Double, checksum: Int, failures: Int)
{
    var checksum = 0
    var failures = 0
    var next = 0
    let elapsed = ContinuousClock().measure {
        for _ in 0..<count {
            if let cached = cache.lookup(keys[next], generation: 1, now: now) {
                checksum &+= digestOf(cached)
            } else {
                failures += 1
            }
            next = next + 1 == keys.count ? 0 : next + 1
        }
    }
    return (nanoseconds(elapsed) / Double(count), checksum, failures)
}

/// A timed measurement: the operations per repetition, sized by a warm-up so that a
/// repetition lasts about `repetitionSeconds`, and the nanoseconds per operation of each.
struct Measurement {
    var count = 0
    var samples: [Double] = []
    var medianNanoseconds: Double { median(samples) }
    var perSecond: Int { Int((1e9 / medianNanoseconds).rounded()) }

    /// Warms up with `time` until a tenth of a second has passed, then sizes `count`.
    mutating func calibrate(
        checksum: inout Int,
        _ time: (Int) -> (nanoseconds: Double, checksum: Int, failures: Int)
    ) throws {
        var trial = 8
        var spent = 0.0
        var perOperation = 0.0
        while spent < 1e8 {
            let run = try checked(time(trial), &checksum)
            perOperation = run
            spent += run * Double(trial)
            trial *= 2
        }
        count = max(8, Int(repetitionSeconds * 1e9 / perOperation))
    }

    mutating func timeOnce(
        checksum: inout Int,
        _ time: (Int) -> (nanoseconds: Double, checksum: Int, failures: Int)
    ) throws {
        samples.append(try checked(time(count), &checksum))
    }
}

/// Adds a run's checksum to `checksum` and returns its nanoseconds per operation, or throws
/// if any operation failed: a benchmark that times failures measures nothing.
func checked(_ run: (nanoseconds: Double, checksum: Int, failures: Int), _ checksum: inout Int)
    throws -> Double
{
    guard run.failures == 0 else {
        throw BenchmarkFailure(description: "\(run.failures) operations failed while timed")
    }
    checksum &+= run.checksum
    return run.nanoseconds
}

/// One row of the table: a token, the cost of verifying it and the cost of finding it in
/// the cache instead.
struct Row {
    var algorithm: String
    var key: String
    var token: [UInt8]
    var cold = Measurement()
    var cached = Measurement()
}

func run() throws {
    let minted = try mint(agentTokens: cacheEntries - cases.count)
    let keys = minted.keySet
    // Read after minting, so that no `iat` lies in the future.
    let now = Int64(Date().timeIntervalSince1970)
    let rules = TokenRules(issuer: "https://auth.example.com/",  // as in mint.py
                           audience: "https://chaperone.example.com",
                           algorithms: Set(JWSAlgorithm.allCases))
    let verifier = TokenVerifier(rules: rules)

    // The cache holds what verification returned for every token, as the server's does.
    var cache = VerifiedTokenCache(capacity: cacheEntries, leewaySeconds: rules.leewaySeconds)
    func remember(_ token: [UInt8], name: String, algorithm: String) throws {
        let verified = try verifiedOnce(token, name: name, algorithm: algorithm,
                                        verifier: verifier, keys: keys, now: now)
        cache.insert(verified, for: token.withUnsafeBytes { VerifiedTokenCache.Digest(of: $0) },
                     generation: 1, now: now)
    }
    var rows: [Row] = []
    for (name, algorithm, key) in cases {
        guard let token = minted.tokens[name] else {
            throw BenchmarkFailure(description: "mint.py made no \(name) token")
        }
        try remember(token, name: name, algorithm: algorithm)
        rows.append(Row(algorithm: algorithm, key: key, token: token))
    }
    for (index, token) in minted.agentTokens.enumerated() {
        try remember(token, name: "agent token \(index)", algorithm: "EdDSA")
    }
    guard cache.count == cacheEntries else {
        throw BenchmarkFailure(description: "the cache holds \(cache.count) tokens, "
            + "not \(cacheEntries)")
    }
    let agentDigests = minted.agentTokens.map {
        $0.withUnsafeBytes { VerifiedTokenCache.Digest(of: $0) }
    }

    // Every measurement is sized by its own warm-up, then timed once per repetition in
    // turn, so that a slow spell of a shared machine lands on all of them alike.
    var checksum = 0
    var spread = Measurement()
    var lookupAlone = Measurement()
    func timeSpread(_ count: Int) -> (nanoseconds: Double, checksum: Int, failures: Int) {
        timeCachedLookups(minted.agentTokens, count: count, cache: cache, now: now)
    }
    func timeLookupAlone(_ count: Int) -> (nanoseconds: Double, checksum: Int, failures: Int) {
        timeLookups(agentDigests, count: count, cache: cache, now: now)
    }
    for pass in 0...repetitions {
        for index in rows.indices {
            let token = rows[index].token
            let cold = { timeVerifications(token, count: $0, verifier: verifier, keys: keys,
                                           now: now) }
            let cached = { timeCachedLookups([token], count: $0, cache: cache, now: now) }
            if pass == 0 {
                try rows[index].cold.calibrate(checksum: &checksum, cold)
                try rows[index].cached.calibrate(checksum: &checksum, cached)
            } else {
                try rows[index].cold.timeOnce(checksum: &checksum, cold)
                try rows[index].cached.timeOnce(checksum: &checksum, cached)
            }
        }
        if pass == 0 {
            try spread.calibrate(checksum: &checksum, timeSpread)
            try lookupAlone.calibrate(checksum: &checksum, timeLookupAlone)
        } else {
            try spread.timeOnce(checksum: &checksum, timeSpread)
            try lookupAlone.timeOnce(checksum: &checksum, timeLookupAlone)
        }
    }

    printReport(rows, spread: spread, lookupAlone: lookupAlone,
                agentTokenBytes: minted.agentTokens.reduce(0) { $0 + $1.count }
                    / minted.agentTokens.count)
    print("checksum \(checksum)")
}

func printReport(_ rows: [Row], spread: Measurement, lookupAlone: Measurement,
                 agentTokenBytes: Int)
{
    print("Token verification on one thread, median of \(repetitions) repetitions of about "
        + "\(fixed(repetitionSeconds, 1)) s each")
    print("cold: TokenVerifier.verify; cached: SHA-256 of the token + lookup among "
        + "\(grouped(cacheEntries)) cached tokens")
    print("")
    print(column("alg", 5) + column("key", 10) + column("bytes", 7) + column("cold µs", 9)
        + column("cold/s", 9) + column("cached ns", 11) + column("cached/s", 11)
        + column("cold/cached", 13))
    for row in rows {
        let ratio = row.cold.medianNanoseconds / row.cached.medianNanoseconds
        print(column(row.algorithm, 5) + column(row.key, 10) + column(grouped(row.token.count), 7)
            + column(fixed(row.cold.medianNanoseconds / 1e3, 1), 9)
            + column(grouped(row.cold.perSecond), 9)
            + column(grouped(Int(row.cached.medianNanoseconds.rounded())), 11)
            + column(grouped(row.cached.perSecond), 11)
            + column(fixed(ratio, 0) + "x", 13))
    }
    print("")
    print("cached, cycling through the \(grouped(cacheEntries - rows.count)) agents' tokens "
        + "(\(agentTokenBytes) bytes on average): "
        + "\(grouped(Int(spread.medianNanoseconds.rounded()))) ns,")
    print("  of which the lookup alone, digest computed beforehand: "
        + "\(grouped(Int(lookupAlone.medianNanoseconds.rounded()))) ns")
    print("")
    print("Each event loop verifies on its own thread with its own cache: with N loops, the")
    print("rates above grow up to N times, as far as there are cores to run them.")
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("TokenVerificationBenchmark: \(error)\n".utf8))
    exit(1)
}
