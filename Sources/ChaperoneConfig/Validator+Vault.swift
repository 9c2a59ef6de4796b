import ChaperoneVault

/// The `vault` section, or its defaults, and the key it names.
extension Validator {
    mutating func vault(_ wire: WireConfig, routes: [LocatedRoute],
                        connections: [ConnectionSettings]) -> VaultSettings?
    {
        let section = wire.vault
        let store = vaultStore(section?.store)
        let source: KeySource
        var place: (location: SourceLocation, path: String)
        var note = ""
        switch section?.key?.source {
        case .environment(let name)?:
            source = .environment(name)
        case .file(let path)?:
            source = .file(FileSystem.resolve(path, relativeTo: baseDirectory))
        case nil:
            source = .file(FileSystem.resolve(VaultSettings.defaultKeyFile,
                                              relativeTo: baseDirectory))
            note = " (the default vault key)"
        }
        if let key = section?.key {
            place = (key.location, key.path)
        } else {
            place = (section?.location ?? wire.location, "vault.key")
        }

        // The key must be there when anything uses the vault; a route that does is the
        // place to point at when the key is the default one.
        let user = routes.first { located in
            guard let name = located.route.vaultCredential?.connection else { return false }
            return connections.first { $0.name == name }?.storesGrants ?? false
        }
        if section == nil, let user, let at = user.wire.connection {
            place = (at.location, "vault.key")
            note = " (the default vault key, which \(user.wire.path) needs)"
        }
        var key: VaultKey?
        if requiresVault || user != nil || section != nil {
            key = vaultKey(source, at: place, note: note)
            guard key != nil else { return nil }
        }

        guard let store else { return nil }
        return VaultSettings(store: store, keySource: source, key: key,
                             isConfigured: section != nil)
    }

    /// `store`: `sqlite:PATH`; PostgreSQL is named but refused, since this build has no
    /// client for it.
    private mutating func vaultStore(_ wire: Located<String>?) -> StateStore? {
        guard let wire else {
            let path = String(VaultSettings.defaultStore.dropFirst("sqlite:".count))
            return .sqlite(path: FileSystem.resolve(path, relativeTo: baseDirectory))
        }
        if wire.value.hasPrefix("sqlite:") {
            let path = String(wire.value.dropFirst("sqlite:".count))
            guard !path.isEmpty, path != ":memory:" else {
                diagnostics.error(wire.location, wire.path,
                                  "sqlite: needs the path of a file, such as "
                                      + "sqlite:.chaperone/vault.db")
                return nil
            }
            return .sqlite(path: FileSystem.resolve(path, relativeTo: baseDirectory))
        }
        // The URL may carry a password: it is never repeated in the message.
        if wire.value.hasPrefix("postgres://") || wire.value.hasPrefix("postgresql://") {
            diagnostics.error(wire.location, wire.path,
                              "PostgreSQL vaults are not supported by this build yet: use "
                                  + "sqlite:PATH")
            return nil
        }
        diagnostics.error(wire.location, wire.path,
                          "expected sqlite:PATH, such as sqlite:.chaperone/vault.db")
        return nil
    }

    /// Reads and checks the key. Messages name its source and size, never its bytes.
    private mutating func vaultKey(_ source: KeySource,
                                   at place: (location: SourceLocation, path: String),
                                   note: String) -> VaultKey?
    {
        var bytes: [UInt8]
        switch source {
        case .environment(let name):
            guard let value = secrets.environment(name) else {
                diagnostics.error(place.location, place.path,
                                  "environment variable \(name) is not set")
                return nil
            }
            bytes = Array(value.utf8)
        case .file(let path):
            switch secrets.readFile(path) {
            case .failure(let error):
                diagnostics.error(place.location, place.path,
                                  "cannot read \(path)\(note): \(error)")
                return nil
            case .success(let contents):
                bytes = contents
            }
        }
        defer { bytes.wipe() }
        do {
            return try VaultKey(parsing: bytes)
        } catch {
            diagnostics.error(place.location, place.path, "\(source)\(note) \(error)")
            return nil
        }
    }
}
