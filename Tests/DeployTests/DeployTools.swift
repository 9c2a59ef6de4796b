import ChaperoneTestSupport
import Foundation

/// The files under deploy/ and the tools that read them: validators from PyPI in the
/// virtual environment scripts/python-env makes (.build/python), Debian's systemd-analyze,
/// and this target's own checks in Fixtures/.
enum Deploy {
    static let root = packageRoot + "/deploy"
    static let unit = root + "/chaperone.service"
    static let sysusers = root + "/sysusers.d/chaperone.conf"
    static let containerfile = root + "/Containerfile"
    static let kubernetes = root + "/kubernetes"
    static let fixtures = packageRoot + "/Tests/DeployTests/Fixtures"

    /// The manifests, in a stable order.
    static var manifests: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: kubernetes)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { kubernetes + "/" + $0 }
    }

    /// A program of the PyPI environment; fails with the remedy when it is not there.
    static func tool(_ name: String) throws -> String {
        let path = packageRoot + "/.build/python/bin/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure("\(path) is missing: run scripts/python-env (scripts/test does)")
        }
        return path
    }

    static func fixture(_ name: String) -> String { fixtures + "/" + name }
}

/// How a command line tool ended and what it wrote: the checks look at all three, since
/// some validators report problems and still exit 0.
struct ToolRun: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    var output: String { stdout + stderr }

    /// Exit 0 and not a word on either stream.
    var isClean: Bool {
        status == 0 && output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }

    /// Runs `executable` to its end; throws only when it cannot start or outlives `timeout`.
    init(_ executable: String, _ arguments: [String], timeout: Double = 60) throws {
        let directory = try TemporaryDirectory()
        let process = try TestProcess(executable, arguments, directory: directory,
                                      name: URL(fileURLWithPath: executable).lastPathComponent)
        guard let status = process.waitForExit(timeout: timeout) else {
            process.signal(SIGKILL)
            throw TestFailure("\(executable) \(arguments) still ran after \(timeout)s")
        }
        self.status = status
        stdout = process.stdout
        stderr = process.stderr
    }
}

/// A file's text with each of `replacements` made; fails when one does not occur, so a
/// deliberately broken copy is broken the way the test says.
func edited(_ path: String, _ replacements: [(String, String)]) throws -> String {
    var text = try String(contentsOfFile: path, encoding: .utf8)
    for (old, new) in replacements {
        guard text.contains(old) else {
            throw TestFailure("\(path) has no \(old.debugDescription)")
        }
        text = text.replacingOccurrences(of: old, with: new)
    }
    return text
}
