#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be read, as a phrase such as "No such file or directory".
public struct FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// Whole-file reads without Foundation, which would pull ICU into the binary.
public enum FileSystem {
    /// Files larger than this are refused: nothing the configuration names is bigger.
    static let readLimit = 16 << 20

    public static func read(_ path: String) -> Result<[UInt8], FileReadError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileReadError(errorText())) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(FileReadError(errorText()))
            }
            if count == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > readLimit { return .failure(FileReadError("file is too large")) }
        }
    }

    public static func isReadable(_ path: String) -> Result<Void, FileReadError> {
        access(path, R_OK) == 0 ? .success(()) : .failure(FileReadError(errorText()))
    }

    /// The directory part of a path, `.` when it has none.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` as seen from `directory` unless it is already absolute.
    public static func resolve(_ path: String, relativeTo directory: String) -> String {
        path.hasPrefix("/") || directory == "." ? path : directory + "/" + path
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

/// Environment lookups without Foundation.
public enum ProcessEnvironment {
    public static func value(of name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
