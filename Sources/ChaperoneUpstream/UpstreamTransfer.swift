import CChaperone
import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// One request to an upstream on a pooled libcurl easy handle.
///
/// Confined to the event loop of the `UpstreamClient` that made it.
public final class UpstreamTransfer {
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var parser = ResponseHeadParser()
    private var headDelivered = false
    private(set) var isActive = false
    public private(set) var isPaused = false
    /// Held strongly while the transfer runs (a weak reference would cost an allocation
    /// per request) and released when it finishes or is cancelled.
    public var delegate: UpstreamTransferDelegate?
    /// The CA bundle the easy handle is configured with; nil is the system bundle.
    var caFile: String?
    /// libcurl's explanation of a failure, written by libcurl.
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    init(easy: UnsafeMutableRawPointer) {
        self.easy = easy
        errorBuffer[0] = 0
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    /// Adds a request header line; a nil value suppresses a header libcurl would add.
    public func addHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?) {
        let list = chaperone_slist_append_header(
            headerList, name.baseAddress?.assumingMemoryBound(to: CChar.self), name.count,
            value?.baseAddress?.assumingMemoryBound(to: CChar.self), value?.count ?? 0)
        if let list { headerList = list }
    }

    public func addHeader(_ name: String, _ value: String?) {
        var name = name
        var value = value
        name.withUTF8 { nameBytes in
            if value == nil {
                addHeader(name: UnsafeRawBufferPointer(nameBytes), value: nil)
            } else {
                value!.withUTF8 {
                    addHeader(name: UnsafeRawBufferPointer(nameBytes),
                              value: UnsafeRawBufferPointer($0))
                }
            }
        }
    }

    /// The header lines added so far, each `Name: value`, to replay on another transfer.
    public var headerLines: [[UInt8]] {
        var lines: [[UInt8]] = []
        var node = headerList
        while let current = node {
            if let data = current.pointee.data {
                lines.append(Array(UnsafeRawBufferPointer(start: data, count: strlen(data))))
            }
            node = current.pointee.next
        }
        return lines
    }

    /// Adds a line from `headerLines`.
    public func addHeaderLine(_ line: [UInt8]) {
        var terminated = line
        terminated.append(0)
        let list = terminated.withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { curl_slist_append(headerList, $0.baseAddress) }
        }
        if let list { headerList = list }
    }

    /// Lets a paused transfer deliver body bytes again.
    public func resume() {
        guard isPaused, isActive else { return }
        isPaused = false
        curl_easy_pause(easy, CURLPAUSE_CONT)
    }

    func prepare(url: String, method: String, body: UnsafeRawBufferPointer?, timeout: Int64) {
        // libcurl copies both strings. `withCString` passes the string's own storage; the
        // implicit conversion to a C pointer would copy it into a new array first.
        url.withCString { _ = chaperone_easy_set_ptr(easy, CURLOPT_URL, $0) }
        chaperone_easy_set_ptr(easy, CURLOPT_HTTPHEADER, headerList)
        method.withCString {
            _ = chaperone_easy_set_method(easy, $0, body == nil ? 0 : 1, body?.baseAddress,
                                          curl_off_t(body?.count ?? 0))
        }
        chaperone_easy_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(timeout))
        chaperone_easy_set_ptr(easy, CURLOPT_PRIVATE, Unmanaged.passUnretained(self).toOpaque())
        let me = Unmanaged.passUnretained(self).toOpaque()
        chaperone_easy_set_ptr(easy, CURLOPT_WRITEDATA, me)
        chaperone_easy_set_ptr(easy, CURLOPT_HEADERDATA, me)
        errorBuffer[0] = 0
        isActive = true
    }

    func markInactive() {
        isActive = false
        isPaused = false
    }

    // MARK: - libcurl callbacks

    fileprivate func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        guard !headDelivered else { return }  // trailers after the body are dropped
        guard parser.take(raw) else { return }
        headDelivered = true
        delegate?.upstreamDidReceiveHead(parser.head)
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let delegate else { return true }
        if delegate.upstreamDidReceive(bytes) { return true }
        isPaused = true
        return false
    }

    /// Starts over for the next request on the same easy handle.
    func reset() {
        curl_slist_free_all(headerList)
        headerList = nil
        parser = ResponseHeadParser()
        headDelivered = false
        delegate = nil
    }
}

/// libcurl's CURLOPT_HEADERFUNCTION: one call per response header line.
let upstreamHeaderCallback: chaperone_curl_data_cb = { data, size, count, user in
    let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(user!).takeUnretainedValue()
    transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

/// libcurl's CURLOPT_WRITEFUNCTION: body bytes as they arrive.
let upstreamWriteCallback: chaperone_curl_data_cb = { data, size, count, user in
    let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(user!).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    return transfer.receiveBody(bytes) ? size * count : CHAPERONE_CURL_WRITEFUNC_PAUSE
}
