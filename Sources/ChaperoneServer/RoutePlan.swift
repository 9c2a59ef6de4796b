import ChaperoneAudit
import ChaperoneClock
import ChaperoneConfig
import ChaperoneRouting
import ChaperoneUpstream
import ChaperoneVault

/// A route with what forwarding needs precomputed: which agent headers to drop, the URL
/// prefix, the credential header as bytes.
final class RoutePlan: Sendable {
    let route: Route
    let headerFilter: HeaderFilter
    /// `scheme://host[:port][/base]`; the forwarded path is appended.
    let urlPrefix: String
    let connectTimeoutMilliseconds: Int64
    let timeoutNanoseconds: UInt64
    /// How to mint and send the credential, for a route that takes it from the vault.
    let vault: VaultPlan?
    /// What to ask the user, for a route held until they approve.
    let approval: RouteApproval?
    /// How the token an approval returned is sent, with `credential: approval`.
    let approvalInjection: TokenHeader?

    /// Its series in `/metrics`.
    let metrics: RouteMetrics
    /// How audit records name the route's static credential.
    let staticFingerprint: CredentialFingerprint?

    init(_ route: Route, connections: [ConnectionSettings], metrics: RouteMetrics) {
        self.route = route
        self.metrics = metrics
        staticFingerprint = route.credential.map {
            CredentialFingerprint(credential: $0.value.reveal())
        }
        var extra = route.stripHeaders
        if let credential = route.credential { extra.append(credential.header.lowercased()) }
        if let credential = route.vaultCredential {
            extra.append(credential.header.lowercased())
        }
        vault = route.vaultCredential.map { credential in
            VaultPlan(credential, scopes: route.policy.scopes,
                      connection: connections.first { $0.name == credential.connection })
        }
        approval = route.approval
        approvalInjection = route.approval?.credential.map {
            extra.append($0.header.lowercased())
            return TokenHeader(header: $0.header, format: $0.format)
        }
        headerFilter = HeaderFilter(extra: extra)
        urlPrefix = route.upstream.description
        connectTimeoutMilliseconds = max(1, route.timeout.milliseconds)
        timeoutNanoseconds = route.timeout.nanoseconds
    }
}

/// A vault credential's parts, precomputed: the mint's scopes and cache key, and the
/// header value around the token.
struct VaultPlan: Sendable {
    let connection: String
    /// The route's scopes, asked of the connection.
    let scopes: [String]
    /// `scopes` sorted and space-separated, for the cache key.
    let scopeKey: String
    let injection: TokenHeader
    /// The connection exchanges the caller's own token (Auth0 Token Vault, `incoming`).
    let exchangesIncomingToken: Bool

    init(_ credential: VaultCredential, scopes: [String], connection: ConnectionSettings?) {
        self.connection = credential.connection
        self.scopes = scopes
        scopeKey = scopes.sorted().joined(separator: " ")
        injection = TokenHeader(header: credential.header, format: credential.format)
        if case .auth0TokenVault(_, .incoming)? = connection?.kind {
            exchangesIncomingToken = true
        } else {
            exchangesIncomingToken = false
        }
    }
}

/// A header that carries a token, split around the token's place in its format, so adding
/// it copies bytes without building a string that holds the token.
struct TokenHeader: Sendable {
    let header: [UInt8]
    let formatPrefix: [UInt8]
    let formatSuffix: [UInt8]

    init(header: String, format: String) {
        self.header = Array(header.utf8)
        if let placeholder = format.firstRange(of: "{token}") {
            formatPrefix = Array(format[..<placeholder.lowerBound].utf8)
            formatSuffix = Array(format[placeholder.upperBound...].utf8)
        } else {
            formatPrefix = Array(format.utf8)
            formatSuffix = []
        }
    }

    /// Adds the header with `token` in place; the value's copy is wiped after.
    func add(_ token: SecretBytes, to transfer: UpstreamTransfer) {
        var value = formatPrefix
        token.withUnsafeBytes { value.append(contentsOf: $0) }
        value += formatSuffix
        header.withUnsafeBytes { name in
            value.withUnsafeBytes { transfer.addHeader(name: name, value: $0) }
        }
        value.wipe()
    }
}

/// Everything a shard needs from one configuration, built once per load or reload.
final class RuntimeConfiguration: Sendable {
    let configuration: Configuration
    let routes: RouteTable<RoutePlan>
    /// The issuer's keys and the exchanger, when the configuration has an identity section.
    let identity: IdentityRuntime?
    /// The vault and its minter, when some route takes its credential from the vault.
    let vault: VaultRuntime?
    /// The authority that approves held requests, when the configuration names one.
    let approval: ApprovalRuntime?

    init(_ configuration: Configuration, identity: IdentityRuntime?, vault: VaultRuntime?,
         metrics: Metrics)
    {
        self.configuration = configuration
        self.identity = identity
        self.vault = vault
        approval = configuration.approval.map { ApprovalRuntime($0) }
        let definitions = configuration.routes.map {
            RouteTable<RoutePlan>.Definition(
                template: $0.template, methods: $0.methods, host: $0.host,
                value: RoutePlan($0, connections: configuration.connections,
                                 metrics: metrics.route($0.name)))
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
