#if canImport(Glibc)
import Glibc
#endif

/// The open file of the mirror: standard error, or a file opened to append.
final class AuditMirrorOutput {
    private let descriptor: Int32
    private let owned: Bool
    private let name: String

    init(_ mirror: AuditMirror) throws(AuditFailure) {
        switch mirror {
        case .standardError:
            descriptor = 2
            owned = false
            name = "standard error"
        case .file(let path):
            descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw .mirror("cannot open \(path): \(String(cString: strerror(errno)))")
            }
            owned = true
            name = path
        }
    }

    deinit { if owned { close(descriptor) } }

    /// Writes the texts as lines, all in one `write` where the system allows it.
    func write(_ texts: [String]) throws(AuditFailure) {
        var bytes: [UInt8] = []
        for text in texts {
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress, $0.count)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw .mirror("cannot write to \(name): \(String(cString: strerror(errno)))")
            }
            offset += count
        }
    }
}
