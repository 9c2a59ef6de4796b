import ChaperoneSQLite

/// The vault's SQLite connection and statements, throwing `VaultError`.
typealias SQLiteDatabase = ChaperoneSQLite.SQLiteDatabase<VaultError>
typealias SQLiteStatement = ChaperoneSQLite.SQLiteStatement<VaultError>

extension VaultError: SQLiteFailure {
    public static func noDatabase(path: String) -> VaultError { .noVault(path: path) }
}
