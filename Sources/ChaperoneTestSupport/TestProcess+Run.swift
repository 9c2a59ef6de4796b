import Foundation

extension TestProcess {
    /// Runs a command line tool to completion and returns what it wrote to standard output;
    /// throws with its standard error when it fails or runs longer than `timeout` seconds.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String],
                           directory: TemporaryDirectory, name: String,
                           timeout: Double = 30) throws -> String
    {
        let process = try TestProcess(executable, arguments, directory: directory, name: name)
        return try process.finish(timeout: timeout)
    }

    /// Waits for a process started with `TestProcess(...)` to end successfully and returns its
    /// standard output, so several tools can run at once and be collected afterwards.
    @discardableResult
    public func finish(timeout: Double = 30) throws -> String {
        let command = ([process.executableURL?.path ?? "?"] + (process.arguments ?? []))
            .joined(separator: " ")
        guard let status = waitForExit(timeout: timeout) else {
            signal(SIGKILL)
            throw TestFailure("\(command) still ran after \(timeout)s")
        }
        guard status == 0, terminationReason == .exit else {
            throw TestFailure("\(command) failed (\(status)):\n\(stderr)")
        }
        return stdout
    }
}
