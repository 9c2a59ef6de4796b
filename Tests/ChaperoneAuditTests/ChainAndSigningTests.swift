import ChaperoneTestSupport
import Foundation
import Testing

@testable import ChaperoneAudit

@Suite struct ChainTests {
    /// Python's hashlib follows the chain from the stored texts and gets the stored
    /// hashes: hash_n = SHA-256(hash_{n-1} || canonical_n), hash_0 = 32 zero bytes.
    @Test func storedHashesAreTheDocumentedChain() throws {
        let fixture = try AuditFixture()
        try fixture.write(5)
        let raw = try RawDatabase(fixture.path)
        let rows = try raw.rows("SELECT seq, canonical, hex(hash) FROM records ORDER BY seq")
        #expect(rows.map { $0[0] } == ["1", "2", "3", "4", "5"])
        let script = """
            import hashlib, sys
            h = bytes(32)
            for text in sys.stdin.read().split("\\n"):
                h = hashlib.sha256(h + text.encode()).digest()
                print(h.hex().upper())
            """
        let input = rows.map { $0[1] }.joined(separator: "\n")
        let process = try TestProcess("/usr/bin/python3", ["-c", script],
                                      directory: fixture.directory, name: "python",
                                      input: Array(input.utf8))
        let hashes = try process.finish().split(separator: "\n").map(String.init)
        #expect(hashes == rows.map { $0[2] })
        for row in rows {
            #expect(try AuditRecord(canonicalText: row[1]).sequence == UInt64(row[0]))
        }
    }

    @Test func theChainContinuesAcrossRestarts() throws {
        let fixture = try AuditFixture()
        try fixture.write(3)
        try fixture.write(2)
        let raw = try RawDatabase(fixture.path)
        let sequences = try raw.rows("SELECT seq FROM records ORDER BY seq").map { $0[0] }
        #expect(sequences == ["1", "2", "3", "4", "5"])
        let verification = try fixture.verify()
        #expect(verification.isIntact)
        #expect(verification.lastSequence == 5)
    }
}

@Suite struct SigningTests {
    /// A key written by the openssl command line, not by the code under test.
    static func opensslKey(_ directory: TemporaryDirectory, _ arguments: [String] = [])
        throws -> [UInt8]
    {
        let path = directory.path("key.pem")
        try TestProcess.run("/usr/bin/openssl",
                            ["genpkey", "-algorithm", "ed25519", "-out", path] + arguments,
                            directory: directory, name: "openssl")
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func aCheckpointSignedWithAnOpenSSLKeyVerifiesWithOpenSSL() throws {
        let directory = try TemporaryDirectory()
        let key = try AuditSigningKey(pem: try Self.opensslKey(directory))
        let hash = AuditHash.zero.chained("record")
        let checkpoint = try AuditCheckpoint.sign(sequence: 7, hash: hash, time: 1_000,
                                                  with: key)
        #expect(checkpoint.isSignatureValid)

        // openssl checks the signature over the documented message with the key's
        // public half, which it derives itself.
        let message = "chaperone audit checkpoint v1\n"
            + #"{"seq":7,"hash":"\#(hash.hex)","time":1000}"#
        try Data(message.utf8).write(to: URL(fileURLWithPath: directory.path("message")))
        try Data(checkpoint.signature).write(
            to: URL(fileURLWithPath: directory.path("signature")))
        let verified = try TestProcess.run(
            "/usr/bin/openssl",
            ["pkeyutl", "-verify", "-inkey", directory.path("key.pem"), "-rawin",
             "-in", directory.path("message"), "-sigfile", directory.path("signature")],
            directory: directory, name: "verify")
        #expect(verified.contains("Signature Verified Successfully"))

        // The raw public key is the last 32 bytes of its DER form.
        let dump = try TestProcess.run(
            "/usr/bin/sh", ["-c", "openssl pkey -in key.pem -pubout -outform DER | "
                                + "tail -c 32 | od -An -tx1 | tr -d ' \\n'"],
            directory: directory, name: "dump")
        #expect(dump == key.publicKey.hex)
    }

    @Test func aChangedCheckpointDoesNotVerify() throws {
        let key = try AuditSigningKey.generate()
        let checkpoint = try AuditCheckpoint.sign(sequence: 3, hash: .zero.chained("a"),
                                                  time: 5, with: key)
        var later = checkpoint
        later.sequence = 4
        var otherHash = checkpoint
        otherHash.hash = .zero.chained("b")
        var otherTime = checkpoint
        otherTime.time = 6
        var flipped = checkpoint
        flipped.signature[0] ^= 1
        var otherKey = checkpoint
        otherKey.publicKey = try AuditSigningKey.generate().publicKey
        for changed in [later, otherHash, otherTime, flipped, otherKey] {
            #expect(!changed.isSignatureValid)
        }
    }

    @Test func theExportedLineReadsBack() throws {
        let key = try AuditSigningKey.generate()
        let checkpoint = try AuditCheckpoint.sign(sequence: 1000, hash: .zero.chained("x"),
                                                  time: 1_796_292_060_000, with: key)
        let line = checkpoint.exportedLine
        #expect(line.hasPrefix(#"{"seq":1000,"hash":""#))
        #expect(line.contains(#""public_key":"\#(key.publicKey.hex)""#))
        #expect(try AuditCheckpoint(exportedLine: line) == checkpoint)
        #expect(throws: AuditFailure.self) {
            try AuditCheckpoint(exportedLine: line.replacing(#""seq":1000"#, with: #""seq":"x""#))
        }
    }

    @Test func keysThatCannotSignAreRefused() throws {
        let directory = try TemporaryDirectory()
        let rsa = try TestProcess.run(
            "/usr/bin/openssl", ["genpkey", "-algorithm", "rsa", "-pkeyopt",
                                 "rsa_keygen_bits:2048"], directory: directory, name: "rsa")
        #expect(throws: AuditFailure.signingKey(
            "is a private key, but not an Ed25519 one (create one with: openssl genpkey "
                + "-algorithm ed25519)")) { try AuditSigningKey(pem: Array(rsa.utf8)) }

        let encrypted = try Self.opensslKey(directory, ["-aes-256-cbc", "-pass", "pass:pw"])
        #expect(throws: AuditFailure.signingKey(
            "is not an unencrypted PEM private key (create one with: openssl genpkey "
                + "-algorithm ed25519)")) { try AuditSigningKey(pem: encrypted) }
        #expect(throws: AuditFailure.self) { try AuditSigningKey(pem: Array("junk".utf8)) }
    }

    @Test func theKeyNeverPrintsItself() throws {
        let directory = try TemporaryDirectory()
        let pem = try Self.opensslKey(directory)
        let key = try AuditSigningKey(pem: pem)
        let body = String(decoding: pem, as: UTF8.self).split(separator: "\n")[1]
        for text in [key.description, "\(key)", String(reflecting: key)] {
            #expect(!text.contains(body))
            #expect(!text.contains(body.prefix(16)))
        }
        #expect(key.description.contains(key.publicKey.hex))
    }
}
