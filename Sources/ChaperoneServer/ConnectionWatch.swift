import CChaperone
#if canImport(Glibc)
import Glibc
#endif

/// Notices agents that hang up while their request is held.
///
/// libmicrohttpd does not watch a suspended connection, so a client that disconnects while
/// its request waits for the upstream would go unnoticed until the upstream answered. Each
/// client socket is registered once in the shard's epoll set, for `EPOLLRDHUP` only
/// (edge-triggered): two `epoll_ctl` calls per connection and nothing per request.
struct ConnectionWatch {
    /// One client connection: its socket and the request it is serving, if any. Its
    /// address, 4-byte aligned, is the epoll tag (low bits 0).
    final class Entry {
        let fd: Int32
        /// The request in progress; cleared when it completes, which libmicrohttpd reports
        /// for every request it announced (a weak reference would cost an allocation).
        var request: ProxyRequest?

        init(fd: Int32) { self.fd = fd }
    }

    let epoll: Int32

    /// Starts watching a new connection's socket; the returned entry must be passed to
    /// `remove` when the connection closes.
    func add(socket: Int32) -> Entry {
        let entry = Entry(fd: socket)
        var event = epoll_event()
        event.events = EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.u64 = UInt64(UInt(bitPattern: Unmanaged.passUnretained(entry).toOpaque()))
        epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event)
        return entry
    }

    func remove(_ entry: Entry) {
        var event = epoll_event()
        epoll_ctl(epoll, EPOLL_CTL_DEL, entry.fd, &event)
    }

    /// The entry an event's tag names. The entry is alive: libmicrohttpd's socket context
    /// holds it until `remove`.
    static func entry(tag: UInt64) -> Entry {
        Unmanaged<Entry>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(tag))!)
            .takeUnretainedValue()
    }
}
