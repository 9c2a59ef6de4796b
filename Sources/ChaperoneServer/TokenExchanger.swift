import ChaperoneConfig
import ChaperoneIdentity
import ChaperoneUpstream
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Trades users' access tokens for on-behalf-of tokens at the issuer's token endpoint
/// (RFC 8693), on worker threads of its own, since a call blocks for up to
/// `exchange.timeout`. Shared by every event loop.
///
/// One exchange runs at a time per subject token, whichever loops its requests arrived
/// on: later requests join the flight in progress, and every loop that waits hears the
/// outcome through its inbox (`exchangeFinished`). An issued token, once a loop has
/// verified it, is kept here for every loop until shortly before it expires, so a subject
/// token is exchanged once, not once per loop. At most `maxFlights` run or wait at once;
/// beyond that, requests are answered 503 rather than queued without bound.
final class TokenExchanger: Sendable {
    typealias Digest = VerifiedTokenCache.Digest

    static let threads = 4
    static let maxFlights = 256
    static let maxIssued = 10_000
    private static let maxResponseBytes = 64 << 10

    let settings: ExchangeSettings
    private let state = Mutex(State())
    private let workers = WorkerPool(threads: TokenExchanger.threads)

    private struct State {
        var flights: [Digest: Flight] = [:]
        var issued: [Digest: Issued] = [:]
        var stopped = false
    }

    private struct Issued {
        var token: [UInt8]
        /// Seconds since the epoch.
        var goodUntil: Int64
    }

    enum Join {
        /// Exchanged before: the issued token, to verify and use.
        case issued([UInt8])
        /// The loop hears `exchangeFinished` when the flight lands.
        case waiting
        /// Too many flights under way.
        case busy
    }

    private struct Flight {
        var subjectToken: [UInt8]
        var waiting: [ShardInbox]
    }

    init(settings: ExchangeSettings) {
        self.settings = settings
    }

    func start() { workers.start() }

    /// New exchanges are refused; those already queued still run, so no request waits for
    /// an answer that never comes.
    func stop() {
        state.withLock { $0.stopped = true }
        workers.finish()
    }

    /// The token issued for `digest` if it is still good at `now` (seconds since the
    /// epoch); otherwise joins or starts the flight for it, and `inbox` hears when it lands.
    func join(_ digest: Digest, subjectToken: UnsafeRawBufferPointer, inbox: ShardInbox,
              now: Int64) -> Join
    {
        var started = false
        let join = state.withLock { state -> Join in
            if let issued = state.issued[digest], now < issued.goodUntil {
                return .issued(issued.token)
            }
            if var flight = state.flights[digest] {
                if !flight.waiting.contains(where: { $0 === inbox }) {
                    flight.waiting.append(inbox)
                    state.flights[digest] = flight
                }
                return .waiting
            }
            guard state.flights.count < Self.maxFlights, !state.stopped else { return .busy }
            state.flights[digest] = Flight(subjectToken: Array(subjectToken), waiting: [inbox])
            started = true
            return .waiting
        }
        if started { workers.submit { self.fly(digest) } }
        return join
    }

    /// Keeps a verified issued token for every loop until `goodUntil`.
    func remember(_ token: [UInt8], for digest: Digest, goodUntil: Int64, now: Int64) {
        state.withLock { state in
            if state.issued.count >= Self.maxIssued {
                state.issued = state.issued.filter { now < $0.value.goodUntil }
                while state.issued.count >= Self.maxIssued, let first = state.issued.first {
                    state.issued.removeValue(forKey: first.key)
                }
            }
            state.issued[digest] = Issued(token: token, goodUntil: goodUntil)
        }
    }

    // MARK: - Worker threads

    /// Runs the flight for `digest` and tells every loop that waits for it.
    private func fly(_ digest: Digest) {
        guard let subjectToken = state.withLock({ $0.flights[digest]?.subjectToken }) else {
            return
        }
        let outcome = exchange(subjectToken)
        let waiting = state.withLock { $0.flights.removeValue(forKey: digest)?.waiting }
        for inbox in waiting ?? [] { inbox.post(.exchangeFinished(digest, outcome)) }
    }

    private func exchange(_ subjectToken: [UInt8]) -> TokenExchange.Outcome {
        var fields = [
            ("grant_type", TokenExchange.grantType),
            ("subject_token", String(decoding: subjectToken, as: UTF8.self)),
            ("subject_token_type", TokenExchange.accessTokenType),
            ("requested_token_type", TokenExchange.accessTokenType),
            ("audience", settings.audience),
        ]
        if let scope = settings.scope { fields.append(("scope", scope)) }
        if let source = settings.actorToken {
            switch Self.read(source) {
            case .success(let token):
                fields += [("actor_token", token), ("actor_token_type", settings.actorTokenType)]
            case .failure(let error):
                return .failed("cannot read the actor token: \(error)")
            }
        }
        var headers: [String] = []
        let secret = settings.clientSecret.reveal()
        switch settings.authentication {
        case .basic:
            headers.append("Authorization: " + OAuthForm.basicCredentials(
                clientID: settings.clientID, secret: secret))
        case .post:
            fields += [("client_id", settings.clientID), ("client_secret", secret)]
        }
        let url = settings.tokenURL.description
        let response = ControlFetch.post(
            url, form: OAuthForm.encode(fields), headers: headers, caFile: settings.caFile,
            timeoutMilliseconds: Int(settings.timeout.milliseconds),
            maxBytes: Self.maxResponseBytes)
        switch response {
        case .failure(let failure):
            return .failed("cannot reach the token endpoint \(url): \(failure)")
        case .success(let response):
            return TokenExchange.outcome(status: response.status, body: response.body)
        }
    }

    /// The actor token as the agent's platform last wrote it, trailing line breaks removed.
    private static func read(_ source: ExchangeSettings.ActorTokenSource)
        -> Result<String, FileReadError>
    {
        switch source {
        case .environment(let name):
            guard let value = ProcessEnvironment.value(of: name), !value.isEmpty else {
                return .failure(FileReadError("environment variable \(name) is not set"))
            }
            return .success(value)
        case .file(let path):
            return FileSystem.read(path).flatMap { bytes in
                var end = bytes.count
                while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
                guard end > 0 else { return .failure(FileReadError("\(path) is empty")) }
                return .success(String(decoding: bytes[..<end], as: UTF8.self))
            }
        }
    }
}
