import ChaperoneVault
#if canImport(Glibc)
import Glibc
#endif

/// Reads a refresh token from standard input straight into `SecretBytes`, so that no
/// growing array leaves copies of it behind. At a terminal the input is not echoed and
/// ends at the first line break; otherwise it is everything up to end of file. One
/// trailing line break (`\n` or `\r\n`) is removed.
enum TokenInput {
    /// Longer input is refused: no provider issues refresh tokens near this size.
    static let limit = 16 << 10

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func read() throws(Failure) -> SecretBytes {
        let terminal = isatty(0) == 1
        var saved = termios()
        if terminal {
            CommandLineInterface.printError("Refresh token (input is not shown): ", newline: false)
            tcgetattr(0, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(0, TCSAFLUSH, &silent)
        }
        defer {
            if terminal {
                tcsetattr(0, TCSAFLUSH, &saved)
                CommandLineInterface.printError("")
            }
        }
        return try SecretBytes(capacity: limit + 1) { (buffer) throws(Failure) -> Int in
            let count = try fill(buffer, stopAtLineBreak: terminal)
            guard count <= limit else {
                throw Failure(description: "the refresh token on standard input is longer "
                                  + "than \(limit) bytes")
            }
            let length = withoutLineBreak(buffer, count)
            guard length > 0 else {
                throw Failure(description: "standard input held no refresh token (it was "
                                  + "empty); pipe the token in, for example: "
                                  + "chaperone vault put ... < token.txt")
            }
            // RFC 6749, appendix A: a refresh token is printable ASCII and spaces.
            guard buffer[..<length].allSatisfy({ (0x20...0x7E).contains($0) }) else {
                throw Failure(description: "the refresh token on standard input has a line "
                                  + "break, control character or non-ASCII byte, which a "
                                  + "refresh token cannot hold")
            }
            return length
        }
    }

    /// Reads until end of file (or the first line break at a terminal), or until the
    /// buffer is full; returns the number of bytes read.
    private static func fill(_ buffer: UnsafeMutableRawBufferPointer,
                             stopAtLineBreak: Bool) throws(Failure) -> Int
    {
        var count = 0
        while count < buffer.count {
            let got = Glibc.read(0, buffer.baseAddress! + count, buffer.count - count)
            if got < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot read standard input: "
                                  + String(cString: strerror(errno)))
            }
            if got == 0 { break }
            count += got
            if stopAtLineBreak, buffer[count - 1] == 0x0A { break }
        }
        return count
    }

    private static func withoutLineBreak(_ buffer: UnsafeMutableRawBufferPointer,
                                         _ count: Int) -> Int
    {
        guard count > 0, buffer[count - 1] == 0x0A else { return count }
        return count > 1 && buffer[count - 2] == 0x0D ? count - 2 : count - 1
    }
}
