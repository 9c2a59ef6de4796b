import CChaperone
import CMicroHTTPD
import ChaperoneAudit
import ChaperoneClock
import ChaperoneConfig
import ChaperoneUpstream
#if canImport(Glibc)
import Glibc
#endif

/// The running proxy: one shard per worker on the proxy address, and the admin listener.
///
/// Driven from one controlling thread (the one that handles signals): `start`, any number
/// of `reload`s, then `drain`.
public final class ProxyServer {
    /// The proxy address with the port actually bound (useful when configured as 0).
    public let proxyAddress: ListenAddress
    public let adminAddress: ListenAddress?
    /// Reloads asked for on the admin listener, which the controlling thread carries out.
    public let reloads = ReloadRequests()
    private let shards: [ShardThread]
    private let admin: AdminServer?
    private let state: ServerState
    private var configuration: Configuration
    private var identity: IdentityRuntime?
    private var vault: VaultRuntime?
    private let metrics: Metrics
    private let audit: AuditLog

    private struct ShardThread {
        var inbox: ShardInbox
        var thread: pthread_t
    }

    /// Binds the listeners and starts the event loops.
    public init(configuration: Configuration) throws(ServerError) {
        self.configuration = configuration
        let metrics = Metrics(loops: configuration.workers)
        self.metrics = metrics
        let identity = configuration.identity.map {
            IdentityRuntime(settings: $0, metrics: metrics)
        }
        self.identity = identity
        let vault = try VaultRuntime.open(configuration, metrics: metrics)
        self.vault = vault
        let audit: AuditLog
        do {
            audit = try AuditLog(options: configuration.audit.logOptions) { failure in
                Log.event(.error, "the audit log failed", ["reason": failure.description])
            }
        } catch {
            vault?.stop()
            throw ServerError("cannot open the audit log: \(error)")
        }
        self.audit = audit
        let runtime = RuntimeConfiguration(configuration, identity: identity, vault: vault,
                                           metrics: metrics)
        var address = configuration.listen
        var built: [Shard] = []
        let approvals = ApprovalRegistry()
        for index in 0..<configuration.workers {
            let shard = Shard(index: index, configuration: runtime, approvals: approvals,
                              metrics: metrics, audit: audit)
            // The first loop binds the port; the others accept on the same socket, each
            // through a descriptor of its own (closed by its own daemon). One socket, not
            // SO_REUSEPORT, so a second Chaperone cannot bind the port and take a share of
            // the traffic. (Were MHD to fail with a descriptor given, the process exits.)
            let listener = built.first.map { chaperone_mhd_dup_listen_socket($0.daemon) }
            guard listener != -1,
                  let daemon = Self.startDaemon(for: shard, at: address, listener: listener,
                                                configuration)
            else {
                for shard in built { MHD_stop_daemon(shard.daemon) }
                audit.close()
                throw ServerError("cannot listen on \(address) (address in use or not "
                    + "available)")
            }
            shard.attach(daemon)
            // With port 0 the first shard gets a free port; the others share it.
            if address.port == 0 { address.port = chaperone_mhd_bound_port(daemon) }
            built.append(shard)
        }
        proxyAddress = address

        var developmentKeys: String?
        if configuration.development {
            do {
                developmentKeys = try DevelopmentIssuer.open(configuration).jwks
            } catch {
                for shard in built { MHD_stop_daemon(shard.daemon) }
                audit.close()
                throw error
            }
        }
        let state = ServerState(approvals: approvals, metrics: metrics, reloads: reloads,
                                audit: audit, developmentKeys: developmentKeys)
        state.keySource = identity?.keys
        self.state = state
        do {
            admin = try configuration.admin.map { address throws(ServerError) in
                try AdminServer(address: address, state: state)
            }
        } catch {
            for shard in built { MHD_stop_daemon(shard.daemon) }
            audit.close()
            throw error
        }
        adminAddress = admin?.address

        identity?.start(notifying: built.map(\.inbox))
        vault?.start()
        shards = built.map { shard in
            ShardThread(inbox: shard.inbox, thread: Self.spawn(shard))
        }
        state.set(.ready)
    }

    /// Serves new requests with `configuration`; requests in flight finish with the old
    /// one. Returns the changed settings that only take effect after a restart.
    public func reload(_ configuration: Configuration) -> [String] {
        let old = self.configuration
        self.configuration = configuration
        // Unchanged identity settings keep the keys already fetched.
        if configuration.identity != old.identity {
            let previous = identity
            identity = configuration.identity.map {
                IdentityRuntime(settings: $0, metrics: metrics)
            }
            identity?.start(notifying: shards.map(\.inbox))
            state.keySource = identity?.keys
            previous?.stop()
        }
        var restartOnly: [String] = []
        if let vault, vault.serves(configuration) {
            vault.minter.update(connections: configuration.connections)
        } else {
            // A new store or key (after `vault rotate-key`): requests in flight finish with
            // the old one. If the new one cannot be opened, the old one stays.
            do {
                let opened = try VaultRuntime.open(configuration, metrics: metrics)
                opened?.start()
                vault?.stop()
                vault = opened
            } catch {
                Log.event(.error, "the token vault cannot be opened; "
                    + (vault == nil ? "routes that take their credential from it answer 503"
                        : "still using the one opened before"), ["reason": error.description])
            }
        }
        let runtime = RuntimeConfiguration(configuration, identity: identity, vault: vault,
                                           metrics: metrics)
        for shard in shards { shard.inbox.post(.reload(runtime)) }

        if old.listen != configuration.listen { restartOnly.append("listen") }
        if old.admin != configuration.admin { restartOnly.append("admin.listen") }
        if old.workers != configuration.workers { restartOnly.append("workers") }
        if old.development != configuration.development { restartOnly.append("development") }
        if old.audit.logOptions.path != configuration.audit.logOptions.path
            || old.audit.durability != configuration.audit.durability
        {
            restartOnly.append("audit")
        }
        let (a, b) = (old.limits, configuration.limits)
        if a.connections != b.connections { restartOnly.append("limits.connections") }
        if a.headerBytes != b.headerBytes { restartOnly.append("limits.header_bytes") }
        if a.idleTimeout != b.idleTimeout { restartOnly.append("limits.idle_timeout") }
        return restartOnly
    }

    /// Stops accepting, lets requests in flight finish (up to `limits.drain_timeout`), then
    /// stops every loop and listener. Returns when all have stopped.
    public func drain() {
        state.set(.draining)
        let deadline = MonotonicClock.now() + configuration.limits.drainTimeout.nanoseconds
        for shard in shards { shard.inbox.post(.drain(deadline: deadline)) }
        for shard in shards { pthread_join(shard.thread, nil) }
        // Every loop has stopped, so no record can follow: commit what is queued.
        audit.close()
        identity?.stop()
        vault?.stop()
        admin?.stop()
    }

    private static func startDaemon(for shard: Shard, at address: ListenAddress,
                                    listener: Int32?, _ configuration: Configuration)
        -> OpaquePointer?
    {
        let limits = configuration.limits
        let workers = configuration.workers
        let context = Unmanaged.passUnretained(shard).toOpaque()
        var settings = chaperone_mhd_settings()
        settings.flags = UInt32(MHD_USE_EPOLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
            | MHD_USE_TURBO.rawValue | MHD_USE_ERROR_LOG.rawValue)
        if address.isIPv6 { settings.flags |= UInt32(MHD_USE_IPv6.rawValue) }
        if let listener {
            settings.has_listen_socket = 1
            settings.listen_socket = listener
        }
        settings.connection_limit = UInt32((limits.connections + workers - 1) / workers)
        settings.connection_timeout_seconds = UInt32(max(1, limits.idleTimeout.milliseconds / 1000))
        // libmicrohttpd keeps a request's header block in a per-connection pool and clears
        // the whole pool after every request, so the pool is sized to the header limit plus
        // room for parsing and reading, not larger: its size is paid on every request.
        // Chaperone answers 431 itself up to the limit; a block that overflows the pool gets
        // libmicrohttpd's own 431.
        settings.connection_memory_limit = limits.headerBytes + (8 << 10)
        settings.handler = accessHandler
        settings.handler_cls = context
        settings.completed = requestCompletedCallback
        settings.completed_cls = context
        settings.notify_connection = connectionCallback
        settings.notify_connection_cls = context
        settings.uri_log = requestLineCallback
        settings.uri_log_cls = context
        settings.log_sink = mhdLogSink
        return SocketAddress(address).withPointer { pointer in
            settings.address = pointer
            return chaperone_mhd_start(&settings)
        }
    }

    /// Runs the shard's loop on a thread of its own, which then owns the shard.
    private static func spawn(_ shard: Shard) -> pthread_t {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(shard).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let shard = Unmanaged<Shard>.fromOpaque(context!).takeRetainedValue()
            shard.run()
            return nil
        }, context)
        precondition(result == 0, "pthread_create failed: \(result)")
        return thread
    }
}
