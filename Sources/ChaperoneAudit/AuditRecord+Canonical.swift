/// The canonical text of a record, format version 1: one line of compact JSON with every
/// member present, in this order, `null` where a value is absent:
///
/// ```json
/// {"v":1,"seq":7,"time":1796292000123,"request_id":"r-7","user":"alice",
///  "actors":[{"sub":"agt_knox","profile":"ai_agent"}],"route":"list-issues",
///  "method":"GET","path":"/github/repos/o/r/issues?state=","decision":"forwarded",
///  "reason":"ok","approval":null,"connection":"github",
///  "credential":"3f0c…(32 hex digits)","status":200,"upstream_status":200,
///  "duration_us":48210,"upstream_us":40100,"approval_us":null}
/// ```
///
/// (shown wrapped; the text has no white space). A fixed set of members, always all
/// present, means every record has one shape and one spelling: the bytes hashed into the
/// chain are the bytes the mirror and `audit query --json` print.
extension AuditRecord {
    /// The format version, the first member of every record.
    public static let formatVersion: Int64 = 1

    public var canonicalText: String {
        var json = CanonicalJSON()
        json.beginObject()
        json.field("v", Self.formatVersion)
        json.field("seq", sequence)
        json.field("time", content.time)
        json.field("request_id", content.requestID)
        json.field("user", content.user)
        json.beginArray("actors")
        for actor in content.actors {
            json.beginObject()
            json.field("sub", actor.subject)
            json.field("profile", actor.profile)
            json.endObject()
        }
        json.endArray()
        json.field("route", content.route)
        json.field("method", content.method)
        json.field("path", content.path)
        json.field("decision", content.decision.rawValue)
        json.field("reason", content.reason)
        json.objectKey("approval")
        if let approval = content.approval {
            json.beginObject()
            json.field("id", approval.id)
            json.field("outcome", approval.outcome.rawValue)
            json.endObject()
        } else {
            json.null()
        }
        json.field("connection", content.connection)
        json.field("credential", content.credential?.hex)
        json.field("status", content.status)
        json.field("upstream_status", content.upstreamStatus)
        json.field("duration_us", content.durationMicroseconds)
        json.field("upstream_us", content.upstreamMicroseconds)
        json.field("approval_us", content.approvalMicroseconds)
        json.endObject()
        return json.text
    }
}
