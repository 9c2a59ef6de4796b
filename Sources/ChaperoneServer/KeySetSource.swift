import CChaperone
import ChaperoneClock
import ChaperoneConfig
import ChaperoneIdentity
import ChaperoneUpstream
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The issuer's signing keys, fetched from `identity.jwks_url` by a thread of its own and
/// shared by every event loop.
///
/// The set is fetched again at 80% of `jwks_cache`, so a rotation at the issuer is picked
/// up without a restart, and at once (at most every `minimumInterval`) when a token names a
/// key the set does not hold. A failed fetch keeps the keys already known; they stay usable
/// until `jwks_cache + jwks_max_stale` after the last successful fetch, and after that
/// every authenticated request is refused with 503: the proxy fails closed.
final class KeySetSource: Sendable {
    /// What a request sees: keys it may verify with, or why there are none.
    enum Availability {
        case usable(JSONWebKeySet, generation: Int)
        case unavailable(String)
    }

    /// Fastest pace of fetches that tokens with an unknown `kid` can cause.
    static let minimumInterval: UInt64 = 10_000_000_000
    private static let fetchTimeoutMilliseconds = 10_000
    private static let maxBytes = 1 << 20

    let settings: IdentitySettings

    private let metrics: Metrics
    private let state = Mutex(State())
    /// Written to wake the fetching thread early (a refresh asked for, or stop).
    private let wakeFD: Int32

    private struct State {
        var keys: JSONWebKeySet?
        /// Grows whenever the fetched keys differ from the previous ones, so verdicts cached
        /// under older keys are checked again.
        var generation = 0
        var lastBody: [UInt8] = []
        var lastSuccess: UInt64 = 0
        /// When a request last asked for a fetch; such fetches are rate-limited.
        var lastDemand: UInt64 = 0
        var lastFailure: String?
        var refreshAsked = false
        var stopped = false
        var subscribers: [ShardInbox] = []
    }

    init(settings: IdentitySettings, metrics: Metrics) {
        self.settings = settings
        self.metrics = metrics
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC))
        precondition(wakeFD >= 0, "eventfd failed")
    }

    deinit { close(wakeFD) }

    /// Starts the fetching thread; the first fetch begins at once.
    func start() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let source = Unmanaged<KeySetSource>.fromOpaque(context!).takeRetainedValue()
            source.run()
            return nil
        }, context)
        precondition(result == 0, "pthread_create failed: \(result)")
        pthread_detach(thread)
    }

    /// Ends the thread after the fetch in progress, if any; nothing waits for it.
    func stop() {
        state.withLock { $0.stopped = true }
        wake()
    }

    /// Shards whose requests wait for keys hear through their inbox after every fetch.
    func subscribe(_ inbox: ShardInbox) {
        state.withLock { $0.subscribers.append(inbox) }
    }

    func availability(now: UInt64) -> Availability {
        state.withLock { state in
            guard let keys = state.keys else {
                return .unavailable(state.lastFailure.map { "the issuer's keys could not be "
                    + "fetched yet: \($0)" } ?? "the issuer's keys are being fetched")
            }
            let usableFor = settings.jwksCacheLifetime.nanoseconds
                + settings.jwksMaxStale.nanoseconds
            guard now &- state.lastSuccess <= usableFor else {
                return .unavailable("the issuer's keys are out of date and cannot be "
                    + "fetched: \(state.lastFailure ?? "no answer")")
            }
            return .usable(keys, generation: state.generation)
        }
    }

    var hasKeys: Bool { state.withLock { $0.keys != nil } }

    /// Asks for a fetch now, for a token whose key is unknown or because the keys are out
    /// of date. Returns false when a request asked too recently (the scheduled fetches do
    /// not count): the token is then refused rather than made to wait.
    func requestRefresh(now: UInt64) -> Bool {
        let asked = state.withLock { state -> Bool in
            if state.refreshAsked { return true }
            guard state.lastDemand == 0 || now &- state.lastDemand >= Self.minimumInterval
            else { return false }
            state.lastDemand = now
            state.refreshAsked = true
            return true
        }
        if asked { wake() }
        return asked
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: - The fetching thread

    private func run() {
        var failures = 0
        while !state.withLock({ $0.stopped }) {
            let succeeded = fetch()
            metrics.keyFetches.add(succeeded ? 0 : 1)
            failures = succeeded ? 0 : failures + 1
            let subscribers = state.withLock { state in
                state.refreshAsked = false
                return state.subscribers
            }
            for inbox in subscribers { inbox.post(.keysFetched) }
            sleep(milliseconds: succeeded
                ? settings.jwksCacheLifetime.milliseconds * 8 / 10
                : min(60_000, 1_000 << min(failures - 1, 6)))
        }
    }

    /// One fetch; true when it produced a usable key set.
    private func fetch() -> Bool {
        let url = settings.jwksURL.description
        let outcome = ControlFetch.get(url, caFile: settings.caFile,
                                       timeoutMilliseconds: Self.fetchTimeoutMilliseconds,
                                       maxBytes: Self.maxBytes)
        let keys: JSONWebKeySet
        let body: [UInt8]
        switch outcome {
        case .failure(let failure):
            return failed("cannot fetch \(url): \(failure)")
        case .success(let response) where response.status != 200:
            return failed("\(url) answered \(response.status)")
        case .success(let response):
            do {
                keys = try JSONWebKeySet(json: response.body)
                body = response.body
            } catch {
                return failed("\(url) did not answer with a usable key set: \(error)")
            }
        }
        let changed = state.withLock { state -> Bool in
            let changed = state.lastBody != body
            if changed {
                state.generation += 1
                state.lastBody = body
            }
            state.keys = keys
            state.lastSuccess = MonotonicClock.now()
            state.lastFailure = nil
            return changed
        }
        if changed {
            Log.event(.info, "issuer keys fetched", [
                "url": url, "keys": String(keys.count),
                "key_ids": keys.keyIDs.joined(separator: " "),
            ])
        }
        for reason in keys.skipped {
            Log.event(.warning, "issuer key ignored", ["url": url, "reason": reason])
        }
        return true
    }

    private func failed(_ reason: String) -> Bool {
        state.withLock { $0.lastFailure = reason }
        Log.event(.warning, "issuer keys not fetched", ["reason": reason])
        return false
    }

    /// Waits until the time is up, a refresh is asked for or the source is stopped.
    private func sleep(milliseconds: Int64) {
        var poller = pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)
        let deadline = MonotonicClock.now() + UInt64(max(0, milliseconds)) * 1_000_000
        while true {
            let now = MonotonicClock.now()
            guard now < deadline else { return }
            let wait = Int32(min(UInt64(Int32.max), (deadline - now) / 1_000_000 + 1))
            if poll(&poller, 1, wait) > 0 {
                var count: UInt64 = 0
                _ = read(wakeFD, &count, 8)
                return
            }
        }
    }
}
