/// A request path in canonical form, the only form routes are matched against.
///
/// Segments are percent-decoded where the character is unreserved (`%41` is `A`), other
/// escapes keep their meaning with upper-case hex digits, dot segments are resolved and
/// repeated slashes collapsed. A trailing slash is kept as a final empty segment, so
/// `/a/b/` is `["a", "b", ""]` and `/` is `[""]`.
public struct NormalizedPath: Sendable, Equatable {
    public var segments: [String]

    /// The smallest number of segments left on the path by a `..`, or `Int.max` when the
    /// raw path had none. A route refuses a path that climbed above its literal prefix.
    public var shallowestDepth: Int

    public init(segments: [String], shallowestDepth: Int = .max) {
        self.segments = segments
        self.shallowestDepth = shallowestDepth
    }

    /// The path as it is forwarded, without its first `dropping` segments.
    public func joined(dropping: Int = 0) -> String {
        let rest = segments.dropFirst(dropping)
        if rest.isEmpty { return "/" }
        var path = ""
        path.reserveCapacity(rest.reduce(0) { $0 + $1.utf8.count + 1 })
        for segment in rest {
            path.append("/")
            path.append(segment)
        }
        return path
    }
}

/// Why a request target was refused before any route was consulted.
public enum PathError: Error, Sendable, Equatable {
    /// Not origin-form (`/path?query`): absolute-form, authority-form and `*` are refused.
    case notOriginForm
    case invalidPercentEncoding
    case encodedSlash
    case nulByte
    case backslash
    case invalidCharacter
    case climbsAboveRoot
    /// `..` took the path above the literal prefix of the route it matched.
    case climbsAboveRoutePrefix

    /// A sentence for the problem `detail`, safe to show: it never echoes the path.
    public var reason: String {
        switch self {
        case .notOriginForm: "the request target must be a path starting with '/'"
        case .invalidPercentEncoding: "the path has a malformed percent-escape"
        case .encodedSlash: "the path has an encoded slash (%2F), which is ambiguous"
        case .nulByte: "the path has an encoded NUL byte"
        case .backslash: "the path has a backslash, which servers read differently"
        case .invalidCharacter: "the path has a control or non-ASCII character"
        case .climbsAboveRoot: "the path climbs above the root with '..'"
        case .climbsAboveRoutePrefix: "the path climbs above the route prefix with '..'"
        }
    }
}
