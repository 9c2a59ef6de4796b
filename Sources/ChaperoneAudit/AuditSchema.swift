/// The tables of the audit store, and how a database file gets them.
///
/// `records` holds, per record, its sequence number, its canonical text and its chain
/// hash; the other columns repeat fields of the text so that queries can use indexes,
/// and `audit verify` checks that they still agree with it. `record_actors` lists each
/// record's actors for `audit query --actor`. `checkpoints` holds the signed ones.
enum AuditSchema {
    static let version: Int64 = 1

    static let tables = """
        CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT;
        CREATE TABLE records (
            seq INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            user TEXT,
            route TEXT,
            decision TEXT NOT NULL,
            canonical TEXT NOT NULL,
            hash BLOB NOT NULL
        ) STRICT;
        CREATE INDEX records_by_time ON records (time);
        CREATE INDEX records_by_user ON records (user, time);
        CREATE INDEX records_by_route ON records (route, time);
        CREATE INDEX records_by_decision ON records (decision, time);
        CREATE TABLE record_actors (
            seq INTEGER NOT NULL,
            position INTEGER NOT NULL,
            sub TEXT NOT NULL,
            PRIMARY KEY (seq, position)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX record_actors_by_sub ON record_actors (sub, seq);
        CREATE TABLE checkpoints (
            seq INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            hash BLOB NOT NULL,
            public_key BLOB NOT NULL,
            signature BLOB NOT NULL
        ) STRICT;
        """

    /// Creates the tables in a new file when `create` is set, and checks the version of
    /// an existing one. Only the writer creates, in a write transaction; a reader takes
    /// no lock.
    static func prepare(_ database: SQLiteDatabase, create: Bool) throws(AuditFailure) {
        guard create else { return try check(database, create: false) }
        try database.writeTransaction { () throws(AuditFailure) in
            try check(database, create: true)
        }
    }

    private static func check(_ database: SQLiteDatabase, create: Bool) throws(AuditFailure) {
        switch try database.schema() {
        case .absent:
            guard create else {
                throw .malformed("\(database.path) is not an audit store (it has no "
                                     + "schema_version table)")
            }
            try database.createSchema(tables, version: Self.version)
        case .unversioned:
            throw .malformed("\(database.path): schema_version has no row")
        case .version(let found):
            guard found <= Self.version else {
                throw .newerSchema(path: database.path, found: found, supported: Self.version)
            }
        }
    }
}
