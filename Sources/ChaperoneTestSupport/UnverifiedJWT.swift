import Foundation

/// The header and claims of a compact JWS, decoded without checking the signature: for tests
/// that look at what an authority issued, never for deciding whether to trust it.
public struct UnverifiedJWT {
    public let header: [String: Any]
    public let claims: [String: Any]
    public let signature: Data

    public init(_ compact: String) throws {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.decode(parts[0]),
              let claims = Self.decode(parts[1]), let signature = base64URLDecoded(parts[2])
        else { throw TestFailure("not a compact JWS: \(compact.prefix(40))...") }
        self.header = header
        self.claims = claims
        self.signature = signature
    }

    public func claim(_ name: String) -> String? { claims[name] as? String }

    private static func decode(_ part: Substring) -> [String: Any]? {
        base64URLDecoded(part).flatMap {
            try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
        }
    }
}

/// Unpadded base64url (RFC 4648 section 5), as JWS and JWK use it.
public func base64URLDecoded(_ text: some StringProtocol) -> Data? {
    var standard = text.replacingOccurrences(of: "-", with: "+")
        .replacingOccurrences(of: "_", with: "/")
    standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
    return Data(base64Encoded: standard)
}
