import Foundation

/// Kills a child process when its owner dies. A test peer is normally stopped when its object is
/// released, but a test runner that crashes, is killed, or exits with the peer held in a global
/// releases nothing: this small shell loop outlives the runner just long enough to end the peer
/// and remove its temporary directory. It exits by itself once the child has gone.
public final class ProcessWatchdog: Sendable {
    private let process: TestProcess

    /// Watches `owner` (by default this process); when it is gone, sends SIGKILL to `child`
    /// and removes `directory`, where the watchdog also keeps its own output. With
    /// `processGroup`, `child` leads a process group and the whole group is killed: for a
    /// script whose own children would otherwise outlive it.
    public init(child: Int32, owner: Int32 = getpid(), directory: TemporaryDirectory,
                interval: Double = 0.2, processGroup: Bool = false) throws
    {
        // kill -0 also succeeds on a zombie, so the loop keeps waiting while the owner has not
        // yet reaped the child; the clean-up only runs when the owner is really gone. bash,
        // not sh: dash's kill takes no process group.
        let target = processGroup ? "-- -$2" : "\"$2\""
        let script = """
            while kill -0 "$1" 2>/dev/null && kill -0 \(target) 2>/dev/null; do
                sleep \(interval)
            done
            kill -0 "$1" 2>/dev/null && exit 0
            kill -KILL \(target) 2>/dev/null
            rm -rf -- "$3"
            """
        process = try TestProcess(
            "/bin/bash", ["-c", script, "watchdog", "\(owner)", "\(child)", directory.root],
            directory: directory, name: "watchdog-\(child)")
    }

    deinit { stop() }

    public var isRunning: Bool { process.process.isRunning }

    /// Ends the watchdog without touching the child. Foundation starts every child in its own
    /// process group, so this also ends a `sleep` the loop is waiting on.
    public func stop() {
        guard process.process.isRunning else { return }
        kill(-process.pid, SIGKILL)
        _ = process.waitForExit(timeout: 5)
    }

    /// Waits (up to `timeout` seconds) for the watchdog to exit by itself.
    public func waitForExit(timeout: Double = 5) -> Bool {
        process.waitForExit(timeout: timeout) != nil
    }
}
