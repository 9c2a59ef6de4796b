import ChaperoneClock
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `POST /reload` on the admin listener: the admin thread asks, the controlling thread (the
/// one that takes signals) reloads, and the admin thread waits for the answer. Asking
/// raises SIGHUP, so a reload always happens on the thread that owns the server.
public final class ReloadRequests: Sendable {
    /// How a reload ended, as the admin listener reports it.
    public enum Result: Sendable {
        case reloaded(routes: Int, digest: String, restartOnly: [String])
        case refused([String])
    }

    private struct State {
        var asked = 0
        var done = 0
        var last: Result?
    }

    private let state = Mutex(State())

    public init() {}

    /// Asks for a reload and waits up to `timeout` seconds for the one that covers it.
    func reload(timeout: Double) -> Result? {
        let ticket = state.withLock { state -> Int in
            state.asked += 1
            return state.asked
        }
        kill(getpid(), SIGHUP)
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        while MonotonicClock.now() < deadline {
            let answer = state.withLock { $0.done >= ticket ? $0.last : nil }
            if let answer { return answer }
            usleep(10_000)
        }
        return nil
    }

    /// Called by the controlling thread before it reads the file: the reload about to run
    /// covers every request asked so far.
    public func begin() -> Int { state.withLock { $0.asked } }

    /// Called by the controlling thread when the reload that `begin` returned `ticket` for
    /// has ended.
    public func finish(_ ticket: Int, _ result: Result) {
        state.withLock { state in
            state.done = max(state.done, ticket)
            state.last = result
        }
    }
}
