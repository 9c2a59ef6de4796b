#if canImport(Glibc)
import Glibc
#endif

extension SQLiteDatabase {
    /// Checks the database file at `path` and its companions (`-wal`, `-shm`): regular files
    /// that only their owner can read or write. When the file does not exist, creates it
    /// empty with mode 0600 (and its directory with 0700, one level only) if `create` is
    /// set. SQLite gives the companions the mode of the database file, so creating that one
    /// with 0600 covers all three.
    public static func prepareFile(_ path: String, create: Bool) throws(Failure) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            guard errno == ENOENT else { throw failure("cannot inspect \(path)") }
            guard create else { throw Failure.noDatabase(path: path) }
            try makeDirectory(containing: path)
            let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            // Another process may have created it in between: then check that one.
            if descriptor < 0, errno == EEXIST { return try prepareFile(path, create: false) }
            guard descriptor >= 0 else { throw failure("cannot create \(path)") }
            close(descriptor)
            return
        }
        try checkPrivate(path, info)
        for companion in [path + "-wal", path + "-shm"] where stat(companion, &info) == 0 {
            try checkPrivate(companion, info)
        }
    }

    private static func checkPrivate(_ path: String, _ info: stat) throws(Failure) {
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw Failure.storage("\(path) is not a regular file")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw Failure.unsafePermissions(path: path, mode: info.st_mode)
        }
    }

    /// Creates the directory that holds `path` with mode 0700 unless it exists.
    public static func makeDirectory(containing path: String) throws(Failure) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
            throw failure("cannot create the directory \(directory)")
        }
    }

    private static func failure(_ what: String) -> Failure {
        Failure.storage("\(what): \(String(cString: strerror(errno)))")
    }
}
