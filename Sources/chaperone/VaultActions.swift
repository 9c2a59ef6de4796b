import ChaperoneConfig
import ChaperoneVault

/// What each `vault` command does once its options are parsed and the configuration is
/// loaded. Results go to standard output, failures to standard error; neither ever holds
/// a token or a key.
struct VaultActions {
    let context: VaultContext
    /// Such as `chaperone vault put`, to start error lines with.
    let command: String

    func put(user: String, connection name: String, scopes: String?) -> Int32 {
        guard let connection = context.configuration.connection(named: name) else {
            let known = context.configuration.connections.map(\.name)
            return fail("no connection named '\(name)' in \(context.configPath) ("
                + (known.isEmpty ? "it defines none" : "connections: "
                    + known.joined(separator: ", ")) + ")")
        }
        guard connection.storesGrants else {
            return fail("connection '\(name)' sends the caller's own token to Auth0's Token "
                + "Vault (subject_token: incoming), so there is nothing to store for it")
        }
        let granted = scopes.map { $0.split(separator: " ").map(String.init) }
            ?? connection.scopes
        let token: SecretBytes
        do {
            token = try TokenInput.read()
        } catch {
            return fail(error.description)
        }
        do {
            let store = try open(create: true)
            try store.put(user: user, connection: name, refreshToken: token, scopes: granted)
            print("stored the grant of user '\(user)' for connection '\(name)' (scopes: "
                + (granted.isEmpty ? "none" : granted.joined(separator: " "))
                + "; sealed under key \(store.keyID))")
            return 0
        } catch {
            return fail(error)
        }
    }

    func list(user: String?, connection: String?) -> Int32 {
        do {
            let records = try open(create: false).list(user: user, connection: connection)
            print(GrantTable.render(records))
            return 0
        } catch .noVault(let path) {
            print(GrantTable.render([]))
            CommandLineInterface.printError("\(command): no vault at \(path) yet (vault put "
                + "creates it)")
            return 0
        } catch {
            return fail(error)
        }
    }

    func revoke(user: String, connection: String) -> Int32 {
        do {
            if try open(create: false).revoke(user: user, connection: connection) {
                print("revoked the grant of user '\(user)' for connection '\(connection)' "
                    + "and erased its refresh token")
            } else {
                print("the grant of user '\(user)' for connection '\(connection)' was "
                    + "already revoked")
            }
            return 0
        } catch {
            return fail(error)
        }
    }

    func rotateKey(to source: KeySource) -> Int32 {
        let newKey: VaultKey
        switch NewKey.read(source) {
        case .failure(let reason): return fail(reason.message)
        case .success(let key): newKey = key
        }
        do {
            let store = try open(create: false)
            let oldID = store.keyID
            let count = try store.rotateKey(to: newKey)
            let setting = switch source {
            case .file(let path): "{file: \(path)}"
            case .environment(let name): "{env: \(name)}"
            }
            print("""
                re-sealed \(count) grant\(count == 1 ? "" : "s") under key \(newKey.id) \
                (they were under \(oldID)).
                Now point vault.key in \(context.configPath) at the new key, such as
                  vault:
                    key: \(setting)
                and reload (SIGHUP) chaperone serve if it runs with this configuration. Until
                vault.key names the new key, the vault is refused as sealed under another
                key. Keep the old key only as long as a backup sealed under it must stay
                readable.
                """)
            return 0
        } catch {
            return fail(error)
        }
    }

    private func open(create: Bool) throws(VaultError) -> SQLiteVaultStore {
        try SQLiteVaultStore(path: context.storePath, key: context.key, create: create)
    }

    private func fail(_ message: String) -> Int32 {
        CommandLineInterface.printError("\(command): \(message)")
        return 1
    }

    private func fail(_ error: VaultError) -> Int32 {
        guard case .wrongKey = error else { return fail(error.description) }
        return fail("\(error) (vault.key in \(context.configPath): "
            + "\(context.configuration.vault.keySource))")
    }
}

/// The key given to `rotate-key`, from a file or an environment variable.
enum NewKey {
    struct Failure: Error {
        var message: String
    }

    static func read(_ source: KeySource) -> Result<VaultKey, Failure> {
        var bytes: [UInt8]
        switch source {
        case .file(let path):
            switch FileSystem.read(path) {
            case .failure(let error):
                return .failure(Failure(message: "cannot read the new key \(path): \(error)"))
            case .success(let contents):
                bytes = contents
            }
        case .environment(let name):
            guard let value = ProcessEnvironment.value(of: name) else {
                return .failure(Failure(message: "environment variable \(name), meant to "
                                            + "hold the new key, is not set"))
            }
            bytes = Array(value.utf8)
        }
        defer { bytes.wipe() }
        do {
            return .success(try VaultKey(parsing: bytes))
        } catch {
            return .failure(Failure(message: "the new key: \(source) \(error)"))
        }
    }
}
