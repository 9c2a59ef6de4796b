import ChaperoneConfig
import ChaperoneVault
#if canImport(Glibc)
import Glibc
#endif

/// The token vault as the running proxy uses it: the store and the minter, with threads of
/// their own. Opened when some route takes its credential from the vault, and kept across
/// reloads that leave the store and its key as they were.
final class VaultRuntime: Sendable {
    let store: StateStore
    let keyID: VaultKeyID
    let minter: CredentialMinter

    private init(store: StateStore, keyID: VaultKeyID, minter: CredentialMinter) {
        self.store = store
        self.keyID = keyID
        self.minter = minter
    }

    /// Opens the vault the configuration names, creating an empty one if it does not exist
    /// yet; nil when no route uses it. Fails on a vault sealed under another key, or one
    /// that other users can read.
    static func open(_ configuration: Configuration, metrics: Metrics) throws(ServerError)
        -> VaultRuntime?
    {
        guard configuration.routes.contains(where: { $0.vaultCredential != nil }) else {
            return nil
        }
        guard let key = configuration.vault.key else {
            throw ServerError("routes take credentials from the vault, but its key was not read")
        }
        let opened: any VaultStore
        switch configuration.vault.store {
        case .sqlite(let path):
            do {
                opened = try SQLiteVaultStore(path: path, key: key, create: true)
            } catch {
                throw ServerError("cannot open the token vault \(path): \(error)")
            }
        }
        let minter = CredentialMinter(store: opened, connections: configuration.connections,
                                      metrics: metrics, clock: { Int64(time(nil)) })
        return VaultRuntime(store: configuration.vault.store, keyID: key.id, minter: minter)
    }

    /// Whether a reload to `configuration` can keep this vault open.
    func serves(_ configuration: Configuration) -> Bool {
        configuration.vault.store == store && configuration.vault.key?.id == keyID
    }

    func start() { minter.start() }

    func stop() { minter.stop() }
}
