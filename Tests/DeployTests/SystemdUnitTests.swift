import ChaperoneTestSupport
import Foundation
import Testing

/// deploy/chaperone.service and its system user, read by systemd's own tools.
@Suite(.timeLimit(.minutes(2))) struct SystemdUnitTests {
    static let analyze = "/usr/bin/systemd-analyze"

    /// A copy of the unit to verify, with `replacements` made. `systemd-analyze verify` insists
    /// that ExecStart= names an executable, and /usr/local/bin/chaperone, where the unit
    /// expects the installed binary, is not on a test machine: the copy points at the binary
    /// built beside the tests instead. That is its only difference from the file installed.
    static func copy(_ replacements: [(String, String)] = []) throws
        -> (directory: TemporaryDirectory, path: String)
    {
        let directory = try TemporaryDirectory()
        let text = try edited(Deploy.unit,
                              [("/usr/local/bin/chaperone", ChaperoneProcess.binary)]
                                  + replacements)
        return (directory, try directory.write("chaperone.service", text))
    }

    @Test func theUnitVerifiesWithoutAWord() throws {
        let (directory, unit) = try Self.copy()
        let run = try ToolRun(Self.analyze, ["verify", unit])
        #expect(run.isClean, "\(run)")
        withExtendedLifetime(directory) {}
    }

    /// systemd-analyze exits 0 for most mistakes and only says so: the check fails on the words.
    @Test(arguments: [
        ("NoNewPrivileges=yes", "NoNewPrivilegs=yes", "Unknown key 'NoNewPrivilegs'"),
        ("ProtectSystem=strict", "ProtectSystem=stricter", "Failed to parse protect system"),
        ("SystemCallFilter=@system-service", "SystemCallFilter=@system-servic",
         "Unknown system call group"),
        ("[Service]", "[Servic]", "Unknown section 'Servic'"),
    ])
    func aMistakeInTheUnitFailsVerification(line: String, typo: String, complaint: String) throws {
        let (directory, unit) = try Self.copy([(line, typo)])
        let run = try ToolRun(Self.analyze, ["verify", unit])
        #expect(!run.isClean)
        #expect(run.output.contains(complaint), "\(run)")
        withExtendedLifetime(directory) {}
    }

    /// `systemd-analyze security` scores how much of the system the service could reach, from
    /// 0 (nothing) to 10; it exits non-zero above the threshold (in tenths).
    @Test func theSandboxKeepsTheExposureAtOrBelowOnePointFive() throws {
        let (directory, unit) = try Self.copy()
        let run = try ToolRun(Self.analyze, ["security", "--offline=yes", "--threshold=15", unit])
        #expect(run.status == 0, "\(run)")
        let score = run.stdout.split(separator: "\n")
            .first { $0.contains("Overall exposure level for chaperone.service") }
        print("systemd-analyze security: \(score ?? "no score")")
        #expect(score != nil, "\(run)")
        withExtendedLifetime(directory) {}
    }

    @Test func withoutItsSandboxTheUnitExceedsTheThreshold() throws {
        let (directory, unit) = try Self.copy([
            ("\nProtectSystem=strict\n", "\n"), ("\nPrivateUsers=yes\n", "\n"),
            ("\nCapabilityBoundingSet=\n", "\n"),
            ("\nSystemCallFilter=@system-service\n", "\n"),
        ])
        let run = try ToolRun(Self.analyze, ["security", "--offline=yes", "--threshold=15", unit])
        #expect(run.status != 0, "\(run)")
        withExtendedLifetime(directory) {}
    }

    @Test func theSystemUserIsOneSystemdSysusersCreates() throws {
        let root = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: root.path("etc"),
                                                withIntermediateDirectories: true)
        let run = try ToolRun("/usr/bin/systemd-sysusers",
                              ["--dry-run", "--root=" + root.root, Deploy.sysusers])
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("Creating user 'chaperone'"), "\(run)")
        #expect(!run.output.contains("ignoring"), "\(run)")

        let broken = try root.write("broken.conf", try edited(
            Deploy.sysusers, [("/usr/sbin/nologin", "/usr/sbin/nologin extra")]))
        let refused = try ToolRun("/usr/bin/systemd-sysusers",
                                  ["--dry-run", "--root=" + root.root, broken])
        #expect(refused.status != 0)
        #expect(refused.output.contains("Trailing garbage"), "\(refused)")
    }
}
