import ChaperoneUpstream
import ChaperoneVault
#if canImport(Glibc)
import Glibc
#endif

/// Step five of the request path: the downstream credential, minted from the vault for a
/// route that takes it from there. A fixed credential was added with the headers already.
extension ProxyRequest {
    enum CredentialStep {
        case ready
        /// A mint is under way; the request goes on once it ends.
        case waiting
        case refused(Problem)
    }

    /// Finds or starts the mint of the caller's credential for this route.
    func obtainCredential() -> CredentialStep {
        guard let plan, let vault = plan.vault else { return .ready }
        guard let minter = shard.configuration.vault?.minter else {
            return .refused(Problem(.unavailable, "the token vault is not open", retryAfter: 5))
        }
        guard let caller else {
            return .refused(Problem(.unavailable, "route '\(plan.route.name)' takes its "
                + "credential from the vault, which needs a verified caller", retryAfter: 5))
        }
        let key = MintKey(user: caller.subject, connection: vault.connection,
                          scopes: vault.scopeKey)
        mintKey = key
        let now = Int64(time(nil))
        let cache = shard.metrics.vaultCache
        if let credential = shard.credentials.lookup(key, now: now) {
            cache.add(Metrics.VaultCache.loopHit.rawValue)
            inject(credential)
            return .ready
        }
        let incoming = vault.exchangesIncomingToken
            ? bearerToken().map { SecretBytes(copying: $0) } : nil
        switch minter.lookup(key, scopes: vault.scopes, incoming: incoming, inbox: shard.inbox,
                             now: now)
        {
        case .ready(let credential):
            cache.add(Metrics.VaultCache.sharedHit.rawValue)
            shard.credentials.insert(credential, for: key, now: now)
            inject(credential)
            return .ready
        case .waiting:
            cache.add(Metrics.VaultCache.miss.rawValue)
            shard.credentialWaiters[key, default: []].append(self)
            deadlineKind = .credential
            deadline = shard.now + plan.timeoutNanoseconds
            shard.timers.schedule(self)
            return .waiting
        case .refused(let problem):
            return .refused(problem)
        }
    }

    /// Goes on from a suspended state once the caller is admitted: forwards, or waits for
    /// the credential, or answers.
    func proceedToCredential() {
        switch obtainCredential() {
        case .ready: forward()
        case .waiting: phase = .minting
        case .refused(let problem): answerLater(problem)
        }
    }

    /// The mint this request waited for ended.
    func credentialMinted(_ outcome: MintOutcome) {
        guard phase == .minting, transfer != nil else { return }
        shard.timers.remove(self)
        switch outcome {
        case .minted(let credential):
            inject(credential)
            forward()
        case .refused(let problem):
            answerLater(problem)
        }
    }

    /// The mint took longer than the route's time-out.
    func credentialTimedOut() {
        guard phase == .minting, let plan else { return }
        answerLater(Problem(.unavailable, "the credential for route '\(plan.route.name)' was "
            + "not minted within \(plan.route.timeout)", retryAfter: 5))
    }

    /// The upstream answered 401 to a minted token: the token is dropped from the cache,
    /// and a GET or HEAD is sent once more with a fresh one (other methods may have had an
    /// effect, so their 401 goes back to the agent). True when the request was sent again.
    func retryAfterRefusedCredential() -> Bool {
        guard let credential, let key = mintKey,
              let minter = shard.configuration.vault?.minter
        else { return false }
        minter.forget(key, credential)
        shard.credentials.remove(credential, for: key)
        self.credential = nil
        guard !retriedCredential, isHead || method == "GET", let plan else { return false }
        retriedCredential = true
        discardTransfer()
        head = nil
        responseBody = ByteBuffer()
        upstreamFinished = false
        upstreamFailure = nil
        prepareTransfer(caFile: plan.route.caFile)
        shard.timers.remove(self)
        proceedToCredential()
        return true
    }

    /// Adds the credential's header, the token written into the route's format.
    private func inject(_ credential: MintedCredential) {
        guard let vault = plan?.vault, let transfer else { return }
        self.credential = credential
        vault.injection.add(credential.token, to: transfer)
        credentialFingerprint = credential.fingerprint
        credentialConnection = vault.connection
    }
}
