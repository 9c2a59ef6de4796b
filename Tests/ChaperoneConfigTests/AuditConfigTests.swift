import ChaperoneAudit
import Testing

@testable import ChaperoneConfig

/// An Ed25519 key made by `openssl genpkey -algorithm ed25519` for these tests only.
let auditKeyPEM = """
    -----BEGIN PRIVATE KEY-----
    MC4CAQAwBQYDK2VwBCIEIAN89XiP5XxzQWF6WBx2PDwZ8evK0kxq4VkVmNjiXXtN
    -----END PRIVATE KEY-----

    """

/// An X25519 key: PEM, but not one that signs.
let x25519PEM = """
    -----BEGIN PRIVATE KEY-----
    MC4CAQAwBQYDK2VuBCIEIMD5zq2Ei0BlvLPW9Lxh0JW1GhtkNq/rDU/Ip1J3FZ5I
    -----END PRIVATE KEY-----

    """

let auditSecrets = SecretSource(
    environment: {
        ["AUDIT_KEY": auditKeyPEM, "NOT_A_KEY": "hunter2", "VAULT_KEY": vaultKeyBase64][$0]
    },
    readFile: { path in
        switch path {
        case "keys/audit.pem", "conf/keys/audit.pem", "conf/.chaperone/audit.key":
            .success(Array(auditKeyPEM.utf8))
        case "keys/x25519.pem": .success(Array(x25519PEM.utf8))
        default: .failure(FileReadError("No such file or directory"))
        }
    }
)

func loadAudit(_ text: String, file: String = "proxy.yaml",
               secrets: SecretSource = auditSecrets) throws(ConfigErrors) -> Configuration
{
    try ConfigLoader(secrets: secrets, defaultWorkers: 2).load(text: Array(text.utf8), file: file)
}

func auditErrors(_ text: String, secrets: SecretSource = auditSecrets) -> [String] {
    do {
        _ = try loadAudit(text, secrets: secrets)
        return []
    } catch {
        return error.problems.filter { $0.severity == .error }.map(\.description)
    }
}

@Suite struct AuditConfigTests {
    @Test func everyKeyBecomesSettings() throws {
        let config = try loadAudit("""
            version: 1
            audit:
              store: sqlite:data/audit.db
              durability: strict
              flush_interval: 20ms
              queue: 500
              mirror: logs/audit.jsonl
              signing_key: {file: keys/audit.pem}
              checkpoint_every: 100
              checkpoint_interval: 5m

            """, file: "conf/proxy.yaml")
        let audit = config.audit
        #expect(audit.store == .sqlite(path: "conf/data/audit.db"))
        #expect(audit.durability == .strict)
        #expect(audit.flushInterval == .milliseconds(20))
        #expect(audit.queue == 500)
        #expect(audit.mirror == .file("conf/logs/audit.jsonl"))
        #expect(audit.keySource == .file("conf/keys/audit.pem"))
        let key = try AuditSigningKey(pem: Array(auditKeyPEM.utf8))
        #expect(audit.publicKey == key.publicKey)
        #expect(audit.checkpointEvery == 100)
        #expect(audit.checkpointInterval == .seconds(300))
        #expect(audit.isConfigured)

        let options = audit.logOptions
        #expect(options.path == "conf/data/audit.db")
        #expect(options.durability == .strict)
        #expect(options.highWater == 500)
        #expect(options.mirror == .file("conf/logs/audit.jsonl"))
        #expect(options.checkpointEvery == 100)
    }

    @Test func withoutASectionTheDefaultsApplyBesideTheFile() throws {
        let config = try loadAudit("version: 1\n", file: "conf/proxy.yaml")
        let audit = config.audit
        #expect(audit.store == .sqlite(path: "conf/.chaperone/audit.db"))
        #expect(audit.durability == .batch)
        #expect(audit.flushInterval == .milliseconds(50))
        #expect(audit.queue == 10_000)
        #expect(audit.mirror == nil)
        #expect(audit.keySource == .file("conf/.chaperone/audit.key"))
        #expect(audit.publicKey != nil)
        #expect(audit.checkpointEvery == 1_000)
        #expect(audit.checkpointInterval == .seconds(60))
        #expect(!audit.isConfigured)
    }

    @Test func aMissingDefaultKeyIsLeftForTheLogToGenerate() throws {
        let config = try loadAudit("version: 1\naudit: {mirror: stderr}\n", file: "x/proxy.yaml")
        #expect(config.audit.publicKey == nil)
        #expect(config.audit.mirror == .standardError)
        guard case .generatedIfMissing(let path) = config.audit.logOptions.signingKey else {
            Issue.record("expected the default key to be generated")
            return
        }
        #expect(path == "x/.chaperone/audit.key")
    }

    @Test func aKeyFromTheEnvironmentIsRead() throws {
        let config = try loadAudit("version: 1\naudit: {signing_key: {env: AUDIT_KEY}}\n")
        #expect(config.audit.keySource == .environment("AUDIT_KEY"))
        #expect(config.audit.publicKey != nil)
    }

    @Test(arguments: [
        ("version: 1\naudit: {store: 'postgres://u:pw@db/audit'}\n", [
            "proxy.yaml:2:16: audit.store: expected sqlite:PATH, such as "
                + "sqlite:.chaperone/audit.db",
        ]),
        ("version: 1\naudit: {store: 'sqlite::memory:'}\n", [
            "proxy.yaml:2:16: audit.store: sqlite: needs the path of a file, such as "
                + "sqlite:.chaperone/audit.db",
        ]),
        ("version: 1\naudit: {durability: always}\n", [
            "proxy.yaml:2:21: audit.durability: expected batch (records committed within "
                + "flush_interval) or strict (each request waits for its record)",
        ]),
        ("version: 1\naudit: {flush_interval: 0s}\n", [
            "proxy.yaml:2:25: audit.flush_interval: must be from 1ms to 10s",
        ]),
        ("version: 1\naudit: {flush_interval: soon}\n", [
            "proxy.yaml:2:25: audit.flush_interval: expected a duration such as 500ms, 30s, "
                + "5m or 1h",
        ]),
        ("version: 1\naudit: {queue: 0}\n", [
            "proxy.yaml:2:16: audit.queue: expected a whole number from 1 to 1000000",
        ]),
        ("version: 1\naudit: {mirror: stdout}\n", [
            "proxy.yaml:2:17: audit.mirror: expected stderr or the path of a file, such as "
                + "/var/log/chaperone/audit.jsonl",
        ]),
        ("version: 1\naudit: {mirror: .chaperone/audit.db-wal}\n", [
            "proxy.yaml:2:17: audit.mirror: is the audit store itself: the mirror needs a "
                + "file of its own",
        ]),
        ("version: 1\naudit: {signing_key: {file: keys/missing.pem}}\n", [
            "proxy.yaml:2:29: audit.signing_key.file: cannot read keys/missing.pem: No such "
                + "file or directory",
        ]),
        ("version: 1\naudit: {signing_key: {env: UNSET}}\n", [
            "proxy.yaml:2:28: audit.signing_key.env: environment variable UNSET is not set",
        ]),
        ("version: 1\naudit: {signing_key: {env: NOT_A_KEY}}\n", [
            "proxy.yaml:2:28: audit.signing_key.env: environment variable NOT_A_KEY is not an "
                + "unencrypted PEM private key (create one with: openssl genpkey -algorithm "
                + "ed25519)",
        ]),
        ("version: 1\naudit: {signing_key: {file: keys/x25519.pem}}\n", [
            "proxy.yaml:2:29: audit.signing_key.file: file keys/x25519.pem is a private key, "
                + "but not an Ed25519 one (create one with: openssl genpkey -algorithm ed25519)",
        ]),
        ("version: 1\naudit: {signing_key: inline-key}\n", [
            "proxy.yaml:2:22: audit.signing_key: a secret is {env: NAME} or {file: PATH}, "
                + "never written inline",
        ]),
        ("version: 1\naudit: {checkpoint_every: -1}\n", [
            "proxy.yaml:2:27: audit.checkpoint_every: expected a whole number from 1 to "
                + "1000000",
        ]),
        ("version: 1\naudit: {checkpoint_interval: 100ms}\n", [
            "proxy.yaml:2:30: audit.checkpoint_interval: must be from 1s to 24h",
        ]),
        ("version: 1\naudit: {checkpoint_evry: 10}\n", [
            "proxy.yaml:2:9: audit.checkpoint_evry: unknown key 'checkpoint_evry' (did you "
                + "mean 'checkpoint_every'?)",
        ]),
        ("version: 1\naudit: sqlite:audit.db\n", [
            "proxy.yaml:2:8: audit: expected a mapping, found a scalar",
        ]),
    ])
    func everyBadValueIsNamedWhereItStands(_ text: String, _ expected: [String]) {
        #expect(auditErrors(text) == expected)
    }

    @Test func theAuditStoreCannotBeTheVaultStore() {
        let errors = auditErrors("""
            version: 1
            vault: {store: 'sqlite:both.db', key: {env: VAULT_KEY}}
            audit: {store: 'sqlite:both.db'}

            """)
        #expect(errors == ["proxy.yaml:3:16: audit.store: is the vault's store "
            + "(vault.store): the audit log needs a file of its own"])
    }

    /// The default key file exists but holds no key: reported, not replaced.
    @Test func aBrokenDefaultKeyIsAnErrorNotARegeneration() {
        let broken = SecretSource(environment: { _ in nil }, readFile: { path in
            path == ".chaperone/audit.key" ? .success(Array("garbage".utf8))
                : .failure(FileReadError("No such file or directory"))
        })
        #expect(auditErrors("version: 1\n", secrets: broken) == [
            "proxy.yaml:1:1: audit.signing_key: file .chaperone/audit.key (the default audit "
                + "signing key) is not an unencrypted PEM private key (create one with: "
                + "openssl genpkey -algorithm ed25519)",
        ])
    }

    @Test func theKeyNeverPrints() throws {
        let config = try loadAudit("version: 1\naudit: {signing_key: {env: AUDIT_KEY}}\n")
        let body = "MC4CAQAwBQYDK2VwBCIEIAN89XiP5XxzQWF6WBx2PDwZ8evK0kxq4VkVmNjiXXtN"
        #expect(!String(reflecting: config.audit).contains(body))
        #expect(!String(reflecting: config.audit).contains(body.prefix(12)))
        #expect(!"\(config.audit)".contains(body.suffix(20)))
    }
}
