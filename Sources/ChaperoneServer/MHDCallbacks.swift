import CChaperone
import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#endif

// The C callbacks libmicrohttpd calls on a shard's thread. Each is a plain function value,
// never a closure from main.swift, which Swift would isolate to the main actor.

/// `MHD_OPTION_URI_LOG_CALLBACK`: the request line has arrived. The raw request target is
/// only visible here, before libmicrohttpd decodes it in place. The returned pointer (a
/// retained `ProxyRequest`) becomes the request's context.
let requestLineCallback: chaperone_uri_log_cb = { cls, uri, connection in
    let shard = Unmanaged<Shard>.fromOpaque(cls!).takeUnretainedValue()
    guard let connection else { return nil }
    let target = uri.map { UnsafeRawBufferPointer(start: $0, count: strlen($0)) }
    return shard.requestStarted(target: Array(target ?? UnsafeRawBufferPointer(start: nil, count: 0)),
                                connection: connection)
}

/// The access handler: called with the headers, with each piece of body, at the end of the
/// body, and again after a suspended connection resumes.
let accessHandler: MHD_AccessHandlerCallback = {
    _, _, _, method, _, uploadData, uploadSize, context in
    guard let pointer = context?.pointee else { return MHD_Result.NO }
    let request = Unmanaged<ProxyRequest>.fromOpaque(pointer).takeUnretainedValue()
    let upload = uploadSize.map { size in
        UnsafeRawBufferPointer(start: uploadData, count: size.pointee)
    }
    let result = request.handle(method: method, upload: upload)
    uploadSize?.pointee = 0
    return result
}

/// The request is over (answered, or the connection failed); releases its context.
let requestCompletedCallback: MHD_RequestCompletedCallback = { _, _, context, code in
    guard let context, let pointer = context.pointee else { return }
    context.pointee = nil
    Unmanaged<ProxyRequest>.fromOpaque(pointer).takeRetainedValue().completed(code)
}

/// Connections opening and closing: each client socket is watched for hang-ups.
let connectionCallback: MHD_NotifyConnectionCallback = { cls, connection, socketContext, code in
    let shard = Unmanaged<Shard>.fromOpaque(cls!).takeUnretainedValue()
    guard let connection, let socketContext else { return }
    switch code {
    case .CONNECTION_NOTIFY_STARTED:
        let entry = shard.watch.add(socket: chaperone_mhd_connection_fd(connection))
        socketContext.pointee = Unmanaged.passRetained(entry).toOpaque()
    case .CONNECTION_NOTIFY_CLOSED:
        guard let pointer = socketContext.pointee else { return }
        socketContext.pointee = nil
        shard.watch.remove(Unmanaged<ConnectionWatch.Entry>.fromOpaque(pointer)
            .takeRetainedValue())
    default:
        break
    }
}

/// Streams a response body: libmicrohttpd asks for more whenever the socket can take it.
let responseReader: MHD_ContentReaderCallback = { cls, _, buffer, max in
    let request = Unmanaged<ProxyRequest>.fromOpaque(cls!).takeUnretainedValue()
    return request.readResponse(into: UnsafeMutableRawPointer(buffer!), max: max)
}

/// Releases the reference a streaming response held on its request.
let responseReaderDone: MHD_ContentReaderFreeCallback = { cls in
    Unmanaged<ProxyRequest>.fromOpaque(cls!).release()
}

/// Visits each request header once, with its length.
let headerVisitor: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
    let request = Unmanaged<ProxyRequest>.fromOpaque(cls!).takeUnretainedValue()
    request.visitHeader(name: UnsafeRawBufferPointer(start: key, count: keySize),
                        value: UnsafeRawBufferPointer(start: value, count: valueSize))
    return MHD_Result.YES
}

/// libmicrohttpd's own messages, as debug events: they are mostly about clients that
/// broke off or sent something that is not HTTP, which the request log already shows.
/// Failures to listen are reported by Chaperone itself.
let mhdLogSink: chaperone_log_sink = { message in
    guard let message, Log.minimumLevel == .debug else { return }
    var text = String(cString: message)
    while text.last == "\n" { text.removeLast() }
    Log.event(.debug, "libmicrohttpd: \(text)")
}
