// What one route match costs as the table grows from 10 to 10,000 routes.
//
// The table is a segment trie, so a match should cost about the same whatever the number
// of routes: it follows the length of the path. This prints the figures that show whether
// it does, for the match alone and for normalising the raw target first, as a request does.
//
//     swift run -c release RouteMatchingBenchmark
import BenchmarkSupport
import ChaperoneRouting
#if canImport(Glibc)
import Glibc
#endif

/// The routes each service contributes: ten shapes, mixing literals, `{name}` segments and
/// a trailing `**`, much as an API such as GitHub's is described in a configuration.
let serviceShapes: [(path: String, methods: [HTTPMethod])] = [
    ("/v1/users/{user}", [.get]),
    ("/v1/users/{user}/repos", [.get]),
    ("/v1/repos/{owner}/{repo}", [.get, .patch]),
    ("/v1/repos/{owner}/{repo}/issues", [.get, .post]),
    ("/v1/repos/{owner}/{repo}/issues/{number}", [.get, .patch]),
    ("/v1/repos/{owner}/{repo}/pulls/**", [.get]),
    ("/v1/search/code", [.get]),
    ("/v1/models/{model}/completions", [.post]),
    ("/v1/**", [.get]),
    ("/health", [.get]),
]

let tableSizes = [10, 100, 1_000, 10_000]
let requestCount = 4_096          // distinct request targets, a power of two
let matchesPerRepetition = 65_536
let repetitions = 11

/// SplitMix64: the same routes and requests on every run, without Foundation.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}

/// A request as the server sees it: the raw target from the request line, and the canonical
/// path it normalises to.
struct Request {
    var method: HTTPMethod
    var target: [UInt8]
    var path: NormalizedPath
}

func serviceName(_ index: Int) -> String { "svc\(index)" }

func buildTable(routes: Int) throws -> RouteTable<Int> {
    var definitions: [RouteTable<Int>.Definition] = []
    definitions.reserveCapacity(routes)
    for index in 0..<routes {
        let shape = serviceShapes[index % serviceShapes.count]
        let template = "/\(serviceName(index / serviceShapes.count))\(shape.path)"
        let methods = shape.methods.reduce(into: MethodSet()) { $0.insert(MethodSet($1)) }
        definitions.append(.init(template: try PathTemplate(parsing: template), methods: methods,
                                 host: nil, value: index))
    }
    return try RouteTable(definitions)
}

/// A concrete path for a template: each `{name}` and `**` filled with a plausible value.
func samplePath(_ template: String, _ random: inout SplitMix64) -> String {
    var path = ""
    for segment in template.split(separator: "/") {
        switch segment {
        case "**":
            for _ in 0..<random.below(3) {
                path += "/" + random.pick(["files", "commits", "reviews", "1347", "comments"])
            }
        case "{user}", "{owner}":
            path += "/" + random.pick(["octocat", "alice", "dependabot", "torvalds", "bob-smith"])
        case "{repo}":
            path += "/" + random.pick(["hello-world", "linux", "swift-nio", "chaperone"])
        case "{number}":
            path += "/\(1 + random.below(20_000))"
        case "{model}":
            path += "/" + random.pick(["gpt-4o", "claude-sonnet", "llama-3.1-70b"])
        default:
            path += "/" + segment
        }
    }
    return path
}

/// Requests spread over the first `services` services of the table. About one in eight
/// matches no route: an unknown service, an unknown version, or a method the route refuses.
func makeRequests(services: Int, _ random: inout SplitMix64) throws -> [Request] {
    var requests: [Request] = []
    requests.reserveCapacity(requestCount)
    for _ in 0..<requestCount {
        let shape = random.pick(serviceShapes)
        var service = serviceName(random.below(services))
        var method = shape.methods[0]
        var shapePath = shape.path
        switch random.below(24) {
        case 0: service = serviceName(services + random.below(1_000))
        case 1: shapePath = "/v9/users/{user}"
        case 2: method = .delete
        default: break
        }
        var target = "/\(service)\(samplePath(shapePath, &random))"
        if random.below(4) == 0 { target += "?per_page=100&page=\(random.below(9))" }
        let path = try PathNormalizer.normalize(target: target).path
        requests.append(Request(method: method, target: Array(target.utf8), path: path))
    }
    return requests
}

/// Nanoseconds per request over one repetition, and a checksum that keeps the work alive.
@inline(never)
func timeMatches(_ table: RouteTable<Int>, _ requests: [Request], normalizing: Bool)
    -> (nanoseconds: Double, checksum: Int)
{
    let mask = requests.count - 1
    var checksum = 0
    let elapsed = ContinuousClock().measure {
        for index in 0..<matchesPerRepetition {
            let request = requests[index & mask]
            var path = request.path
            if normalizing {
                guard let target = try? request.target.withUnsafeBufferPointer({
                    (bytes) throws(PathError) in try PathNormalizer.normalize(target: bytes)
                }) else { continue }
                path = target.path
            }
            if let match = table.match(method: request.method, host: nil, path: path) {
                checksum &+= match.value &+ match.parameters.count
            } else {
                checksum &+= 1
            }
        }
    }
    return (nanoseconds(elapsed) / Double(matchesPerRepetition), checksum)
}

/// One table size with what is timed against it. Every size is timed once per repetition,
/// in turn, so that a slow spell of a shared machine lands on all of them alike.
struct SizeCase {
    var routes: Int
    var table: RouteTable<Int>
    var buildMilliseconds: Double
    /// Requests spread over the whole table, and the share of them that matched a route.
    var requests: [Request]
    var matchedShare: Double
    /// Requests on one service only: the part of the trie they touch stays in the CPU caches.
    var oneService: [Request]
    var match: [Double] = []
    var normalizeAndMatch: [Double] = []
    var oneServiceMatch: [Double] = []

    init(routes: Int) throws {
        var random = SplitMix64(state: UInt64(routes))
        let start = ContinuousClock.now
        table = try buildTable(routes: routes)
        buildMilliseconds = nanoseconds(ContinuousClock.now - start) / 1e6
        self.routes = routes
        requests = try makeRequests(services: routes / serviceShapes.count, &random)
        oneService = try makeRequests(services: 1, &random)
        let table = table  // the closure below may not capture a half-built self
        let matched = requests.filter {
            table.match(method: $0.method, host: nil, path: $0.path) != nil
        }
        matchedShare = Double(matched.count) / Double(requests.count)
    }

    mutating func timeOnce(checksum: inout Int) {
        let plain = timeMatches(table, requests, normalizing: false)
        let normalized = timeMatches(table, requests, normalizing: true)
        let hot = timeMatches(table, oneService, normalizing: false)
        match.append(plain.nanoseconds)
        normalizeAndMatch.append(normalized.nanoseconds)
        oneServiceMatch.append(hot.nanoseconds)
        checksum &+= plain.checksum &+ normalized.checksum &+ hot.checksum
    }
}

func run() throws {
    var cases = try tableSizes.map { try SizeCase(routes: $0) }
    var checksum = 0
    for index in cases.indices {  // warm caches and branch predictors
        checksum &+= timeMatches(cases[index].table, cases[index].requests, normalizing: true)
            .checksum
    }
    for _ in 0..<repetitions {
        for index in cases.indices { cases[index].timeOnce(checksum: &checksum) }
    }

    print("Route matching, ns per request: median of \(repetitions) repetitions of "
        + "\(grouped(matchesPerRepetition)) lookups over \(grouped(requestCount)) targets")
    print("")
    print(column("routes", 8) + column("build ms", 10) + column("matched", 9)
        + column("match ns", 10) + column("normalize+match ns", 20)
        + column("one-service match ns", 23))
    for size in cases {
        print(column(grouped(size.routes), 8) + column(fixed(size.buildMilliseconds, 2), 10)
            + column(fixed(size.matchedShare * 100, 1) + "%", 9)
            + column(fixed(median(size.match), 1), 10)
            + column(fixed(median(size.normalizeAndMatch), 1), 20)
            + column(fixed(median(size.oneServiceMatch), 1), 23))
    }
    if let first = cases.first, let last = cases.last {
        func growth(_ samples: KeyPath<SizeCase, [Double]>) -> String {
            fixed(median(last[keyPath: samples]) / median(first[keyPath: samples]), 2) + "x"
        }
        print("")
        print("\(grouped(last.routes)) routes against \(grouped(first.routes)), "
            + "\(grouped(last.routes / first.routes))x the routes: match " + growth(\.match)
            + ", normalize+match " + growth(\.normalizeAndMatch))
        print("  and one-service match " + growth(\.oneServiceMatch))
    }
    print("checksum \(checksum)")
}

do {
    try run()
} catch {
    var line = "RouteMatchingBenchmark: \(error)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(1)
}
