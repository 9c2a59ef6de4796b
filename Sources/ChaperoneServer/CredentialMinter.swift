import ChaperoneAudit
import ChaperoneConfig
import ChaperoneIdentity
import ChaperoneUpstream
import ChaperoneVault
import Synchronization

/// A downstream access token is cached under its user, connection and scope set.
struct MintKey: Hashable, Sendable {
    var user: String
    var connection: String
    /// The route's scopes, sorted and space-separated.
    var scopes: String
}

/// An access token minted for a user, as requests use it.
final class MintedCredential: Sendable {
    let token: SecretBytes
    /// How audit records name the token: computed once per mint, not per request.
    let fingerprint: CredentialFingerprint
    /// Seconds since the epoch; the token is not used from then on.
    let goodUntil: Int64

    init(token: SecretBytes, goodUntil: Int64) {
        self.token = token
        self.goodUntil = goodUntil
        fingerprint = token.withUnsafeBytes { CredentialFingerprint(credential: $0) }
    }
}

/// How a mint ended, for every request that waited for it.
enum MintOutcome: Sendable {
    case minted(MintedCredential)
    case refused(Problem)
}

/// Mints the access tokens that routes take from the vault (step 5 of the request path),
/// on worker threads of its own: a token endpoint may take seconds to answer. Shared by
/// every event loop.
///
/// One mint runs at a time per user and connection, whichever loops its requests arrived
/// on, because a refresh may rotate the grant's refresh token: requests for a token being
/// minted wait for it, and requests for another scope set of the same grant queue behind
/// it. A rotated refresh token is committed to the vault before the access token it came
/// with is handed out. Minted tokens are kept for every loop until shortly before they
/// expire. At most `maxFlights` grants mint or wait at once; beyond that, requests are
/// answered 503 rather than queued without bound.
final class CredentialMinter: Sendable {
    static let threads = 4
    static let maxFlights = 1_024
    static let maxCached = 100_000
    /// A token is not used in its last seconds, so that it cannot expire on the way.
    static let expirySkew: Int64 = 30
    /// The lifetime assumed when a token endpoint does not say (`expires_in` is optional).
    static let assumedLifetime: Int64 = 300
    static let timeoutMilliseconds = 10_000
    private static let maxResponseBytes = 64 << 10

    private let store: any VaultStore

    private let metrics: Metrics
    private let state: Mutex<State>
    private let workers = WorkerPool(threads: CredentialMinter.threads)
    /// Seconds since the epoch.
    private let clock: @Sendable () -> Int64

    /// A user's grant at one connection: the unit that mints one at a time.
    private struct GrantID: Hashable {
        var user: String
        var connection: String
    }

    private struct Flight {
        /// Scope sets still to mint, in the order asked.
        var queue: [Pending] = []
        /// The loops waiting for each scope set.
        var waiting: [MintKey: [ShardInbox]] = [:]
    }

    private struct Pending {
        var key: MintKey
        var scopes: [String]
        /// The caller's token, for a connection that exchanges the incoming token.
        var incoming: SecretBytes?
    }

    private struct State {
        var connections: [String: ConnectionSettings]
        var cached: [MintKey: MintedCredential] = [:]
        var flights: [GrantID: Flight] = [:]
        var stopped = false
    }

    enum Lookup {
        case ready(MintedCredential)
        /// The loop hears `credentialMinted` when the mint ends.
        case waiting
        case refused(Problem)
    }

    init(store: any VaultStore, connections: [ConnectionSettings], metrics: Metrics,
         clock: @escaping @Sendable () -> Int64)
    {
        self.store = store
        self.metrics = metrics
        self.clock = clock
        state = Mutex(State(connections: Self.byName(connections)))
    }

    func start() { workers.start() }

    /// New mints are refused; those already queued still run, so no request waits for an
    /// answer that never comes.
    func stop() {
        state.withLock { $0.stopped = true }
        workers.finish()
    }

    /// A reload: tokens minted through a connection whose settings changed are dropped.
    func update(connections: [ConnectionSettings]) {
        let named = Self.byName(connections)
        state.withLock { state in
            let changed = Set(state.connections.keys.filter {
                named[$0].map(Self.describe) != state.connections[$0].map(Self.describe)
            })
            state.cached = state.cached.filter { !changed.contains($0.key.connection) }
            state.connections = named
        }
    }

    /// The cached token for `key` if it is still good at `now` (seconds since the epoch);
    /// otherwise joins or starts the mint for it, and `inbox` hears when it ends.
    func lookup(_ key: MintKey, scopes: [String], incoming: SecretBytes?, inbox: ShardInbox,
                now: Int64) -> Lookup
    {
        var started = false
        let grant = GrantID(user: key.user, connection: key.connection)
        let lookup = state.withLock { state -> Lookup in
            if let credential = state.cached[key], now < credential.goodUntil {
                return .ready(credential)
            }
            if var flight = state.flights[grant] {
                if var inboxes = flight.waiting[key] {
                    if !inboxes.contains(where: { $0 === inbox }) { inboxes.append(inbox) }
                    flight.waiting[key] = inboxes
                } else {
                    flight.waiting[key] = [inbox]
                    flight.queue.append(Pending(key: key, scopes: scopes, incoming: incoming))
                }
                state.flights[grant] = flight
                return .waiting
            }
            guard !state.stopped else {
                return .refused(Problem(.unavailable, "the token vault is being reopened; "
                    + "retry shortly", retryAfter: 1))
            }
            guard state.flights.count < Self.maxFlights else {
                return .refused(Problem(.unavailable, "too many credentials are being minted "
                    + "at once; retry shortly", retryAfter: 1))
            }
            state.flights[grant] = Flight(
                queue: [Pending(key: key, scopes: scopes, incoming: incoming)],
                waiting: [key: [inbox]])
            started = true
            return .waiting
        }
        if started { workers.submit { self.fly(grant) } }
        return lookup
    }

    /// Drops `credential` from the cache, if it is still the one cached for `key`: the
    /// upstream refused it.
    func forget(_ key: MintKey, _ credential: MintedCredential) {
        state.withLock { state in
            if state.cached[key] === credential { state.cached[key] = nil }
        }
    }

    // MARK: - Worker threads

    /// Mints every scope set queued for `grant`, one after the other, telling the loops
    /// that wait for each.
    private func fly(_ grant: GrantID) {
        while true {
            let next = state.withLock { state -> (Pending, ConnectionSettings?)? in
                guard let pending = state.flights[grant]?.queue.first else { return nil }
                return (pending, state.connections[grant.connection])
            }
            guard let (pending, connection) = next else { return }
            let outcome: MintOutcome
            if let connection {
                outcome = mint(pending, connection)
            } else {
                outcome = .refused(Problem(.unavailable, "connection '\(grant.connection)' "
                    + "is no longer configured", retryAfter: 5))
            }
            let (waiting, done) = state.withLock { state -> ([ShardInbox], Bool) in
                if case .minted(let credential) = outcome, credential.goodUntil > clock() {
                    if state.cached.count >= Self.maxCached { Self.prune(&state, now: clock()) }
                    state.cached[pending.key] = credential
                }
                guard var flight = state.flights[grant] else { return ([], true) }
                let waiting = flight.waiting.removeValue(forKey: pending.key) ?? []
                flight.queue.removeFirst()
                if flight.queue.isEmpty {
                    state.flights[grant] = nil
                    return (waiting, true)
                }
                state.flights[grant] = flight
                return (waiting, false)
            }
            for inbox in waiting { inbox.post(.credentialMinted(pending.key, outcome)) }
            if done { return }
        }
    }

    private static func prune(_ state: inout State, now: Int64) {
        state.cached = state.cached.filter { now < $0.value.goodUntil }
        while state.cached.count >= maxCached, let first = state.cached.first {
            state.cached.removeValue(forKey: first.key)
        }
    }

    private func mint(_ pending: Pending, _ connection: ConnectionSettings) -> MintOutcome {
        let key = pending.key
        let subject: SecretBytes
        var grantScopes: [String] = []
        switch connection.kind {
        case .auth0TokenVault(_, .incoming):
            guard let incoming = pending.incoming else {
                return .refused(Problem(.unavailable, "connection '\(connection.name)' "
                    + "exchanges the caller's token, and the request has none", retryAfter: 5))
            }
            subject = incoming
        case .refreshToken, .auth0TokenVault(_, .vault):
            let grant: VaultGrant?
            do {
                grant = try store.get(user: key.user, connection: key.connection)
            } catch {
                Log.event(.error, "the vault cannot be read", ["connection": key.connection,
                                                               "reason": error.description])
                return .refused(Problem(.unavailable, "the token vault cannot be read",
                                        retryAfter: 5))
            }
            guard let grant else {
                return consentRequired(connection, "no stored grant for this user and "
                    + "connection '\(connection.name)': the user must link the account")
            }
            subject = grant.refreshToken
            grantScopes = grant.record.scopes
        }
        if case .refreshToken = connection.kind, !grantScopes.isEmpty {
            let missing = pending.scopes.filter { !grantScopes.contains($0) }
            if !missing.isEmpty {
                return consentRequired(connection, "the user's grant for connection "
                    + "'\(connection.name)' does not include the scopes "
                    + "\(missing.joined(separator: " ")) that this route needs")
            }
        }

        var request: MintGrant.Request
        switch connection.kind {
        case .refreshToken:
            request = MintGrant.refresh(connection, refreshToken: subject, scopes: pending.scopes)
        case .auth0TokenVault(let upstream, let source):
            request = MintGrant.auth0Exchange(connection, upstream: upstream,
                                              subjectToken: subject,
                                              subjectIsRefreshToken: source == .vault,
                                              user: key.user)
        }
        let answer = send(&request, to: connection)
        switch answer {
        case .failure(let failure):
            metrics.connection(connection.name).refreshes.add(3)
            Log.event(.warning, "minting failed", ["connection": connection.name,
                                                   "reason": failure.description])
            return .refused(Problem(.unavailable, failure.description, retryAfter: 5))
        case .success(let answer):
            return settle(MintGrant.verdict(answer, kind: connection.kind,
                                            connection: connection.name), key, connection)
        }
    }

    /// Acts on what the endpoint said: stores a rotated refresh token, revokes a dead grant.
    private func settle(_ verdict: MintGrant.Verdict, _ key: MintKey,
                        _ connection: ConnectionSettings) -> MintOutcome
    {
        let refreshes = metrics.connection(connection.name).refreshes
        switch verdict {
        case .issued: refreshes.add(0)
        case .consentRequired: refreshes.add(1)
        case .grantDead: refreshes.add(2)
        case .callerRefused, .failed: refreshes.add(3)
        }
        switch verdict {
        case .issued(var issued):
            defer { issued.wipe() }
            if let rotated = issued.refreshToken {
                do {
                    try store.replaceRefreshToken(user: key.user, connection: key.connection,
                                                  with: SecretBytes(copying: rotated))
                } catch {
                    // The provider has already retired the old refresh token; handing out
                    // the access token without the new one stored would lose the grant
                    // for good the moment the process stopped.
                    Log.event(.error, "a rotated refresh token could not be stored",
                              ["connection": key.connection, "reason": error.description])
                    return .refused(Problem(.unavailable, "the token vault could not store the "
                        + "rotated refresh token", retryAfter: 5))
                }
            }
            if connection.storesGrants {
                do {
                    try store.markUsed(user: key.user, connection: key.connection)
                } catch {
                    Log.event(.warning, "the vault could not record a use",
                              ["connection": key.connection, "reason": error.description])
                }
            }
            var lifetime = issued.expiresIn ?? Self.assumedLifetime
            if let cap = connection.maxTTL { lifetime = min(lifetime, cap.components.seconds) }
            let goodUntil = clock() + max(0, lifetime - Self.expirySkew)
            return .minted(MintedCredential(token: SecretBytes(copying: issued.accessToken),
                                            goodUntil: goodUntil))
        case .grantDead(let detail):
            do {
                try store.revoke(user: key.user, connection: key.connection)
            } catch {
                Log.event(.warning, "a dead grant could not be revoked",
                          ["connection": key.connection, "reason": error.description])
            }
            return consentRequired(connection, detail)
        case .consentRequired(let detail):
            return consentRequired(connection, detail)
        case .callerRefused(let detail):
            return .refused(Problem(.invalidToken, detail,
                                    challenge: "Bearer error=\"invalid_token\""))
        case .failed(let detail):
            Log.event(.warning, "minting failed", ["connection": connection.name,
                                                   "reason": detail])
            return .refused(Problem(.unavailable, detail, retryAfter: 5))
        }
    }

    private func consentRequired(_ connection: ConnectionSettings, _ detail: String)
        -> MintOutcome
    {
        .refused(Problem(.consentRequired, detail, connectURL: connection.connectURL))
    }

    /// POSTs the request and wipes its body, which holds a token.
    private func send(_ request: inout MintGrant.Request, to connection: ConnectionSettings)
        -> Result<TokenResponse.Answer, MintFailure>
    {
        defer { request.form.wipe() }
        let url = connection.tokenURL.description
        let response = ControlFetch.post(
            url, form: request.form, headers: request.headers, caFile: connection.caFile,
            timeoutMilliseconds: Self.timeoutMilliseconds, maxBytes: Self.maxResponseBytes)
        switch response {
        case .failure(let failure):
            return .failure(MintFailure("cannot reach the token endpoint of connection "
                + "'\(connection.name)': \(failure)"))
        case .success(var response):
            defer { response.body.wipe() }
            return .success(TokenResponse.read(status: response.status, body: response.body))
        }
    }

    private static func byName(_ connections: [ConnectionSettings])
        -> [String: ConnectionSettings]
    {
        Dictionary(connections.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// What identifies a connection's tokens: where and as whom they are minted.
    private static func describe(_ connection: ConnectionSettings) -> String {
        "\(connection.kind) \(connection.tokenURL) \(connection.clientID)"
    }
}

/// Why no answer came back; safe to show (no token, no secret).
struct MintFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
