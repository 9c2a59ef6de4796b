#if canImport(Glibc)
import Glibc
#endif

/// Nanoseconds on the monotonic clock: for deadlines and durations, never for dates.
/// Shared by the event loops, the upstream client and the audit writer, which compare
/// readings across them.
public enum MonotonicClock {
    /// Nanoseconds from `start` to `end`, 0 if `end` was read first (a loop caches its
    /// time once per pass, so two readings may come in either order).
    @inlinable
    public static func elapsed(from start: UInt64, to end: UInt64) -> UInt64 {
        end > start ? end - start : 0
    }

    @inlinable
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, 0 when negative.
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1_000_000_000
            + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
