/// The `identity` section as written.
struct WireIdentity {
    var location: SourceLocation
    var path: String
    var issuer: Located<String>?
    var jwksURL: Located<String>?
    var audience: Located<String>?
    var algorithms: Located<[Located<String>]>?
    var leeway: Located<String>?
    var requireTyp: Located<String>?
    var jwksCache: Located<String>?
    var jwksMaxStale: Located<String>?
    var caFile: Located<String>?
    var maxTokenBytes: Located<String>?
    var tokenCache: Located<String>?
    var actorRequired: Located<String>?
    var actorMaxDepth: Located<String>?

    init(_ reader: inout MappingReader, _ diagnostics: inout Diagnostics) {
        location = reader.location
        path = reader.path
        issuer = reader.scalar("issuer", &diagnostics)
        jwksURL = reader.scalar("jwks_url", &diagnostics)
        audience = reader.scalar("audience", &diagnostics)
        algorithms = reader.scalars("algorithms", &diagnostics)
        leeway = reader.scalar("leeway", &diagnostics)
        requireTyp = reader.scalar("require_typ", &diagnostics)
        jwksCache = reader.scalar("jwks_cache", &diagnostics)
        jwksMaxStale = reader.scalar("jwks_max_stale", &diagnostics)
        caFile = reader.scalar("ca_file", &diagnostics)
        maxTokenBytes = reader.scalar("max_token_bytes", &diagnostics)
        tokenCache = reader.scalar("token_cache", &diagnostics)
        if var actor = reader.mapping("actor", &diagnostics) {
            actorRequired = actor.scalar("required", &diagnostics)
            actorMaxDepth = actor.scalar("max_depth", &diagnostics)
            actor.reportUnknownKeys(&diagnostics)
        }
        if let exchange = reader.node("exchange") {
            diagnostics.error(exchange.location, reader.childPath("exchange"),
                              "token exchange is not supported by this version of Chaperone; "
                                  + "the agent must present an on-behalf-of token")
        }
        reader.reportUnknownKeys(&diagnostics)
    }
}
