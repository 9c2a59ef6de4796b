import ChaperoneConfig
import ChaperoneRouting

/// A route with what forwarding needs precomputed: which agent headers to drop, the URL
/// prefix, the credential header as bytes.
final class RoutePlan: Sendable {
    let route: Route
    let headerFilter: HeaderFilter
    /// `scheme://host[:port][/base]`; the forwarded path is appended.
    let urlPrefix: String
    let connectTimeoutMilliseconds: Int64
    let timeoutNanoseconds: UInt64

    init(_ route: Route) {
        self.route = route
        var extra = route.stripHeaders
        if let credential = route.credential { extra.append(credential.header.lowercased()) }
        headerFilter = HeaderFilter(extra: extra)
        urlPrefix = route.upstream.description
        connectTimeoutMilliseconds = max(1, route.timeout.milliseconds)
        timeoutNanoseconds = route.timeout.nanoseconds
    }
}

/// Everything a shard needs from one configuration, built once per load or reload.
final class RuntimeConfiguration: Sendable {
    let configuration: Configuration
    let routes: RouteTable<RoutePlan>
    /// The issuer's keys and the exchanger, when the configuration has an identity section.
    let identity: IdentityRuntime?

    init(_ configuration: Configuration, identity: IdentityRuntime?) {
        self.configuration = configuration
        self.identity = identity
        let definitions = configuration.routes.map {
            RouteTable<RoutePlan>.Definition(template: $0.template, methods: $0.methods,
                                             host: $0.host, value: RoutePlan($0))
        }
        // Loading already refused ambiguous routes, so building cannot fail here.
        routes = try! RouteTable(definitions)
    }

    var limits: Limits { configuration.limits }
}

/// Decides which request headers stay behind: the agent's credentials, hop-by-hop headers
/// and those the route names. Names are compared case-insensitively, grouped by length so
/// a header costs a few byte comparisons.
struct HeaderFilter: Sendable {
    /// Always dropped: credentials, hop-by-hop headers and those the proxy sets itself.
    static let standard = [
        "authorization", "proxy-authorization", "cookie", "connection", "keep-alive",
        "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
        "content-length", "expect", "x-request-id",
    ]

    private var byLength: [[[UInt8]]] = Array(repeating: [], count: 65)

    init(extra: [String]) {
        for name in Self.standard + extra { insert(name) }
    }

    private mutating func insert(_ name: String) {
        let bytes = Array(name.lowercased().utf8)
        guard bytes.count < byLength.count, !byLength[bytes.count].contains(bytes) else {
            return
        }
        byLength[bytes.count].append(bytes)
    }

    func strips(_ name: UnsafeRawBufferPointer) -> Bool {
        guard name.count < byLength.count else { return false }
        for candidate in byLength[name.count] where Self.equalsIgnoringCase(name, candidate) {
            return true
        }
        return false
    }

    /// Whether `name` is dropped, for names known only at run time (from `Connection`).
    static func equalsIgnoringCase(_ name: UnsafeRawBufferPointer, _ lower: [UInt8]) -> Bool {
        guard name.count == lower.count else { return false }
        for index in 0..<lower.count {
            var byte = name[index]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != lower[index] { return false }
        }
        return true
    }
}
