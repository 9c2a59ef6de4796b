import ChaperoneTestSupport
import Foundation

/// Checks on a token's signature with the openssl command line, so the proof shares no code
/// with the fixture or with Chaperone's verifier.
enum SigningKey {
    /// Throws unless `token`'s RS256 signature verifies with the certificate's public key.
    static func verifyRS256(_ token: String, certificate: String) throws {
        let directory = try TemporaryDirectory()
        let publicKey = try TestProcess.run(
            "/usr/bin/openssl", ["x509", "-in", certificate, "-pubkey", "-noout"],
            directory: directory, name: "pubkey")
        let keyPath = try directory.write("public.pem", publicKey)
        let parts = token.split(separator: ".")
        let input = try directory.write("input", parts[0] + "." + parts[1])
        let signature = directory.path("signature")
        try UnverifiedJWT(token).signature.write(to: URL(fileURLWithPath: signature))
        try TestProcess.run(
            "/usr/bin/openssl",
            ["dgst", "-sha256", "-verify", keyPath, "-signature", signature, input],
            directory: directory, name: "verify")
    }

    /// The certificate's RSA modulus in upper-case hex, as `openssl x509 -modulus` prints it.
    static func modulus(certificate: String) throws -> String {
        let directory = try TemporaryDirectory()
        let output = try TestProcess.run(
            "/usr/bin/openssl", ["x509", "-in", certificate, "-noout", "-modulus"],
            directory: directory, name: "modulus")
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "Modulus=", with: "")
    }

    static func hex(_ data: Data) -> String {
        data.map { String(format: "%02X", $0) }.joined()
    }
}
