import CSQLite
import ChaperoneTestSupport
import Foundation
import Synchronization

@testable import ChaperoneVault

/// A clock the test sets; nothing waits for real time to pass.
final class ManualClock: Sendable {
    private let seconds: Mutex<Int64>

    init(_ start: Int64 = 1_796_292_000) { seconds = Mutex(start) }

    func advance(by delta: Int64) { seconds.withLock { $0 += delta } }

    var now: Int64 { seconds.withLock { $0 } }

    var vaultClock: VaultClock { VaultClock { self.now } }
}

/// A key made of one repeated byte, so tests can name distinct keys.
func key(_ byte: UInt8) throws -> VaultKey {
    try VaultKey(parsing: [UInt8](repeating: byte, count: 32))
}

func secret(_ text: String) -> SecretBytes { SecretBytes(copying: Array(text.utf8)) }

func text(_ secret: SecretBytes) -> String {
    secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
}

/// A vault file in a fresh temporary directory, with the store's options for tests.
struct VaultFixture {
    let directory: TemporaryDirectory
    let path: String
    let clock = ManualClock()

    init() throws {
        directory = try TemporaryDirectory()
        path = directory.path(".chaperone/vault.db")
    }

    func open(_ key: VaultKey, create: Bool = true, sealer: any TokenSealer = AESGCMSealer(),
              busyTimeout: Duration = .seconds(5)) throws(VaultError) -> SQLiteVaultStore
    {
        try SQLiteVaultStore(path: path, key: key, create: create, clock: clock.vaultClock,
                             sealer: sealer, busyTimeout: busyTimeout)
    }

    /// The database file and its write-ahead log, as bytes, to look for plaintext in.
    func fileBytes() -> [UInt8] {
        [path, path + "-wal"].flatMap {
            (try? Data(contentsOf: URL(fileURLWithPath: $0))).map(Array.init) ?? []
        }
    }

    /// The permission bits of a file.
    func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}

/// What the vault tests change in a file behind the store's back, as an attacker with
/// access to the file could.
extension RawDatabase {
    /// Flips the lowest bit of one byte of a blob column (a negative index counts from
    /// the end) in the rows `filter` selects.
    func flipBit(column: String, byte index: Int, _ filter: String) throws {
        for row in try rows("SELECT rowid, hex(\(column)) FROM grants \(filter)") {
            var bytes = stride(from: 0, to: row[1].count, by: 2).map { offset in
                let start = row[1].index(row[1].startIndex, offsetBy: offset)
                return UInt8(row[1][start..<row[1].index(start, offsetBy: 2)], radix: 16)!
            }
            bytes[index < 0 ? bytes.count + index : index] ^= 0x01
            let hex = bytes.map { String(format: "%02X", $0) }.joined()
            try execute("UPDATE grants SET \(column) = X'\(hex)' WHERE rowid = \(row[0])")
        }
    }
}
