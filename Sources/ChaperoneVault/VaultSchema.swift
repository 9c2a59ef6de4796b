/// The tables of the SQLite vault, and how a database file gets them.
///
/// `schema_version` holds one row, the layout's version, so a later Chaperone can migrate
/// and an earlier one can refuse a file it would misread. `vault_key` holds one row, the
/// id of the key every active grant is sealed under: a store holding another key learns
/// so when it opens, or in the middle of a write after another process rotated the key.
/// In `grants`, an active row has its sealed token and a revoked one has none (the CHECK
/// constraint), so no edit of the state column can revive a revoked grant.
enum VaultSchema {
    static let version: Int64 = 1

    static let tables = """
        CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT;
        CREATE TABLE vault_key (id TEXT NOT NULL) STRICT;
        CREATE TABLE grants (
            user TEXT NOT NULL,
            connection TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
            scopes TEXT NOT NULL,
            key_id TEXT,
            nonce BLOB,
            sealed_token BLOB,
            created INTEGER NOT NULL,
            last_used INTEGER,
            last_refreshed INTEGER,
            PRIMARY KEY (user, connection),
            CHECK ((state = 'active') = (key_id IS NOT NULL AND nonce IS NOT NULL
                                         AND sealed_token IS NOT NULL))
        ) STRICT;
        """

    /// Creates the tables in a new file, recording `key` as the vault's key, or checks
    /// the version of an existing one.
    static func prepare(_ database: SQLiteDatabase, key: VaultKey) throws(VaultError) {
        try database.writeTransaction { () throws(VaultError) in
            switch try database.schema() {
            case .absent:
                try database.createSchema(tables, version: Self.version)
                let keyRow = try database.prepare("INSERT INTO vault_key VALUES (?1)")
                try keyRow.bind(1, key.id.hex)
                try keyRow.run()
            case .unversioned:
                throw .corrupt("schema_version has no row")
            case .version(let found):
                guard found <= Self.version else {
                    throw .newerSchema(path: database.path, found: found,
                                       supported: Self.version)
                }
            }
        }
    }

    /// The id of the key the vault's grants are sealed under.
    static func keyID(_ database: SQLiteDatabase) throws(VaultError) -> VaultKeyID {
        let query = try database.prepare("SELECT id FROM vault_key")
        guard try query.step(), let text = query.text(0) else {
            throw .corrupt("vault_key has no row")
        }
        guard let id = VaultKeyID(hex: text) else {
            throw .corrupt("vault_key holds something other than a key id")
        }
        return id
    }
}
