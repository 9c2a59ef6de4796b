/// The request methods a route can name. Extension methods such as `PROPFIND` are
/// `other`: only a route that allows every method matches them.
public enum HTTPMethod: UInt8, Sendable, CaseIterable {
    case get, head, post, put, patch, delete, options, trace, connect, other

    /// Parses a method token exactly as sent on the wire; methods are case-sensitive.
    public init(token: some StringProtocol) {
        switch token {
        case "GET": self = .get
        case "HEAD": self = .head
        case "POST": self = .post
        case "PUT": self = .put
        case "PATCH": self = .patch
        case "DELETE": self = .delete
        case "OPTIONS": self = .options
        case "TRACE": self = .trace
        case "CONNECT": self = .connect
        default: self = .other
        }
    }

    /// The method names that configuration may list, in wire spelling.
    public static let configurable: [String: HTTPMethod] = [
        "GET": .get, "HEAD": .head, "POST": .post, "PUT": .put, "PATCH": .patch,
        "DELETE": .delete, "OPTIONS": .options, "TRACE": .trace, "CONNECT": .connect,
    ]
}

/// A set of methods, one bit each. `GET` in configuration also admits `HEAD`, as in HTTP.
public struct MethodSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public init(_ method: HTTPMethod) { self.rawValue = 1 << method.rawValue }

    /// Every method, extension methods included.
    public static let any = MethodSet(rawValue: UInt16.max)

    public func contains(_ method: HTTPMethod) -> Bool { contains(MethodSet(method)) }
}
