import ChaperoneRouting

/// Turns the wire configuration into domain values, reporting every problem it finds
/// rather than stopping at the first.
struct Validator {
    var diagnostics: Diagnostics
    let secrets: SecretSource
    /// Relative `{file:}` and `ca_file` paths are read from the configuration's directory.
    let baseDirectory: String
    let defaultWorkers: Int
    /// A command that works on the vault needs its key even if no route does.
    let requiresVault: Bool

    mutating func configuration(_ wire: WireConfig, file: String) -> Configuration? {
        version(wire)
        let listen = address(wire.listen, default: "127.0.0.1:8080")
        var admin: ListenAddress?
        if let wireAdmin = wire.admin { admin = self.admin(wireAdmin) }
        let workers = integer(wire.workers, in: 1...256) ?? defaultWorkers
        let limits = limits(wire.limits)
        let logLevel = logLevel(wire.logLevel)
        let identity = wire.identity.flatMap { self.identity($0) }
        let connections = self.connections(wire.connections, identity: wire.identity != nil)
        let declared = wire.connections?.value.map(\.name.value) ?? []
        let approval = wire.approval.flatMap { self.approval($0) }
        let authority = Authority(settings: approval, isConfigured: wire.approval != nil)
        let routes = (wire.routes?.value ?? []).compactMap {
            route($0, identity: wire.identity != nil, connections: declared,
                  authority: authority)
        }
        let unambiguous = checkRouteTable(routes)
        let vault = vault(wire, routes: routes, connections: connections)
        let audit = audit(wire, vault: vault)

        if wire.identity == nil {
            diagnostics.warning(wire.location, "identity",
                                "no identity section: callers are not authenticated, so "
                                    + "anyone who can reach the listener can use every route")
        }
        if let listen, !listen.isLoopback, let at = wire.listen {
            diagnostics.warning(at.location, at.path,
                                "\(listen) is not a loopback address: the proxy is reachable "
                                    + "from other hosts")
        }
        if routes.isEmpty, !diagnostics.hasErrors {
            diagnostics.warning(wire.routes?.location ?? wire.location, "routes",
                                "no routes: every request will be answered 404")
        }

        let development = boolean(wire.development) ?? false
        if development, let at = wire.development {
            if let listen, !listen.isLoopback {
                diagnostics.error(at.location, at.path,
                                  "development mode accepts tokens anyone here can mint: the "
                                      + "proxy must listen on a loopback address")
            }
            if admin == nil {
                diagnostics.error(at.location, at.path,
                                  "development mode publishes its issuer's key on the admin "
                                      + "listener: set admin.listen")
            }
            diagnostics.warning(at.location, at.path,
                                "development mode: tokens minted by `chaperone dev token` are "
                                    + "accepted wherever identity points at /dev/jwks.json")
        }

        guard !diagnostics.hasErrors, let listen, unambiguous, let vault, let audit else {
            return nil
        }
        var configuration = Configuration(
            file: file, listen: listen, workers: workers, admin: admin, limits: limits,
            identity: identity, vault: vault, approval: approval, audit: audit,
            connections: connections, routes: routes.map(\.route), logLevel: logLevel,
            warnings: diagnostics.problems.filter { $0.severity == .warning }
        )
        configuration.development = development
        return configuration
    }

    private mutating func logLevel(_ wire: Located<String>?) -> LogLevel {
        guard let wire else { return .info }
        guard let level = LogLevel(rawValue: wire.value) else {
            diagnostics.error(wire.location, wire.path, "expected debug, info, warning or error")
            return .info
        }
        return level
    }

    private mutating func version(_ wire: WireConfig) {
        guard let version = wire.version else {
            diagnostics.error(wire.location, "version", "is required and must be 1")
            return
        }
        if version.value != "1" {
            diagnostics.error(version.location, version.path,
                              "unsupported version '\(version.value)': this Chaperone reads 1")
        }
    }

    private mutating func admin(_ wire: WireAdmin) -> ListenAddress? {
        guard let listen = wire.listen else {
            diagnostics.error(wire.location, wire.path + ".listen", "is required")
            return nil
        }
        guard let address = address(listen, default: "") else { return nil }
        guard address.isLoopback else {
            diagnostics.error(listen.location, listen.path,
                              "the admin listener must be on a loopback address")
            return nil
        }
        return address
    }

    private mutating func address(_ value: Located<String>?, default fallback: String)
        -> ListenAddress?
    {
        guard let value else { return ListenAddress(parsing: fallback) }
        guard let address = ListenAddress(parsing: value.value) else {
            diagnostics.error(value.location, value.path,
                              "expected IP:PORT such as 127.0.0.1:8080 or [::1]:8080")
            return nil
        }
        return address
    }

    private mutating func limits(_ wire: WireLimits?) -> Limits {
        var limits = Limits.defaults
        guard let wire else { return limits }
        limits.headerBytes = bytes(wire.headerBytes, in: 1 << 10...1 << 20) ?? limits.headerBytes
        limits.bodyBytes = bytes(wire.bodyBytes, in: 0...1 << 30) ?? limits.bodyBytes
        limits.connections = integer(wire.connections, in: 1...1_000_000) ?? limits.connections
        limits.idleTimeout = duration(wire.idleTimeout, in: .seconds(1)...(.seconds(86_400)))
            ?? limits.idleTimeout
        limits.requestTimeout = duration(wire.requestTimeout,
                                         in: .seconds(1)...(.seconds(86_400)))
            ?? limits.requestTimeout
        limits.drainTimeout = duration(wire.drainTimeout, in: .zero...(.seconds(3_600)))
            ?? limits.drainTimeout
        return limits
    }

    // MARK: - Routes

    /// A route with where it came from, for the ambiguity report.
    struct LocatedRoute {
        var route: Route
        var wire: WireRoute
    }

    /// The approval section as routes see it: written but invalid is not missing.
    struct Authority {
        var settings: ApprovalSettings?
        var isConfigured: Bool
    }

    private mutating func route(_ wire: WireRoute, identity: Bool, connections: [String],
                                authority: Authority) -> LocatedRoute?
    {
        let errorsBefore = diagnostics.problems.count
        let name = routeName(wire)
        let template = template(wire)
        let methods = methods(wire.methods)
        let host = host(wire.host)
        let upstream = upstream(wire)
        let stripped = template.map { strippedSegments(wire.stripPrefix, template: $0) } ?? 0
        let timeout = duration(wire.timeout, in: .milliseconds(1)...(.seconds(86_400)))
            ?? .seconds(30)
        let stripHeaders = (wire.stripHeaders?.value ?? []).compactMap { headerName($0) }
        let caFile = wire.caFile.flatMap { readableFile($0) }
        let credential = credential(wire, connections: connections)
        let policy = policy(wire, identity: identity)
        let approval = routeApproval(wire, template: template, authority: authority.settings,
                                     hasAuthority: authority.isConfigured, policy: policy,
                                     credential: credential.approval)
        if let connection = wire.connection, credential.vault != nil, !policy.authenticate {
            // The vault keeps grants per user: without a verified caller there is no user.
            diagnostics.error(connection.location, connection.path,
                              identity ? "a route that takes its credential from the vault "
                                  + "must authenticate its callers: remove authenticate: false"
                                  : "a route that takes its credential from the vault needs an "
                                  + "identity section, to know which user calls")
        }
        guard !hasNewErrors(since: errorsBefore), let name, let template, let upstream
        else { return nil }
        let route = Route(
            name: name, methods: methods, template: template, host: host, upstream: upstream,
            strippedSegments: stripped, timeout: timeout,
            stripHeaders: stripHeaders.map { $0.lowercased() }, credential: credential.fixed,
            caFile: caFile, policy: policy, vaultCredential: credential.vault,
            approval: approval
        )
        return LocatedRoute(route: route, wire: wire)
    }

    func hasNewErrors(since count: Int) -> Bool {
        diagnostics.problems[count...].contains { $0.severity == .error }
    }

    private mutating func routeName(_ wire: WireRoute) -> String? {
        guard let name = wire.name else {
            diagnostics.error(wire.location, wire.path + ".name", "is required")
            return nil
        }
        guard Self.isName(name.value) else {
            diagnostics.error(name.location, name.path,
                              "must be 1 to 64 letters, digits, '-', '_' or '.'")
            return nil
        }
        return name.value
    }

    private mutating func template(_ wire: WireRoute) -> PathTemplate? {
        guard let path = wire.pathTemplate else {
            diagnostics.error(wire.location, wire.path + ".path", "is required")
            return nil
        }
        do {
            return try PathTemplate(parsing: path.value)
        } catch {
            diagnostics.error(path.location, path.path, error.description)
            return nil
        }
    }

    private mutating func methods(_ wire: Located<[Located<String>]>?) -> MethodSet {
        guard let wire else { return .any }
        if wire.value.isEmpty {
            diagnostics.error(wire.location, wire.path, "must name at least one method")
        }
        var set = MethodSet()
        for method in wire.value {
            guard let known = HTTPMethod.configurable[method.value] else {
                diagnostics.error(method.location, method.path,
                                  "unknown method '\(method.value)' (methods are upper-case, "
                                      + "such as GET or POST)")
                continue
            }
            set.insert(MethodSet(known))
            if known == .get { set.insert(MethodSet(.head)) }
        }
        return set
    }

    private mutating func host(_ wire: Located<String>?) -> String? {
        guard let wire else { return nil }
        let valid = !wire.value.isEmpty && wire.value.utf8.allSatisfy {
            Self.isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
        guard valid else {
            diagnostics.error(wire.location, wire.path,
                              "expected a host name without port, such as api.local")
            return nil
        }
        return wire.value.lowercased()
    }

    private mutating func upstream(_ wire: WireRoute) -> UpstreamURL? {
        guard let upstream = wire.upstream else {
            diagnostics.error(wire.location, wire.path + ".upstream", "is required")
            return nil
        }
        do {
            return try UpstreamURL(parsing: upstream.value)
        } catch {
            diagnostics.error(upstream.location, upstream.path, error.description)
            return nil
        }
    }

    private mutating func strippedSegments(_ wire: Located<String>?, template: PathTemplate)
        -> Int
    {
        guard let wire else { return 0 }
        let prefix = try? PathTemplate(parsing: wire.value)
        guard let prefix, !prefix.matchesRest, prefix.parameterNames.isEmpty else {
            diagnostics.error(wire.location, wire.path,
                              "expected a literal path prefix such as /github")
            return 0
        }
        let segments = prefix.segments == [.literal("")] ? [] : prefix.segments
        guard segments.count <= template.literalPrefixCount,
              Array(template.segments.prefix(segments.count)) == segments
        else {
            diagnostics.error(wire.location, wire.path,
                              "'\(wire.value)' is not a prefix of the route's path "
                                  + "'\(template)'")
            return 0
        }
        return segments.count
    }

    /// Reads a secret from its source. Messages name the source, never the value.
    mutating func resolve(_ wire: WireSecret) -> Secret? {
        let text: String
        switch wire.source {
        case .environment(let name):
            guard let value = secrets.environment(name) else {
                diagnostics.error(wire.location, wire.path,
                                  "environment variable \(name) is not set")
                return nil
            }
            text = value
        case .file(let path):
            let resolved = FileSystem.resolve(path, relativeTo: baseDirectory)
            switch secrets.readFile(resolved) {
            case .failure(let error):
                diagnostics.error(wire.location, wire.path, "cannot read \(resolved): \(error)")
                return nil
            case .success(let bytes):
                var end = bytes.count
                while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
                text = String(decoding: bytes[..<end], as: UTF8.self)
            }
        }
        guard !text.isEmpty else {
            diagnostics.error(wire.location, wire.path, "the secret is empty")
            return nil
        }
        guard Self.isHeaderValue(text) else {
            diagnostics.error(wire.location, wire.path,
                              "the secret has a line break or control character, which a "
                                  + "header cannot carry")
            return nil
        }
        return Secret(text)
    }

    mutating func readableFile(_ wire: Located<String>) -> String? {
        let resolved = FileSystem.resolve(wire.value, relativeTo: baseDirectory)
        if case .failure(let error) = FileSystem.isReadable(resolved) {
            diagnostics.error(wire.location, wire.path, "cannot read \(resolved): \(error)")
            return nil
        }
        return resolved
    }

    /// Reports duplicate names and routes that precedence cannot order; true when none.
    private mutating func checkRouteTable(_ routes: [LocatedRoute]) -> Bool {
        var seen: [String: WireRoute] = [:]
        for located in routes {
            if let first = seen[located.route.name] {
                diagnostics.error(located.wire.name?.location ?? located.wire.location,
                                  located.wire.path + ".name",
                                  "duplicate route name '\(located.route.name)' (first at "
                                      + "line \(first.location.line))")
            } else {
                seen[located.route.name] = located.wire
            }
        }
        let definitions = routes.map {
            RouteTable<Route>.Definition(template: $0.route.template, methods: $0.route.methods,
                                         host: $0.route.host, value: $0.route)
        }
        do {
            _ = try RouteTable(definitions)
            return true
        } catch {
            for conflict in error.conflicts {
                let first = routes[conflict.first], second = routes[conflict.second]
                diagnostics.error(second.wire.location, second.wire.path,
                                  "route '\(second.route.name)' overlaps route "
                                      + "'\(first.route.name)' (line \(first.wire.location.line)): "
                                      + "same path shape, host and a method in common, so "
                                      + "neither is more specific")
            }
            return false
        }
    }
}
