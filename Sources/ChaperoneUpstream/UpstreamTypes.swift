#if canImport(Glibc)
import Glibc
#endif

/// The status line and headers of an upstream response, hop-by-hop headers removed.
///
/// Fields are kept as NUL-terminated bytes, `name\0value\0` after one another, so they go
/// to libmicrohttpd without a Swift string per header.
public struct UpstreamResponseHead: Sendable {
    public var status: Int
    /// The body length the upstream announced, if it did.
    public var contentLength: UInt64?
    var fields: [UInt8] = []

    init(status: Int) { self.status = status }

    /// Calls `body` with each field's name and value as C strings.
    public func forEachField(_ body: (UnsafePointer<CChar>, UnsafePointer<CChar>) -> Void) {
        fields.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { text in
                var index = 0
                while index < text.count {
                    let name = text.baseAddress! + index
                    let nameLength = strlen(name)
                    let value = name + nameLength + 1
                    body(name, value)
                    index += nameLength + 1 + strlen(value) + 1
                }
            }
        }
    }

    /// Each field as strings, for tests and diagnostics.
    public var headers: [(name: String, value: String)] {
        var result: [(String, String)] = []
        forEachField { result.append((String(cString: $0), String(cString: $1))) }
        return result
    }

    mutating func continueLastField(_ more: UnsafeRawBufferPointer) {
        guard fields.last == 0 else { return }
        fields[fields.count - 1] = 0x20
        fields.append(contentsOf: more)
        fields.append(0)
    }

    mutating func append(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        // Room for a typical response's headers at once, rather than doubling up to it.
        if fields.isEmpty { fields.reserveCapacity(1024) }
        fields.append(contentsOf: name)
        fields.append(0)
        fields.append(contentsOf: value)
        fields.append(0)
    }
}

/// Why a transfer to the upstream failed.
public struct UpstreamFailure: Error, Sendable {
    public enum Kind: Sendable {
        /// Nothing (or nothing more) arrived within the route's time-out.
        case timedOut
        /// No connection: refused, unreachable, name not found.
        case connect
        /// TLS handshake or certificate verification failed.
        case tls
        /// The upstream reset the connection or answered something that is not HTTP.
        case broken
        /// The transfer was cancelled by the proxy (client gone, shutdown).
        case cancelled
    }

    public var kind: Kind
    /// libcurl's explanation, such as "Failed to connect to 127.0.0.1 port 9: Connection
    /// refused". It names hosts and ports, never header values.
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// What a transfer reports as the upstream answers. All calls happen on the event loop
/// that owns the transfer, from inside `UpstreamClient.perform()`.
public protocol UpstreamTransferDelegate: AnyObject {
    func upstreamDidReceiveHead(_ head: UpstreamResponseHead)
    /// Body bytes. Return false to leave them with libcurl and pause the transfer; they
    /// are offered again after `UpstreamTransfer.resume()`.
    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> Bool
    func upstreamDidFinish(_ failure: UpstreamFailure?)
}
