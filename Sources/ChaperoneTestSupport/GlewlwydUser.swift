import Foundation

/// A user of the test authority.
public struct GlewlwydUser: Sendable {
    public let name: String
    public let password: String
    /// The subject Glewlwyd puts in this user's tokens: an opaque id, not the name.
    public let sub: String

    /// The CIBA `login_hint` Glewlwyd understands: JSON naming the user.
    public var loginHint: String { Self.loginHint(name) }

    static func loginHint(_ name: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: ["username": name])
        return String(decoding: data, as: UTF8.self)
    }
}
