import ChaperoneConfig
#if canImport(Glibc)
import Glibc
#endif

/// A `ListenAddress` as the `sockaddr` libmicrohttpd binds to.
struct SocketAddress {
    private var storage = sockaddr_storage()

    init(_ address: ListenAddress) {
        withUnsafeMutableBytes(of: &storage) { raw in
            if address.isIPv6 {
                let v6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                v6.pointee.sin6_family = sa_family_t(AF_INET6)
                v6.pointee.sin6_port = address.port.bigEndian
                inet_pton(AF_INET6, address.host, &v6.pointee.sin6_addr)
            } else {
                let v4 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                v4.pointee.sin_family = sa_family_t(AF_INET)
                v4.pointee.sin_port = address.port.bigEndian
                inet_pton(AF_INET, address.host, &v4.pointee.sin_addr)
            }
        }
    }

    func withPointer<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
        var copy = storage
        return withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body)
        }
    }
}

/// Why the server could not start.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}
