/// The configuration as written: every value still text, every value with its position.
/// Decoding checks the shape (which keys, mapping or list or value); validation, in
/// `Validator`, checks the meaning and builds the domain values.
struct WireConfig {
    var location: SourceLocation
    var version: Located<String>?
    var listen: Located<String>?
    var workers: Located<String>?
    var admin: WireAdmin?
    var logLevel: Located<String>?
    var development: Located<String>?
    var limits: WireLimits?
    var identity: WireIdentity?
    var vault: WireVault?
    var approval: WireApproval?
    var audit: WireAudit?
    var connections: Located<[WireConnection]>?
    var routes: Located<[WireRoute]>?
}

struct WireAdmin {
    var location: SourceLocation
    var path: String
    var listen: Located<String>?
}

struct WireLimits {
    var headerBytes: Located<String>?
    var bodyBytes: Located<String>?
    var connections: Located<String>?
    var idleTimeout: Located<String>?
    var requestTimeout: Located<String>?
    var drainTimeout: Located<String>?
}

struct WireRoute {
    var location: SourceLocation
    var path: String
    var name: Located<String>?
    var methods: Located<[Located<String>]>?
    var pathTemplate: Located<String>?
    var host: Located<String>?
    var upstream: Located<String>?
    var stripPrefix: Located<String>?
    var timeout: Located<String>?
    var stripHeaders: Located<[Located<String>]>?
    var caFile: Located<String>?
    var connection: Located<String>?
    var credential: WireCredential?
    var inject: WireInject?
    var authenticate: Located<String>?
    var actors: Located<[Located<String>]>?
    var actorProfiles: Located<[Located<String>]>?
    var scopes: Located<[Located<String>]>?
    var approval: WireRouteApproval?
}

/// A route's `credential`: `vault`, `approval` or `{static: SECRET}`.
enum WireCredential {
    case vault(SourceLocation, path: String)
    case approval(SourceLocation, path: String)
    case fixed(WireSecret)
}

/// `{env: NAME}` or `{file: PATH}`.
struct WireSecret {
    enum Source {
        case environment(String)
        case file(String)
    }

    var source: Source
    var location: SourceLocation
    var path: String
}

struct WireInject {
    var location: SourceLocation
    var path: String
    var header: Located<String>?
    var format: Located<String>?
}

extension WireConfig {
    /// Decodes the document's shape, reporting every misplaced or unknown key.
    init?(_ root: YAMLNode, _ diagnostics: inout Diagnostics) {
        guard var reader = MappingReader(root, path: "", diagnostics: &diagnostics) else {
            return nil
        }
        location = reader.location
        version = reader.scalar("version", &diagnostics)
        listen = reader.scalar("listen", &diagnostics)
        workers = reader.scalar("workers", &diagnostics)
        development = reader.scalar("development", &diagnostics)
        if var admin = reader.mapping("admin", &diagnostics) {
            self.admin = WireAdmin(location: admin.location, path: admin.path,
                                   listen: admin.scalar("listen", &diagnostics))
            admin.reportUnknownKeys(&diagnostics)
        }
        if var log = reader.mapping("log", &diagnostics) {
            logLevel = log.scalar("level", &diagnostics)
            log.reportUnknownKeys(&diagnostics)
        }
        if var limits = reader.mapping("limits", &diagnostics) {
            self.limits = WireLimits(
                headerBytes: limits.scalar("header_bytes", &diagnostics),
                bodyBytes: limits.scalar("body_bytes", &diagnostics),
                connections: limits.scalar("connections", &diagnostics),
                idleTimeout: limits.scalar("idle_timeout", &diagnostics),
                requestTimeout: limits.scalar("request_timeout", &diagnostics),
                drainTimeout: limits.scalar("drain_timeout", &diagnostics)
            )
            limits.reportUnknownKeys(&diagnostics)
        }
        if var identity = reader.mapping("identity", &diagnostics) {
            self.identity = WireIdentity(&identity, &diagnostics)
        }
        if var vault = reader.mapping("vault", &diagnostics) {
            self.vault = WireVault(&vault, &diagnostics)
        }
        if var approval = reader.mapping("approval", &diagnostics) {
            self.approval = WireApproval(&approval, &diagnostics)
        }
        if var audit = reader.mapping("audit", &diagnostics) {
            self.audit = WireAudit(&audit, &diagnostics)
        }
        if let node = reader.node("connections") {
            connections = WireConnection.all(node, &diagnostics)
        }
        if let node = reader.node("routes") {
            routes = Self.routes(node, &diagnostics)
        }
        reader.reportUnknownKeys(&diagnostics)
    }

    private static func routes(_ node: YAMLNode, _ diagnostics: inout Diagnostics)
        -> Located<[WireRoute]>?
    {
        guard case .sequence(let items, let location) = node else {
            diagnostics.error(node.location, "routes", "expected a list, found \(node.kindName)")
            return nil
        }
        let routes = items.enumerated().compactMap { index, item in
            WireRoute(item, path: "routes[\(index)]", &diagnostics)
        }
        return Located(value: routes, location: location, path: "routes")
    }
}

extension WireRoute {
    init?(_ node: YAMLNode, path: String, _ diagnostics: inout Diagnostics) {
        guard var reader = MappingReader(node, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        location = reader.location
        self.path = path
        name = reader.scalar("name", &diagnostics)
        methods = reader.scalars("methods", &diagnostics)
        pathTemplate = reader.scalar("path", &diagnostics)
        host = reader.scalar("host", &diagnostics)
        upstream = reader.scalar("upstream", &diagnostics)
        stripPrefix = reader.scalar("strip_prefix", &diagnostics)
        timeout = reader.scalar("timeout", &diagnostics)
        stripHeaders = reader.scalars("strip_headers", &diagnostics)
        caFile = reader.scalar("ca_file", &diagnostics)
        connection = reader.scalar("connection", &diagnostics)
        if let node = reader.node("credential") {
            credential = Self.credential(node, path: reader.childPath("credential"), &diagnostics)
        }
        if var inject = reader.mapping("inject", &diagnostics) {
            self.inject = WireInject(location: inject.location, path: inject.path,
                                     header: inject.scalar("header", &diagnostics),
                                     format: inject.scalar("format", &diagnostics))
            inject.reportUnknownKeys(&diagnostics)
        }
        authenticate = reader.scalar("authenticate", &diagnostics)
        actors = reader.scalars("actors", &diagnostics)
        actorProfiles = reader.scalars("actor_profiles", &diagnostics)
        scopes = reader.scalars("scopes", &diagnostics)
        if var approval = reader.mapping("approval", &diagnostics) {
            self.approval = WireRouteApproval(&approval, &diagnostics)
        }
        reader.reportUnknownKeys(&diagnostics)
    }

    /// `credential: vault`, `credential: approval` or `credential: {static: SECRET}`.
    private static func credential(_ node: YAMLNode, path: String,
                                   _ diagnostics: inout Diagnostics) -> WireCredential?
    {
        let expected = "expected vault, approval, {static: {env: NAME}} or "
            + "{static: {file: PATH}}"
        if case .scalar(let scalar) = node, scalar.value == "vault" {
            return .vault(scalar.location, path: path)
        }
        if case .scalar(let scalar) = node, scalar.value == "approval" {
            return .approval(scalar.location, path: path)
        }
        guard case .mapping = node else {
            diagnostics.error(node.location, path, expected)
            return nil
        }
        guard var reader = MappingReader(node, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        defer { reader.reportUnknownKeys(&diagnostics) }
        guard let secret = reader.node("static") else {
            diagnostics.error(reader.location, path, expected)
            return nil
        }
        return WireSecret(secret, path: reader.childPath("static"), &diagnostics).map {
            .fixed($0)
        }
    }
}

extension WireSecret {
    init?(_ node: YAMLNode, path: String, _ diagnostics: inout Diagnostics) {
        guard case .mapping = node else {
            diagnostics.error(node.location, path,
                              "a secret is {env: NAME} or {file: PATH}, never written inline")
            return nil
        }
        guard var reader = MappingReader(node, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        let environment = reader.scalar("env", &diagnostics)
        let file = reader.scalar("file", &diagnostics)
        reader.reportUnknownKeys(&diagnostics)
        switch (environment, file) {
        case (let name?, nil):
            source = .environment(name.value)
            location = name.location
            self.path = name.path
        case (nil, let file?):
            source = .file(file.value)
            location = file.location
            self.path = file.path
        default:
            diagnostics.error(reader.location, path, "a secret needs exactly one of env or file")
            return nil
        }
    }
}
