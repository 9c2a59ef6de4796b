import CChaperone
import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// The upstream side of one event loop: a libcurl multi handle driven by the socket API
/// from the loop's own epoll set, and a pool of configured easy handles reused so that a
/// request costs no handle set-up.
///
/// The socket API matters for cost: libcurl is told which sockets are ready, so it skips
/// the `poll` it would otherwise make before each read, and the loop needs one `epoll_wait`
/// for client and upstream sockets alike. A kept-alive upstream socket stays registered
/// between requests, so steady traffic costs no `epoll_ctl` on the upstream side.
///
/// Confined to its event loop thread.
public final class UpstreamClient {
    let multi: UnsafeMutableRawPointer
    private var idle: [UpstreamTransfer] = []
    private var activeCount = 0
    /// libcurl's callbacks point at the registry, not the client, so that they stay valid
    /// while `deinit` closes the connections.
    private let sockets: SocketRegistry

    /// Tags in `epoll_data.u64` with this low-bit pattern name an upstream socket.
    public static let tag: UInt64 = 1
    public static let tagMask: UInt64 = 3

    /// When libcurl wants its timers run, in monotonic nanoseconds.
    public var timerDeadline: UInt64? { sockets.timerDeadline }

    /// - Parameters:
    ///   - epoll: the loop's epoll set, where upstream sockets are registered.
    ///   - maxConnections: idle upstream connections kept open for reuse.
    public init(epoll: Int32, maxConnections: Int) {
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        sockets = SocketRegistry(epoll: epoll)
        chaperone_multi_set_long(multi, CURLMOPT_MAXCONNECTS, maxConnections)
        let me = Unmanaged.passUnretained(sockets).toOpaque()
        chaperone_multi_set_socket_cb(multi, upstreamSocketCallback)
        chaperone_multi_set_ptr(multi, CURLMOPT_SOCKETDATA, me)
        chaperone_multi_set_timer_cb(multi, upstreamTimerCallback)
        chaperone_multi_set_ptr(multi, CURLMOPT_TIMERDATA, me)
    }

    deinit {
        idle.removeAll()
        curl_multi_cleanup(multi)
    }

    public var activeTransfers: Int { activeCount }

    /// A transfer ready for headers, on a pooled handle verified against `caFile` (nil for
    /// the system bundle).
    public func makeTransfer(caFile: String?) -> UpstreamTransfer {
        if let transfer = idle.popLast() {
            if transfer.caFile != caFile { configure(transfer, caFile: caFile) }
            return transfer
        }
        guard let easy = curl_easy_init() else { fatalError("curl_easy_init failed") }
        let transfer = UpstreamTransfer(easy: easy)
        configure(transfer, caFile: caFile)
        return transfer
    }

    /// Sends the request. `body` must stay valid until the transfer finishes or is
    /// cancelled. `connectTimeout` bounds the connection set-up, in milliseconds.
    public func start(_ transfer: UpstreamTransfer, url: String, method: String,
                      body: UnsafeRawBufferPointer?, connectTimeout: Int64)
    {
        transfer.prepare(url: url, method: method, body: body, timeout: connectTimeout)
        curl_multi_add_handle(multi, transfer.easy)
        activeCount += 1
    }

    /// Gives back a transfer that was never started or has not finished; no delegate call
    /// follows. The caller must drop its reference.
    public func cancel(_ transfer: UpstreamTransfer) {
        if transfer.isActive {
            finish(transfer)
        } else {
            transfer.reset()
            idle.append(transfer)
        }
    }

    /// An epoll event for an upstream socket (its tag from `tag`).
    public func socketReady(tag: UInt64, events: UInt32) {
        let fd = Int32(truncatingIfNeeded: tag >> 2)
        guard sockets.isWanted(fd) else {
            // An idle kept-alive connection spoke (the upstream closed it, most likely):
            // stop watching it; libcurl finds it dead when it next tries to reuse it.
            sockets.unregister(fd)
            return
        }
        var bits: Int32 = 0
        if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0 {
            bits |= CURL_CSELECT_IN
        }
        if events & EPOLLOUT.rawValue != 0 { bits |= CURL_CSELECT_OUT }
        if events & EPOLLERR.rawValue != 0 { bits |= CURL_CSELECT_ERR }
        var running: Int32 = 0
        curl_multi_socket_action(multi, fd, bits, &running)
    }

    /// Runs libcurl's timers if one is due: new transfers start here, time-outs fire here.
    public func runTimers(now: UInt64) {
        guard let deadline = sockets.timerDeadline, deadline <= now else { return }
        sockets.timerDeadline = nil
        var running: Int32 = 0
        curl_multi_socket_action(multi, CURL_SOCKET_BAD, 0, &running)
    }

    /// Reports finished transfers to their delegates.
    public func reapFinished() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle
            else { continue }
            let code = message.pointee.data.result
            var pointer: UnsafeMutableRawPointer?
            chaperone_easy_get_ptr(easy, CURLINFO_PRIVATE, &pointer)
            guard let pointer else { continue }
            let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(pointer).takeUnretainedValue()
            let delegate = transfer.delegate
            let failure = code == CURLE_OK ? nil : Self.failure(code, transfer)
            finish(transfer)
            delegate?.upstreamDidFinish(failure)
        }
    }

    private func finish(_ transfer: UpstreamTransfer) {
        curl_multi_remove_handle(multi, transfer.easy)
        transfer.markInactive()
        transfer.reset()
        activeCount -= 1
        idle.append(transfer)
    }

    // MARK: - Handles

    private func configure(_ transfer: UpstreamTransfer, caFile: String?) {
        let easy = transfer.easy
        curl_easy_reset(easy)
        transfer.caFile = caFile
        chaperone_easy_set_long(easy, CURLOPT_NOSIGNAL, 1)
        chaperone_easy_set_ptr(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer)
        chaperone_easy_set_data_cb(easy, CURLOPT_HEADERFUNCTION, upstreamHeaderCallback)
        chaperone_easy_set_data_cb(easy, CURLOPT_WRITEFUNCTION, upstreamWriteCallback)
        chaperone_easy_set_closesocket_cb(easy, upstreamCloseSocketCallback)
        chaperone_easy_set_ptr(easy, CURLOPT_CLOSESOCKETDATA,
                               Unmanaged.passUnretained(sockets).toOpaque())
        // The proxy passes bodies through as they are: no decompression, no redirects, and
        // the path exactly as normalised (libcurl would otherwise squash dot segments).
        chaperone_easy_set_long(easy, CURLOPT_HTTP_CONTENT_DECODING, 0)
        chaperone_easy_set_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        chaperone_easy_set_long(easy, CURLOPT_PATH_AS_IS, 1)
        chaperone_easy_set_ptr(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        chaperone_easy_set_long(easy, CURLOPT_TCP_NODELAY, 1)
        // Upstreams are reached directly: an http_proxy variable in Chaperone's environment
        // must not reroute calls that carry credentials (and reading it costs per request).
        chaperone_easy_set_ptr(easy, CURLOPT_NOPROXY, "*")
        chaperone_easy_set_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        chaperone_easy_set_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { chaperone_easy_set_ptr(easy, CURLOPT_CAINFO, caFile) }
    }

    private static func failure(_ code: CURLcode, _ transfer: UpstreamTransfer)
        -> UpstreamFailure
    {
        let detail = String(cString: transfer.errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: UpstreamFailure.Kind
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timedOut
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .connect
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR:
            kind = .tls
        default:
            kind = .broken
        }
        return UpstreamFailure(kind: kind, message: message)
    }
}
