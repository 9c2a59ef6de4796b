import Foundation

/// A child process for end-to-end tests, its output captured to files so a test can wait
/// for a line and read everything afterwards. Killed when released.
public final class TestProcess: @unchecked Sendable {
    public let process = Process()
    public let stdoutPath: String
    public let stderrPath: String

    /// Starts `executable` with `arguments`; `environment` adds to (or replaces entries of)
    /// the test runner's own environment. Standard input is empty unless `input` is given.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                directory: TemporaryDirectory, name: String, coreLimitUnlimited: Bool = false,
                input: [UInt8]? = nil) throws
    {
        stdoutPath = directory.path("\(name).out")
        stderrPath = directory.path("\(name).err")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        if coreLimitUnlimited {
            // setrlimit in the child without a C shim: exec through the shell's ulimit.
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "ulimit -c unlimited && exec \"$0\" \"$@\"", executable]
                + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory.root)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        if let input {
            let inputPath = directory.path("\(name).in")
            _ = FileManager.default.createFile(atPath: inputPath, contents: Data(input))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public var pid: Int32 { process.processIdentifier }

    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until `predicate` holds for the captured output (stdout or stderr), or throws
    /// after `timeout` seconds or when the process exits first.
    @discardableResult
    public func waitForOutput(timeout: Double = 15, stream: KeyPath<TestProcess, String> = \.stderr,
                              _ predicate: (String) -> Bool) throws -> String
    {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = self[keyPath: stream]
            if predicate(text) { return text }
            if !process.isRunning {
                throw TestFailure("process exited (\(process.terminationStatus)) before the "
                    + "expected output:\n\(stdout)\n\(stderr)")
            }
            usleep(20_000)
        }
        throw TestFailure("timed out after \(timeout)s waiting for output:\n\(stderr)")
    }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// The exit status, or nil if the process is still running after `timeout` seconds.
    public func waitForExit(timeout: Double = 15) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// How the process ended: `.exit` or `.uncaughtSignal`.
    public var terminationReason: Process.TerminationReason { process.terminationReason }
}

/// A failure in the test harness itself, with a message that says what was expected.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// A directory under the system's temporary directory, removed when released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let root: String

    public init() throws {
        let template = NSTemporaryDirectory() + "chaperone-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else { throw TestFailure("mkdtemp failed") }
        root = String(decoding: bytes.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)),
                      as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    public func path(_ name: String) -> String { root + "/" + name }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let path = path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// Where the package's sources are, from this file's own path.
public let packageRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()
