import Synchronization

/// What the admin listener reports, shared between the proxy's threads.
final class ServerState: Sendable {
    enum Phase: UInt8 {
        case starting, ready, draining
    }

    private let phase = Atomic<UInt8>(Phase.starting.rawValue)

    var current: Phase { Phase(rawValue: phase.load(ordering: .acquiring)) ?? .starting }

    func set(_ new: Phase) { phase.store(new.rawValue, ordering: .releasing) }
}
