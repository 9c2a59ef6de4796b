/// What a store file says of its schema: stores keep their version in a one-row
/// `schema_version` table, so that an older Chaperone refuses a file a newer one wrote.
public enum SQLiteSchema: Equatable {
    /// No `schema_version` table: a new file, or not a store at all.
    case absent
    /// The table is there without its row.
    case unversioned
    case version(Int64)
}

extension SQLiteDatabase {
    public func schema() throws(Failure) -> SQLiteSchema {
        let exists = try prepare(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
        guard try exists.step() else { return .absent }
        let query = try prepare("SELECT version FROM schema_version")
        guard try query.step(), let found = query.int64(0) else { return .unversioned }
        return .version(found)
    }

    /// Creates `tables`, which include `schema_version (version INTEGER)`, and records
    /// `version` in it.
    public func createSchema(_ tables: String, version: Int64) throws(Failure) {
        try execute(tables)
        let row = try prepare("INSERT INTO schema_version VALUES (?1)")
        try row.bind(1, version)
        try row.run()
    }
}
