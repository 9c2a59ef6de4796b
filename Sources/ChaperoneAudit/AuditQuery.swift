/// Which records `audit query` prints: every condition given must hold.
public struct AuditQuery: Sendable, Equatable {
    /// The verified caller's `sub`.
    public var user: String?
    /// The `sub` of any actor in the record's chain.
    public var actor: String?
    public var route: String?
    public var decision: AuditDecision?
    /// From this time on, in milliseconds since the Unix epoch (inclusive).
    public var since: Int64?
    /// Before this time (exclusive).
    public var until: Int64?
    /// At most this many, the latest ones.
    public var limit: Int?

    public init(user: String? = nil, actor: String? = nil, route: String? = nil,
                decision: AuditDecision? = nil, since: Int64? = nil, until: Int64? = nil,
                limit: Int? = nil)
    {
        self.user = user
        self.actor = actor
        self.route = route
        self.decision = decision
        self.since = since
        self.until = until
        self.limit = limit
    }

    enum Value: Equatable {
        case text(String)
        case integer(Int64)
    }

    /// The statement and its values, in the order of their placeholders. Only the
    /// conditions given are in the statement, so that SQLite can pick an index for them.
    var sql: (String, [Value]) {
        var conditions: [String] = []
        var values: [Value] = []
        func add(_ condition: String, _ value: Value) {
            values.append(value)
            conditions.append(condition.replacing("?", with: "?\(values.count)"))
        }
        if let user { add("user = ?", .text(user)) }
        if let route { add("route = ?", .text(route)) }
        if let decision { add("decision = ?", .text(decision.rawValue)) }
        if let since { add("time >= ?", .integer(since)) }
        if let until { add("time < ?", .integer(until)) }
        if let actor {
            add("seq IN (SELECT seq FROM record_actors WHERE sub = ?)", .text(actor))
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        guard let limit else {
            return ("SELECT seq, canonical FROM records\(filter) ORDER BY seq", values)
        }
        values.append(.integer(Int64(limit)))
        return ("SELECT seq, canonical FROM (SELECT seq, canonical FROM records\(filter) "
                    + "ORDER BY seq DESC LIMIT ?\(values.count)) ORDER BY seq", values)
    }
}
