/// The `audit` section as written.
struct WireAudit {
    var location: SourceLocation
    var path: String
    var store: Located<String>?
    var durability: Located<String>?
    var flushInterval: Located<String>?
    var queue: Located<String>?
    var mirror: Located<String>?
    var signingKey: WireSecret?
    var checkpointEvery: Located<String>?
    var checkpointInterval: Located<String>?

    init(_ reader: inout MappingReader, _ diagnostics: inout Diagnostics) {
        location = reader.location
        path = reader.path
        store = reader.scalar("store", &diagnostics)
        durability = reader.scalar("durability", &diagnostics)
        flushInterval = reader.scalar("flush_interval", &diagnostics)
        queue = reader.scalar("queue", &diagnostics)
        mirror = reader.scalar("mirror", &diagnostics)
        if let node = reader.node("signing_key") {
            signingKey = WireSecret(node, path: reader.childPath("signing_key"), &diagnostics)
        }
        checkpointEvery = reader.scalar("checkpoint_every", &diagnostics)
        checkpointInterval = reader.scalar("checkpoint_interval", &diagnostics)
        reader.reportUnknownKeys(&diagnostics)
    }
}
