import Foundation

/// Samples a process's resident memory in the background until stopped, keeping the peak.
public final class MemorySampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    private let thread: Thread

    public init(pid: Int32, interval: Double = 0.02) {
        let box = Box()
        thread = Thread {
            while box.sampler?.isRunning ?? false {
                box.sampler?.record(MemorySampler.residentKiB(pid))
                usleep(UInt32(interval * 1_000_000))
            }
        }
        box.sampler = self
        record(Self.residentKiB(pid))
        thread.start()
    }

    /// Stops sampling and returns the peak resident memory seen, in KiB.
    public func stop() -> Int {
        lock.withLock { running = false }
        return lock.withLock { peak }
    }

    private var isRunning: Bool { lock.withLock { running } }

    private func record(_ value: Int) { lock.withLock { peak = max(peak, value) } }

    /// VmRSS of a process, in KiB.
    public static func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    }

    private final class Box: @unchecked Sendable {
        weak var sampler: MemorySampler?
    }
}
