/// A refresh token as stored: the nonce it was sealed with and the ciphertext with its
/// authentication tag appended.
public struct SealedToken: Sendable, Equatable {
    public var nonce: [UInt8]
    public var ciphertext: [UInt8]

    public init(nonce: [UInt8], ciphertext: [UInt8]) {
        self.nonce = nonce
        self.ciphertext = ciphertext
    }
}

/// What a sealed token is bound to besides the key: opening it under any other user or
/// connection fails, so a record moved to another row in the database is refused.
public struct SealBinding: Sendable, Equatable {
    public var user: String
    public var connection: String

    public init(user: String, connection: String) {
        self.user = user
        self.connection = connection
    }

    /// The associated data: a label, then each field with its length in front so no two
    /// bindings encode alike (`a`+`bc` and `ab`+`c` differ), then the key id.
    func associatedData(keyID: VaultKeyID) -> [UInt8] {
        var bytes = Array("chaperone vault grant v1".utf8)
        for field in [user, connection, keyID.hex] {
            let count = UInt32(field.utf8.count)
            bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: count >> $0) }
            bytes += field.utf8
        }
        return bytes
    }
}

/// Seals and opens refresh tokens. `AESGCMSealer` is the implementation; the protocol is
/// the seam through which tests make sealing fail part-way through a key rotation.
public protocol TokenSealer: Sendable {
    func seal(_ token: SecretBytes, binding: SealBinding,
              key: VaultKey) throws(VaultError) -> SealedToken

    /// Throws `tampered` when the ciphertext, nonce or binding is not what was sealed.
    func open(_ sealed: SealedToken, binding: SealBinding,
              key: VaultKey) throws(VaultError) -> SecretBytes
}
