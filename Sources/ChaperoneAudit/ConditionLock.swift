import ChaperoneClock
#if canImport(Glibc)
import Glibc
#endif

/// State under a mutex, with a condition variable on the monotonic clock for a thread
/// that waits for the state to change or for a deadline.
final class ConditionLock<State>: @unchecked Sendable {
    // `state` is only touched with `mutex` held; the pthread objects never move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var state: State

    /// What a waiter decides, with the lock held.
    enum Step<Result> {
        case done(Result)
        /// Wait for a signal, or until this monotonic time in nanoseconds (nil: no limit).
        case wait(until: UInt64?)
    }

    init(_ state: State) {
        self.state = state
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout State) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&state)
    }

    /// Wakes the waiter. Call it from `withLock`'s body, after changing the state.
    func signal() { pthread_cond_signal(condition) }

    /// Runs `decide` with the lock held, waiting between runs as it says, until it is done.
    func wait<Result>(_ decide: (inout State, _ now: UInt64) -> Step<Result>) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            switch decide(&state, MonotonicClock.now()) {
            case .done(let result):
                return result
            case .wait(nil):
                pthread_cond_wait(condition, mutex)
            case .wait(let deadline?):
                var time = timespec(tv_sec: Int(deadline / 1_000_000_000),
                                    tv_nsec: Int(deadline % 1_000_000_000))
                pthread_cond_timedwait(condition, mutex, &time)
            }
        }
    }
}
