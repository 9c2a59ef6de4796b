import CChaperone
import ChaperoneIdentity
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What other threads may ask of a shard.
enum ShardCommand: Sendable {
    /// Serve new requests with this configuration; requests in flight keep theirs.
    case reload(RuntimeConfiguration)
    /// Stop accepting, finish requests in flight, then stop; cut them off at the deadline
    /// (monotonic nanoseconds).
    case drain(deadline: UInt64)
    /// A fetch of the issuer's keys ended: requests waiting for a key look again.
    case keysFetched
    /// The exchange of the subject token with this digest ended.
    case exchangeFinished(VerifiedTokenCache.Digest, TokenExchange.Outcome)
    /// The mint of the credential with this key ended.
    case credentialMinted(MintKey, MintOutcome)
    /// The audit record a request waits for is committed (`written` false when its
    /// transaction failed).
    case auditCommitted(UInt64, written: Bool)
}

/// The one part of a shard that other threads touch: a locked queue of commands and an
/// eventfd in the shard's epoll set that wakes its loop to read them.
final class ShardInbox: Sendable {
    private let commands = Mutex<[ShardCommand]>([])
    let eventFD: Int32

    init() {
        eventFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(eventFD >= 0, "eventfd failed")
    }

    deinit { close(eventFD) }

    func post(_ command: ShardCommand) {
        commands.withLock { $0.append(command) }
        var one: UInt64 = 1
        _ = write(eventFD, &one, 8)
    }

    /// Called by the shard when the eventfd is readable.
    func take() -> [ShardCommand] {
        var count: UInt64 = 0
        _ = read(eventFD, &count, 8)
        return commands.withLock { commands in
            defer { commands.removeAll() }
            return commands
        }
    }
}
