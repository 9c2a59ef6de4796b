import CChaperone
import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// Blocking HTTP for the control plane, such as fetching an issuer's keys: a call costs a
/// new connection and blocks its thread, so it belongs on a background thread, never on an
/// event loop. Like upstream calls it follows no redirects, ignores proxy variables and
/// verifies TLS.
public enum ControlFetch {
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    /// Why a fetch produced no response; `description` is safe to log (no body, no secret).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// GETs `url`. Fails on a body larger than `maxBytes`, on a connection or TLS error and
    /// when the whole exchange takes longer than `timeoutMilliseconds`.
    public static func get(_ url: String, caFile: String?, timeoutMilliseconds: Int,
                           maxBytes: Int) -> Result<Response, Failure>
    {
        perform(url, form: nil, headers: [], caFile: caFile,
                timeoutMilliseconds: timeoutMilliseconds, maxBytes: maxBytes)
    }

    /// POSTs a form body (`application/x-www-form-urlencoded`) with extra header lines
    /// such as `Authorization: Basic ...`; otherwise as `get`.
    public static func post(_ url: String, form: [UInt8], headers: [String], caFile: String?,
                            timeoutMilliseconds: Int, maxBytes: Int)
        -> Result<Response, Failure>
    {
        perform(url, form: form, headers: headers, caFile: caFile,
                timeoutMilliseconds: timeoutMilliseconds, maxBytes: maxBytes)
    }

    private static func perform(_ url: String, form: [UInt8]?, headers extra: [String],
                                caFile: String?, timeoutMilliseconds: Int, maxBytes: Int)
        -> Result<Response, Failure>
    {
        guard let easy = curl_easy_init() else {
            return .failure(Failure(description: "libcurl could not start a request"))
        }
        defer { curl_easy_cleanup(easy) }
        let sink = Sink(limit: maxBytes)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
        defer { errorBuffer.deallocate() }
        var headers = curl_slist_append(nil, "Accept: application/json")
        for line in extra { headers = curl_slist_append(headers, line) }
        if form != nil {
            headers = curl_slist_append(headers,
                                        "Content-Type: application/x-www-form-urlencoded")
        }
        defer { curl_slist_free_all(headers) }

        chaperone_easy_set_long(easy, CURLOPT_NOSIGNAL, 1)
        chaperone_easy_set_ptr(easy, CURLOPT_URL, url)
        chaperone_easy_set_ptr(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        chaperone_easy_set_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        chaperone_easy_set_ptr(easy, CURLOPT_NOPROXY, "*")
        chaperone_easy_set_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        chaperone_easy_set_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { chaperone_easy_set_ptr(easy, CURLOPT_CAINFO, caFile) }
        chaperone_easy_set_long(easy, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        chaperone_easy_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, timeoutMilliseconds)
        chaperone_easy_set_ptr(easy, CURLOPT_HTTPHEADER, headers)
        chaperone_easy_set_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        chaperone_easy_set_data_cb(easy, CURLOPT_WRITEFUNCTION, controlWriteCallback)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        chaperone_easy_set_ptr(easy, CURLOPT_WRITEDATA, context)

        // libcurl copies a POSTFIELDS body it is given with a size, so the array may go.
        if let form {
            chaperone_easy_set_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(form.count))
            _ = form.withUnsafeBytes {
                chaperone_easy_set_ptr(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress)
            }
        }
        let code = curl_easy_perform(easy)
        if sink.overflowed {
            return .failure(Failure(description: "the response is over \(maxBytes) bytes"))
        }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return .failure(Failure(description: reason))
        }
        var status = 0
        chaperone_easy_get_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .success(Response(status: status, body: sink.bytes))
    }
}

/// Collects a response body up to a limit.
private final class Sink {
    let limit: Int
    var bytes: [UInt8] = []
    var overflowed = false

    init(limit: Int) { self.limit = limit }
}

private func controlWriteCallback(data: UnsafeMutablePointer<CChar>?, size: Int, count: Int,
                                  context: UnsafeMutableRawPointer?) -> Int
{
    guard let data, let context else { return 0 }
    let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard sink.bytes.count + length <= sink.limit else {
        sink.overflowed = true
        return 0
    }
    sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    return length
}
