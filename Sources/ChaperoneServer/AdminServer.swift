import CChaperone
import CMicroHTTPD
import ChaperoneConfig
#if canImport(Glibc)
import Glibc
#endif

/// The admin listener: `/healthz` (the process is alive), `/readyz` (configuration
/// loaded, listeners bound, event loops and their upstream pools running, not draining) and
/// `/approvals` (the requests held for a user's approval).
/// Light traffic, so libmicrohttpd runs it on its own internal thread.
final class AdminServer {
    private let daemon: OpaquePointer
    private let state: Unmanaged<ServerState>
    let address: ListenAddress

    init(address: ListenAddress, state: ServerState) throws(ServerError) {
        self.state = Unmanaged.passRetained(state)
        var settings = chaperone_mhd_settings()
        settings.flags = UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_ERROR_LOG.rawValue)
        if address.isIPv6 { settings.flags |= UInt32(MHD_USE_IPv6.rawValue) }
        settings.connection_timeout_seconds = 10
        settings.connection_limit = 64
        settings.handler = adminHandler
        settings.handler_cls = self.state.toOpaque()
        settings.log_sink = mhdLogSink
        let started = SocketAddress(address).withPointer { pointer in
            settings.address = pointer
            return chaperone_mhd_start(&settings)
        }
        guard let started else {
            self.state.release()
            throw ServerError("cannot listen on \(address) for the admin listener "
                + "(address in use or not available)")
        }
        daemon = started
        var bound = address
        bound.port = chaperone_mhd_bound_port(started)
        self.address = bound
    }

    func stop() {
        MHD_stop_daemon(daemon)
        state.release()
    }
}

private let adminHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, _, _, _ in
    let state = Unmanaged<ServerState>.fromOpaque(cls!).takeUnretainedValue()
    let path = url.map { String(cString: $0) } ?? ""
    let method = method.map { String(cString: $0) } ?? "GET"
    let status: UInt32
    let body: String
    switch (path, state.notReadyReason) {
    case ("/reload", _) where method == "POST":
        (status, body) = reloadAnswer(state.reloads.reload(timeout: 30))
    case ("/reload", _):
        (status, body) = (405, #"{"type":"bad-request","title":"Bad request","status":405,"#
            + #""detail":"a reload is asked for with POST"}"#)
    case ("/healthz", _):
        (status, body) = (200, #"{"status":"ok"}"#)
    case ("/readyz", nil):
        (status, body) = (200, #"{"status":"ready"}"#)
    case ("/readyz", let reason?):
        (status, body) = (503, #"{"status":"\#(reason)"}"#)
    case ("/approvals", _):
        (status, body) = (200, approvalList(state.approvals.pending()))
    case (DevelopmentIssuer.jwksPath, _) where state.developmentKeys != nil:
        (status, body) = (200, state.developmentKeys!)
    case ("/metrics", _):
        let audit = state.audit.statistics
        (status, body) = (200, state.metrics.render(Metrics.Gauges(
            approvalsPending: state.approvals.pendingCount(),
            extra: [
                ("Audit records waiting for the writer.", "chaperone_audit_queue_depth",
                 "gauge", String(audit.queued)),
                ("Audit records committed.", "chaperone_audit_records_total", "counter",
                 String(audit.committedRecords)),
                ("Audit records that could not be written.", "chaperone_audit_failures_total",
                 "counter", String(audit.failedRecords)),
            ])))
    default:
        (status, body) = (404, #"{"type":"no-route","title":"No route","status":404,"#
            + #""detail":"the admin listener serves /healthz, /readyz, /approvals and "#
            + #"/metrics"}"#)
    }
    var bytes = Array(body.utf8)
    let response = bytes.withUnsafeMutableBytes {
        MHD_create_response_from_buffer($0.count, $0.baseAddress, .RESPMEM_MUST_COPY)
    }
    let type = path == "/metrics" ? "text/plain; version=0.0.4; charset=utf-8"
        : status == 404 || status == 405 ? "application/problem+json" : "application/json"
    MHD_add_response_header(response, "Content-Type", type)
    let result = MHD_queue_response(connection, status, response)
    MHD_destroy_response(response)
    return result
}

/// The pending approvals as JSON: who, through which agent, for what. Never a token or an
/// `auth_req_id`.
private func approvalList(_ entries: [ApprovalRegistry.Entry]) -> String {
    let now = Int64(time(nil))
    var json = JSONText(capacity: 64 + 256 * entries.count)
    json.beginObject()
    json.beginArray("approvals")
    for entry in entries {
        json.beginElement()
        json.field("id", entry.id)
        json.field("user", entry.user)
        if let actor = entry.actor { json.field("actor", actor) }
        json.field("route", entry.route)
        json.field("binding_message", entry.bindingMessage)
        json.field("age_seconds", max(0, now - entry.startedAt))
        json.field("mode", entry.mode.rawValue)
        json.endObject()
    }
    json.endArray()
    json.endObject()
    return String(decoding: json.bytes, as: UTF8.self)
}

/// The answer to `POST /reload`: 200 with what is now served, or 422 with why the file was
/// refused (the previous configuration stays).
private func reloadAnswer(_ result: ReloadRequests.Result?) -> (UInt32, String) {
    var json = JSONText(capacity: 256)
    json.beginObject()
    let status: UInt32
    switch result {
    case .reloaded(let routes, let digest, let restartOnly)?:
        status = 200
        json.field("status", "reloaded")
        json.field("routes", routes)
        json.field("config_digest", digest)
        json.beginArray("restart_needed_for")
        for setting in restartOnly { json.element(setting) }
        json.endArray()
    case .refused(let problems)?:
        status = 422
        json.field("status", "refused")
        json.beginArray("problems")
        for problem in problems { json.element(problem) }
        json.endArray()
    case nil:
        status = 503
        json.field("status", "the reload did not finish within 30 s")
    }
    json.endObject()
    return (status, String(decoding: json.bytes, as: UTF8.self))
}
