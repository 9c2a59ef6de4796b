import ChaperoneConfig

/// What verifying callers needs beyond the configuration: the issuer's keys and, in
/// exchange mode, the token exchanger, each with threads of its own. Built when an
/// `identity` section is loaded and kept across reloads that leave it unchanged.
final class IdentityRuntime: Sendable {
    let settings: IdentitySettings
    let keys: KeySetSource
    let exchanger: TokenExchanger?

    init(settings: IdentitySettings, metrics: Metrics) {
        self.settings = settings
        keys = KeySetSource(settings: settings, metrics: metrics)
        exchanger = settings.exchange.map { TokenExchanger(settings: $0) }
    }

    /// Starts the threads; every loop in `inboxes` hears when a fetch or exchange ends.
    func start(notifying inboxes: [ShardInbox]) {
        for inbox in inboxes { keys.subscribe(inbox) }
        keys.start()
        exchanger?.start()
    }

    func stop() {
        keys.stop()
        exchanger?.stop()
    }
}
