import ChaperoneRouting

/// A validated configuration: immutable, every secret resolved, every route checked.
/// Produced only by `ConfigLoader`, so holding one means the file was sound.
public struct Configuration: Sendable {
    /// The file it was read from, as given.
    public var file: String
    public var listen: ListenAddress
    /// Event-loop threads serving the proxy listener.
    public var workers: Int
    /// The health listener, if configured.
    public var admin: ListenAddress?
    public var limits: Limits
    /// Who callers must prove to be; nil authenticates nobody.
    public var identity: IdentitySettings?
    /// The token vault; the defaults when the file has no `vault` section.
    public var vault: VaultSettings
    /// The authority that asks users to approve held requests, if any route is held.
    public var approval: ApprovalSettings?
    /// The audit log; the defaults when the file has no `audit` section.
    public var audit: AuditSettings
    /// In file order, names unique.
    public var connections: [ConnectionSettings]
    /// In file order; no two are ambiguous (checked while loading).
    public var routes: [Route]
    /// `development: true`: `chaperone dev token` mints tokens and the admin listener
    /// publishes the key that verifies them. Only on loopback listeners.
    public var development = false
    /// `log.level`.
    public var logLevel: LogLevel
    /// The first 16 hex digits of the file's SHA-256, to tell in logs which file is live.
    public var digest = ""
    /// Things that are allowed but worth a second look, such as running without identity.
    public var warnings: [ConfigProblem]

    public func connection(named name: String) -> ConnectionSettings? {
        connections.first { $0.name == name }
    }
}

/// Resource limits of the proxy listener.
public struct Limits: Sendable, Equatable {
    /// Request line plus headers; larger requests get 431. The default is 32 KiB, not
    /// more: libmicrohttpd clears a buffer of about this size after every request.
    public var headerBytes: Int
    /// Request body; larger requests get 413.
    public var bodyBytes: Int
    /// Open client connections across all workers.
    public var connections: Int
    /// A client connection with nothing to say for this long is closed.
    public var idleTimeout: Duration
    /// A request must arrive whole (headers and body) within this time of its first line.
    public var requestTimeout: Duration
    /// On SIGTERM, requests in flight get this long to finish before they are cut off.
    public var drainTimeout: Duration

    public static let defaults = Limits(
        headerBytes: 32 << 10, bodyBytes: 10 << 20, connections: 10_000,
        idleTimeout: .seconds(60), requestTimeout: .seconds(60), drainTimeout: .seconds(30)
    )
}

/// One route: which requests it takes and where and how it forwards them.
public final class Route: Sendable {
    public let name: String
    public let methods: MethodSet
    public let template: PathTemplate
    /// Lower-case host the request must name, or nil for any.
    public let host: String?
    public let upstream: UpstreamURL
    /// Leading path segments removed before forwarding (`strip_prefix`).
    public let strippedSegments: Int
    /// Longest wait for the upstream's response headers, and longest silence in its body.
    public let timeout: Duration
    /// Agent headers to drop besides the standard credential and hop-by-hop ones,
    /// lower-case.
    public let stripHeaders: [String]
    /// The fixed credential (`{static: SECRET}`) to add to every forwarded request, if any.
    public let credential: InjectedCredential?
    /// The credential minted per call from the vault (`connection`), if any.
    public let vaultCredential: VaultCredential?
    /// CA bundle for verifying the upstream's certificate; nil means the system bundle.
    public let caFile: String?
    /// Who may call it.
    public let policy: RoutePolicy
    /// Held until the user approves, when set.
    public let approval: RouteApproval?

    public init(name: String, methods: MethodSet, template: PathTemplate, host: String?,
                upstream: UpstreamURL, strippedSegments: Int, timeout: Duration,
                stripHeaders: [String], credential: InjectedCredential?, caFile: String?,
                policy: RoutePolicy = .open, vaultCredential: VaultCredential? = nil,
                approval: RouteApproval? = nil)
    {
        self.name = name
        self.methods = methods
        self.template = template
        self.host = host
        self.upstream = upstream
        self.strippedSegments = strippedSegments
        self.timeout = timeout
        self.stripHeaders = stripHeaders
        self.credential = credential
        self.vaultCredential = vaultCredential
        self.caFile = caFile
        self.policy = policy
        self.approval = approval
    }
}

/// A header that carries a secret to the upstream, such as `Authorization: Bearer …`.
public struct InjectedCredential: Sendable {
    /// Header name as configured.
    public var header: String
    /// The whole header value, the format with the secret in place.
    public var value: Secret
}
