import ChaperoneTestSupport
import Foundation
import Testing

/// A directory with a configuration that defines the `github` connection and a vault key
/// made by the openssl command line, for running the built binary's `vault` commands.
final class VaultWorkspace {
    let directory: TemporaryDirectory
    let configPath: String
    /// Everything the commands printed, to look for secrets in.
    private(set) var transcript = ""

    static let environment = ["GH_CLIENT_SECRET": "gh-client-s3cret"]

    init(vaultSection: String = "") throws {
        directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path(".chaperone"),
                                                withIntermediateDirectories: false)
        configPath = try directory.write("proxy.yaml", Self.config(vaultSection: vaultSection))
        try makeKey(".chaperone/vault.key")
    }

    static func config(vaultSection: String) -> String {
        """
        version: 1
        \(vaultSection)
        connections:
          github:
            token_url: https://github.com/login/oauth/access_token
            client_id: Iv1.test
            client_secret: {env: GH_CLIENT_SECRET}
            scopes: [repo]
        routes:
          - name: issues
            path: /github/**
            upstream: https://api.github.com
            strip_prefix: /github
            connection: github
        \(identity)
        """
    }

    /// The vault keeps grants per user, so a route that uses it needs verified callers.
    static let identity = """
        identity:
          issuer: https://issuer.test/
          jwks_url: https://issuer.test/jwks.json
          audience: https://chaperone.test
        """

    /// 32 random bytes, base64, written by `openssl rand` (not by code under test).
    func makeKey(_ name: String) throws {
        let openssl = try TestProcess("/usr/bin/openssl",
                                      ["rand", "-base64", "-out", directory.path(name), "32"],
                                      directory: directory, name: "openssl")
        guard openssl.waitForExit() == 0 else { throw TestFailure("openssl rand failed") }
    }

    /// Runs `chaperone vault ARGUMENTS --config ...` with `input` on standard input.
    @discardableResult
    func vault(_ arguments: [String], input: String? = nil, config: Bool = true) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = try TestProcess(
            ChaperoneProcess.binary,
            ["vault"] + arguments + (config ? ["--config", configPath] : []),
            environment: Self.environment, directory: directory, name: "vault",
            input: input.map { Array($0.utf8) })
        let status = process.waitForExit() ?? -1
        transcript += process.stdout + process.stderr
        return (status, process.stdout, process.stderr)
    }

    /// The vault's files as bytes: the database and, when present, its WAL and index.
    var storedBytes: [UInt8] {
        ["vault.db", "vault.db-wal", "vault.db-shm"].flatMap {
            FileManager.default.contents(atPath: directory.path(".chaperone/" + $0))
                .map(Array.init) ?? []
        }
    }

    /// The key id a table line of `vault list` shows, its last column.
    func keyIDs(_ listing: String) -> [String] {
        listing.split(separator: "\n").dropFirst().compactMap {
            $0.split(separator: " ").last.map(String.init)
        }
    }
}

/// A refresh token that appears nowhere unless something leaks it.
func uniqueRefreshToken() -> String {
    "rt-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") + "-xyz"
}

@Suite struct VaultCommandTests {
    @Test func putFromStandardInputThenListShowsTheGrantButNoToken() throws {
        let workspace = try VaultWorkspace()
        let token = uniqueRefreshToken()
        let put = try workspace.vault(["put", "--user", "auth0|alice", "--connection", "github",
                                       "--scopes", "repo read:org"], input: token + "\n")
        #expect(put.status == 0)
        #expect(put.stdout.contains("stored the grant of user 'auth0|alice' for connection "
            + "'github' (scopes: repo read:org; sealed under key "))

        let list = try workspace.vault(["list"])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("USER") == true)
        #expect(lines.count == 2)
        #expect(lines[1].contains("auth0|alice"))
        #expect(lines[1].contains("github"))
        #expect(lines[1].contains("repo,read:org"))
        #expect(lines[1].contains("active"))
        #expect(lines[1].contains("never"))

        #expect(!workspace.transcript.contains(token))
        let stored = workspace.storedBytes
        #expect(stored.count > 4096)
        #expect(stored.firstRange(of: Array(token.utf8)) == nil)
        #expect(stored.firstRange(of: Array(token.utf8.dropFirst(3).prefix(12))) == nil)
        #expect(stored.firstRange(of: Array("auth0|alice".utf8)) != nil)
    }

    @Test func theVaultFileIsCreatedOwnerOnly() throws {
        let workspace = try VaultWorkspace()
        try workspace.vault(["put", "--user", "alice", "--connection", "github"], input: "rt")
        let attributes = try FileManager.default.attributesOfItem(
            atPath: workspace.directory.path(".chaperone/vault.db"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func revokeMarksTheGrantAndIsIdempotent() throws {
        let workspace = try VaultWorkspace()
        try workspace.vault(["put", "--user", "alice", "--connection", "github"], input: "rt-1")
        let revoke = try workspace.vault(["revoke", "--user", "alice", "--connection", "github"])
        #expect(revoke.status == 0)
        #expect(revoke.stdout.contains("revoked the grant of user 'alice'"))
        let again = try workspace.vault(["revoke", "--user", "alice", "--connection", "github"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("already revoked"))
        let list = try workspace.vault(["list", "--user", "alice"])
        #expect(list.stdout.split(separator: "\n")[1].contains("revoked"))
        #expect(workspace.keyIDs(list.stdout) == ["-"])

        let unknown = try workspace.vault(["revoke", "--user", "bob", "--connection", "github"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no active grant for user 'bob'"))
    }

    @Test func rotateKeyWorksWithTheNewKeyAndFailsClearlyWithTheOld() throws {
        let workspace = try VaultWorkspace()
        let token = uniqueRefreshToken()
        for user in ["alice", "bob"] {
            try workspace.vault(["put", "--user", user, "--connection", "github"], input: token)
        }
        let oldID = try #require(workspace.keyIDs(try workspace.vault(["list"]).stdout).first)
        try workspace.makeKey("new.key")

        let rotate = try workspace.vault(["rotate-key", "--new-key-file",
                                          workspace.directory.path("new.key")])
        #expect(rotate.status == 0)
        #expect(rotate.stdout.contains("re-sealed 2 grants under key "))
        #expect(rotate.stdout.contains("(they were under \(oldID))"))
        #expect(rotate.stdout.contains("point vault.key in \(workspace.configPath)"))

        let stale = try workspace.vault(["list"])
        #expect(stale.status == 1)
        let words = rotate.stdout.split(separator: " ").map(String.init)
        let newID = try #require(words.first { $0.count == 16 })
        #expect(stale.stderr.contains("the vault is sealed with key \(newID), but the key "
            + "given is \(oldID)"))
        #expect(stale.stderr.contains(".chaperone/vault.key"))

        try Self.pointKey(of: workspace, at: "{file: new.key}")
        let list = try workspace.vault(["list"])
        #expect(list.status == 0)
        #expect(workspace.keyIDs(list.stdout) == [newID, newID])
        #expect(!workspace.transcript.contains(token))
    }

    @Test func rotateKeyFromTheEnvironmentAndBadNewKeys() throws {
        let workspace = try VaultWorkspace()
        try workspace.vault(["put", "--user", "alice", "--connection", "github"], input: "rt")
        let short = try workspace.directory.write("short.key", "c2hvcnQ=\n")
        let bad = try workspace.vault(["rotate-key", "--new-key-file", short])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("holds 9 bytes, neither a raw 32-byte key nor base64"))
        #expect(!bad.stderr.contains("c2hvcnQ"))

        let process = try TestProcess(
            ChaperoneProcess.binary,
            ["vault", "rotate-key", "--new-key-env", "NEW_VAULT_KEY", "--config",
             workspace.configPath],
            environment: VaultWorkspace.environment.merging(
                ["NEW_VAULT_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="]) { $1 },
            directory: workspace.directory, name: "rotate")
        #expect(process.waitForExit() == 0)
        #expect(process.stdout.contains("key: {env: NEW_VAULT_KEY}"))
    }

    @Test func theTokenIsNeverTakenAsAnArgument() throws {
        let workspace = try VaultWorkspace()
        let token = uniqueRefreshToken()
        for arguments in [
            ["put", "--user", "alice", "--connection", "github", token],
            ["put", "--user", "alice", "--connection", "github", "--token", token],
            ["put", "--user", "alice", "--connection", "github", "--refresh-token=" + token],
            ["put", token, "--user", "alice", "--connection", "github"],
        ] {
            let result = try workspace.vault(arguments, input: token)
            #expect(result.status == 64)
            #expect(result.stderr.contains("read from standard input, never from an argument"))
        }
        #expect(!workspace.transcript.contains(token))
        #expect(try workspace.vault(["list"]).stdout.split(separator: "\n").count == 1)
    }

    @Test func theRefreshTokenNeverAppearsInAnyOutput() throws {
        let workspace = try VaultWorkspace()
        let token = uniqueRefreshToken()
        let put = ["put", "--user", "alice", "--connection", "github"]
        try workspace.vault(put, input: token + "\n")
        try workspace.vault(put, input: token + "\r\n")
        try workspace.vault(["put", "--user", "alice", "--connection", "gitlab"], input: token)
        try workspace.vault(put, input: token + "\u{7}bell")
        try workspace.vault(put, input: String(repeating: token, count: 1_000))
        try workspace.vault(["list"])
        try workspace.vault(["list", "--user", "alice", "--connection", "github"])
        try workspace.makeKey("next.key")
        try workspace.vault(["rotate-key", "--new-key-file", workspace.directory.path("next.key")])
        try workspace.vault(["list"])
        try workspace.vault(["revoke", "--user", "alice", "--connection", "github"])
        #expect(workspace.transcript.contains("stored the grant"))
        #expect(workspace.transcript.contains("re-sealed 1 grant"))
        #expect(!workspace.transcript.contains(token))
        #expect(!workspace.transcript.contains(String(token.dropFirst(3).prefix(16))))
        #expect(workspace.storedBytes.firstRange(of: Array(token.utf8)) == nil)
    }

    @Test func badInputFailsWithoutStoringAnything() throws {
        let workspace = try VaultWorkspace()
        let put = ["put", "--user", "alice", "--connection", "github"]
        let empty = try workspace.vault(put, input: "\n")
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("standard input held no refresh token"))
        let control = try workspace.vault(put, input: "rt\u{0}x")
        #expect(control.status == 1)
        #expect(control.stderr.contains("control character"))
        let unknown = try workspace.vault(["put", "--user", "alice", "--connection", "gitlab"],
                                          input: "rt")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no connection named 'gitlab' in "
            + "\(workspace.configPath) (connections: github)"))
        #expect(try workspace.vault(["list"]).stdout.split(separator: "\n").count == 1)
    }

    @Test func usageErrorsExit64AndEveryCommandHasHelp() throws {
        let workspace = try VaultWorkspace()
        for command in ["put", "list", "revoke", "rotate-key"] {
            let help = try workspace.vault([command, "--help"], config: false)
            #expect(help.status == 0)
            #expect(help.stdout.contains("Usage: chaperone vault \(command)"))
        }
        #expect(try workspace.vault(["--help"], config: false).stdout
            .contains("Usage: chaperone vault <command>"))
        for arguments in [
            [], ["open"], ["put", "--connection", "github"], ["revoke", "--user", "alice"],
            ["list", "--user"], ["list", "--user", "a", "--user", "b"], ["rotate-key"],
            ["rotate-key", "--new-key-file", "a", "--new-key-env", "B"],
            ["put", "--user", "a", "--connection", "github", "--scopes", "a\"b"],
        ] {
            #expect(try workspace.vault(arguments).status == 64, "\(arguments)")
        }
    }

    @Test func aMissingKeyOrConfigurationFailsWithItsReason() throws {
        let workspace = try VaultWorkspace()
        try FileManager.default.removeItem(atPath: workspace.directory.path(".chaperone/vault.key"))
        let missing = try workspace.vault(["list"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("vault.key: cannot read "))
        #expect(missing.stderr.contains(".chaperone/vault.key (the default vault key, which "
            + "routes[0] needs): No such file or directory"))

        let nowhere = try workspace.vault(["list", "--config", "/nonexistent/proxy.yaml"],
                                          config: false)
        #expect(nowhere.status == 1)
        #expect(nowhere.stderr.contains("cannot read the configuration"))
    }

    @Test func listBeforeAnyPutSaysThereIsNoVaultYet() throws {
        let workspace = try VaultWorkspace()
        let list = try workspace.vault(["list"])
        #expect(list.status == 0)
        #expect(list.stdout.hasPrefix("USER"))
        #expect(list.stderr.contains("no vault at "))
        #expect(!FileManager.default.fileExists(
            atPath: workspace.directory.path(".chaperone/vault.db")))
    }

    /// Rewrites the workspace's configuration with `vault.key` set to `key`.
    static func pointKey(of workspace: VaultWorkspace, at key: String) throws {
        try VaultWorkspace.config(vaultSection: "vault:\n  key: \(key)")
            .write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
    }
}

@Suite struct VaultConfigurationCommandTests {
    @Test func checkReportsAPostgresStoreAtItsPosition() throws {
        let workspace = try VaultWorkspace(
            vaultSection: "vault:\n  store: postgres://chaperone:pw@db.internal/vault")
        let process = try TestProcess(ChaperoneProcess.binary,
                                      ["check", "--config", workspace.configPath],
                                      environment: VaultWorkspace.environment,
                                      directory: workspace.directory, name: "check")
        #expect(process.waitForExit() == 1)
        #expect(process.stderr.contains("\(workspace.configPath):3:10: vault.store: PostgreSQL "
            + "vaults are not supported by this build yet: use sqlite:PATH"))
        #expect(!process.stderr.contains("pw@"))
    }

    @Test func checkRefusesAVaultRouteWithoutAnIdentitySection() throws {
        let workspace = try VaultWorkspace()
        let check = try TestProcess(ChaperoneProcess.binary,
                                    ["check", "--config", workspace.configPath],
                                    environment: VaultWorkspace.environment,
                                    directory: workspace.directory, name: "check")
        #expect(check.waitForExit() == 0)

        let withoutIdentity = VaultWorkspace.config(vaultSection: "")
            .replacingOccurrences(of: VaultWorkspace.identity, with: "")
        try withoutIdentity.write(toFile: workspace.configPath, atomically: true,
                                  encoding: .utf8)
        let refused = try TestProcess(ChaperoneProcess.binary,
                                      ["check", "--config", workspace.configPath],
                                      environment: VaultWorkspace.environment,
                                      directory: workspace.directory, name: "check")
        #expect(refused.waitForExit() == 1)
        #expect(refused.stderr.contains("routes[0].connection: a route that takes its "
            + "credential from the vault needs an identity section"))
    }
}
