#if canImport(Glibc)
import Glibc
#endif

/// An IP address and port to listen on.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// A numeric IPv4 or IPv6 address, without brackets.
    public var host: String
    /// 0 asks the kernel for a free port.
    public var port: UInt16
    public var isIPv6: Bool

    public var isLoopback: Bool { isIPv6 ? host == "::1" : host.hasPrefix("127.") }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `127.0.0.1:8080`, `[::1]:8080` or `localhost:8080`.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"),
              let port = UInt16(text[text.index(after: colon)...])
        else { return nil }
        var host = String(text[..<colon])
        var v6 = false
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            v6 = true
        }
        if host == "localhost" { host = "127.0.0.1" }
        var storage = in6_addr()
        guard inet_pton(v6 ? AF_INET6 : AF_INET, host, &storage) == 1 else { return nil }
        self.host = host
        self.port = port
        self.isIPv6 = v6
    }

    public init(host: String, port: UInt16, isIPv6: Bool) {
        self.host = host
        self.port = port
        self.isIPv6 = isIPv6
    }
}

/// Where a route forwards: scheme, authority and an optional base path that the
/// forwarded path is appended to.
public struct UpstreamURL: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    /// Host as written: a name, an IPv4 address or a bracketed IPv6 address.
    public var host: String
    public var port: Int?
    /// Empty, or a path such as `/api` without a trailing slash.
    public var basePath: String

    public var description: String {
        "\(scheme)://\(host)\(port.map { ":\($0)" } ?? "")\(basePath)"
    }

    /// Whether the host is this machine, so plain http never leaves it.
    public var isLoopback: Bool {
        host == "localhost" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// Parses an absolute `http` or `https` URL with no user, query or fragment.
    /// Throws the reason it was refused.
    public init(parsing text: String) throws(InvalidValue) {
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw InvalidValue("must be an absolute URL such as https://api.example.com")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw InvalidValue("scheme must be http or https, not '\(scheme)'")
        }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        if authority.contains("@") { throw InvalidValue("must not carry a user name") }
        if rest.contains("?") || rest.contains("#") {
            throw InvalidValue("must not carry a query or fragment")
        }
        var host = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let number = Int(authority[authority.index(after: colon)...]),
                  (1...65535).contains(number)
            else { throw InvalidValue("port must be a number from 1 to 65535") }
            port = number
            host = authority[..<colon]
        }
        guard Self.isHost(host) else { throw InvalidValue("has no valid host") }
        var base = String(path)
        while base.hasSuffix("/") { base.removeLast() }
        for segment in base.split(separator: "/") where segment == "." || segment == ".." {
            throw InvalidValue("base path must not have '.' or '..' segments")
        }
        guard base.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else {
            throw InvalidValue("base path has characters a URL cannot carry")
        }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.basePath = base
    }

    private static func isHost(_ host: Substring) -> Bool {
        if host.hasPrefix("[") && host.hasSuffix("]") {
            var storage = in6_addr()
            return inet_pton(AF_INET6, String(host.dropFirst().dropLast()), &storage) == 1
        }
        return !host.isEmpty && host.utf8.allSatisfy {
            (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
                || (0x61...0x7A).contains($0) || $0 == UInt8(ascii: ".")
                || $0 == UInt8(ascii: "-")
        }
    }
}

/// A reason a value was refused, worded to follow its key path.
public struct InvalidValue: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
