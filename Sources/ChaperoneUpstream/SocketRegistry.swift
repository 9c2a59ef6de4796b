import CChaperone
import CCurl
import ChaperoneClock
#if canImport(Glibc)
import Glibc
#endif

/// The upstream sockets libcurl asked to watch, and how they are registered in the event
/// loop's epoll set. Registrations change only when libcurl's new wish cannot be served by
/// the current one, so a kept-alive connection costs no `epoll_ctl` per request.
final class SocketRegistry {
    private let epoll: Int32
    /// What each socket is registered for, by descriptor; 0 when not registered.
    private var registered: [UInt32] = []
    /// What libcurl currently wants from each socket; 0 once it let the socket go.
    private var wanted: [UInt32] = []
    /// When libcurl wants its timers run, in monotonic nanoseconds.
    var timerDeadline: UInt64?

    init(epoll: Int32) { self.epoll = epoll }

    func isWanted(_ fd: Int32) -> Bool { Int(fd) < wanted.count && wanted[Int(fd)] != 0 }

    /// libcurl says what it wants from a socket (`CURL_POLL_*`).
    func socketWanted(_ fd: Int32, _ what: Int32) {
        let index = Int(fd)
        if index >= wanted.count {
            let grow = index + 64 - wanted.count
            wanted += Array(repeating: 0, count: grow)
            registered += Array(repeating: 0, count: grow)
        }
        let events: UInt32
        switch what {
        case CURL_POLL_IN: events = EPOLLIN.rawValue
        case CURL_POLL_OUT: events = EPOLLOUT.rawValue
        case CURL_POLL_INOUT: events = EPOLLIN.rawValue | EPOLLOUT.rawValue
        default:
            // Let go: a socket that only waited for input stays registered for the next
            // transfer on this connection; one that waited for output must not keep firing.
            wanted[index] = 0
            if registered[index] & EPOLLOUT.rawValue != 0 { register(fd, EPOLLIN.rawValue) }
            return
        }
        wanted[index] = events
        if registered[index] != events { register(fd, events) }
    }

    func timerWanted(_ milliseconds: Int) {
        timerDeadline = milliseconds < 0
            ? nil : MonotonicClock.now() + UInt64(milliseconds) * 1_000_000
    }

    /// libcurl closes a socket; closing removes it from the epoll set too.
    func socketClosed(_ fd: Int32) {
        if Int(fd) < registered.count {
            registered[Int(fd)] = 0
            wanted[Int(fd)] = 0
        }
        close(fd)
    }

    func unregister(_ fd: Int32) {
        guard Int(fd) < registered.count, registered[Int(fd)] != 0 else { return }
        var event = epoll_event()
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &event)
        registered[Int(fd)] = 0
    }

    private func register(_ fd: Int32, _ events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = UInt64(UInt32(bitPattern: fd)) << 2 | UpstreamClient.tag
        let operation = registered[Int(fd)] == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        if epoll_ctl(epoll, operation, fd, &event) == 0 {
            registered[Int(fd)] = events
        }
    }
}

let upstreamSocketCallback: curl_socket_callback = { _, fd, what, registry, _ in
    Unmanaged<SocketRegistry>.fromOpaque(registry!).takeUnretainedValue().socketWanted(fd, what)
    return 0
}

let upstreamTimerCallback: curl_multi_timer_callback = { _, milliseconds, registry in
    Unmanaged<SocketRegistry>.fromOpaque(registry!).takeUnretainedValue()
        .timerWanted(milliseconds)
    return 0
}

let upstreamCloseSocketCallback: curl_closesocket_callback = { registry, fd in
    Unmanaged<SocketRegistry>.fromOpaque(registry!).takeUnretainedValue().socketClosed(fd)
    return 0
}
