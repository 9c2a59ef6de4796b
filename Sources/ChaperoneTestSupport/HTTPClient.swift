import CChaperone
import CCurl
import Foundation

/// A response as the test client saw it.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// When each piece of the body arrived, seconds since the request started.
    public var chunkTimes: [Double]

    public func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (a problem document, for instance).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:]
    }
}

/// A blocking HTTP client on libcurl for tests. It sends the path exactly as given (no dot
/// segment squashing) and never uses a proxy from the environment.
public enum HTTPClient {
    public static func request(
        _ url: String, method: String = "GET", headers: [String] = [], body: [UInt8]? = nil,
        chunked: Bool = false, timeout: Double = 20, caFile: String? = nil,
        insecure: Bool = false, readDelay: Double = 0
    ) throws -> HTTPResponse {
        guard let easy = curl_easy_init() else { throw TestFailure("curl_easy_init failed") }
        defer { curl_easy_cleanup(easy) }
        let sink = ResponseSink(readDelay: readDelay)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        chaperone_easy_set_ptr(easy, CURLOPT_URL, url)
        chaperone_easy_set_long(easy, CURLOPT_PATH_AS_IS, 1)
        chaperone_easy_set_ptr(easy, CURLOPT_NOPROXY, "*")
        chaperone_easy_set_long(easy, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        chaperone_easy_set_data_cb(easy, CURLOPT_WRITEFUNCTION, sinkBody)
        chaperone_easy_set_ptr(easy, CURLOPT_WRITEDATA, context)
        chaperone_easy_set_data_cb(easy, CURLOPT_HEADERFUNCTION, sinkHeader)
        chaperone_easy_set_ptr(easy, CURLOPT_HEADERDATA, context)
        if let caFile { chaperone_easy_set_ptr(easy, CURLOPT_CAINFO, caFile) }
        if insecure {
            chaperone_easy_set_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
            chaperone_easy_set_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers + (chunked ? ["Transfer-Encoding: chunked"] : []) {
            list = curl_slist_append(list, header)
        }
        defer { curl_slist_free_all(list) }
        chaperone_easy_set_ptr(easy, CURLOPT_HTTPHEADER, list)
        let payload = body ?? []
        sink.upload = payload
        try payload.withUnsafeBytes { bytes in
            if chunked {
                // No length up front: libcurl reads the body through the callback and sends
                // it chunked.
                chaperone_easy_set_long(easy, CURLOPT_POST, 1)
                chaperone_easy_set_data_cb(easy, CURLOPT_READFUNCTION, sinkUpload)
                chaperone_easy_set_ptr(easy, CURLOPT_READDATA, context)
                if method != "POST" { chaperone_easy_set_ptr(easy, CURLOPT_CUSTOMREQUEST, method) }
            } else {
                chaperone_easy_set_method(easy, method, body == nil ? 0 : 1,
                                          body == nil ? nil : bytes.baseAddress,
                                          curl_off_t(bytes.count))
            }
            let code = curl_easy_perform(easy)
            guard code == CURLE_OK else {
                throw TestFailure("request to \(url) failed: "
                    + String(cString: curl_easy_strerror(code)))
            }
        }
        var status = 0
        chaperone_easy_get_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body,
                            chunkTimes: sink.times)
    }
}

/// Collects what libcurl delivers for one request.
private final class ResponseSink {
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var times: [Double] = []
    var upload: [UInt8] = []
    var uploaded = 0
    let started = Date()
    let readDelay: Double

    init(readDelay: Double) { self.readDelay = readDelay }
}

private let sinkBody: chaperone_curl_data_cb = { data, size, count, context in
    let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
    sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size * count))
    sink.times.append(Date().timeIntervalSince(sink.started))
    if sink.readDelay > 0 { usleep(UInt32(sink.readDelay * 1_000_000)) }
    return size * count
}

private let sinkHeader: chaperone_curl_data_cb = { data, size, count, context in
    let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count),
                      as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
        sink.headers = []
    } else if let colon = line.firstIndex(of: ":") {
        sink.headers.append((String(line[..<colon]),
                             line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
    return size * count
}

private let sinkUpload: chaperone_curl_data_cb = { buffer, size, count, context in
    let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
    let n = min(size * count, sink.upload.count - sink.uploaded, 100_000)
    sink.upload.withUnsafeBytes {
        UnsafeMutableRawPointer(buffer!).copyMemory(from: $0.baseAddress! + sink.uploaded,
                                                    byteCount: n)
    }
    sink.uploaded += n
    return n
}
