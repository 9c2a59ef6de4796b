#if canImport(Glibc)
import Glibc
#endif

/// Where the store reads the time it records (created, last used, last refreshed), so
/// tests can set it instead of waiting.
public struct VaultClock: Sendable {
    /// Seconds since the epoch.
    public var now: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64) { self.now = now }

    /// The system's wall clock.
    public static let system = VaultClock {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec)
    }
}
