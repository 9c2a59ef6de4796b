/// Selects the one route for a request from a segment trie, so the cost of a match grows
/// with the length of the path, not with the number of routes.
///
/// Precedence, segment by segment: a literal beats `{name}`, which beats `**`; a route
/// naming the request's host beats one that names no host. Routes that precedence cannot
/// tell apart (same shape, same host, a method in common) are refused when the table is
/// built, so every request has at most one route.
public struct RouteTable<Value: Sendable>: Sendable {
    public struct Definition: Sendable {
        public var template: PathTemplate
        public var methods: MethodSet
        /// Lower-case host without port; nil matches any host.
        public var host: String?
        public var value: Value

        public init(template: PathTemplate, methods: MethodSet, host: String?, value: Value) {
            self.template = template
            self.methods = methods
            self.host = host
            self.value = value
        }
    }

    public struct Match: Sendable {
        public var value: Value
        /// Values of the template's `{name}` segments, in template order.
        public var parameters: [String]

        @usableFromInline
        init(value: Value, parameters: [String]) {
            self.value = value
            self.parameters = parameters
        }
    }

    /// The trie holds indices into `values`, so that it is not generic: a lookup then runs
    /// compiled code without run-time generic metadata, and `match` is small enough to be
    /// specialised into the caller's module.
    @usableFromInline let trie: RouteTrie
    @usableFromInline let values: [Value]

    public var count: Int { values.count }

    /// Whether any route names a host; when none does, callers need not read one.
    public let hasHostRoutes: Bool

    /// Builds the table; throws every pair of definitions that would be ambiguous.
    public init(_ definitions: [Definition]) throws(RouteConflicts) {
        let trie = RouteTrie()
        var conflicts: [RouteConflict] = []
        for (index, definition) in definitions.enumerated() {
            let entry = RouteTrie.Entry(methods: definition.methods, host: definition.host,
                                        index: index)
            let existing = trie.insert(entry, at: definition.template)
            for other in existing where other.host == entry.host
                && !other.methods.intersection(entry.methods).isEmpty
            {
                conflicts.append(RouteConflict(first: other.index, second: index))
            }
        }
        guard conflicts.isEmpty else { throw RouteConflicts(conflicts: conflicts) }
        self.trie = trie
        self.values = definitions.map(\.value)
        self.hasHostRoutes = definitions.contains { $0.host != nil }
    }

    /// The route for a request, or nil when none matches.
    /// - Parameter host: the request's host, lower-case and without port, if it sent one.
    @inlinable
    public func match(method: HTTPMethod, host: String?, path: NormalizedPath) -> Match? {
        var parameters: [String] = []
        guard let index = trie.find(path.segments[...], method: method, host: host,
                                    parameters: &parameters)
        else { return nil }
        return Match(value: values[index], parameters: parameters)
    }
}

/// The segment trie behind `RouteTable`: each node's routes by index, for requests that end
/// there (`terminal`) and for those with more segments that `**` takes (`rest`).
///
/// Built once, then only read: the table is immutable after `init`.
@usableFromInline
final class RouteTrie: @unchecked Sendable {
    struct Entry: Sendable {
        var methods: MethodSet
        var host: String?
        var index: Int
    }

    private var literals: [String: RouteTrie] = [:]
    private var parameter: RouteTrie?
    private var terminal: [Entry] = []
    private var rest: [Entry] = []

    /// Adds a route under its template and returns the routes already there, for the
    /// caller to check for ambiguity.
    func insert(_ entry: Entry, at template: PathTemplate) -> [Entry] {
        var node = self
        for segment in template.segments {
            node = node.child(for: segment)
        }
        if template.matchesRest {
            defer { node.rest.append(entry) }
            return node.rest
        }
        defer { node.terminal.append(entry) }
        return node.terminal
    }

    private func child(for segment: PathTemplate.Segment) -> RouteTrie {
        switch segment {
        case .literal(let text):
            if let node = literals[text] { return node }
            let node = RouteTrie()
            literals[text] = node
            return node
        case .parameter:
            if let node = parameter { return node }
            let node = RouteTrie()
            parameter = node
            return node
        }
    }

    /// The index of the route for the remaining `segments`, collecting `{name}` values.
    @usableFromInline
    func find(_ segments: ArraySlice<String>, method: HTTPMethod, host: String?,
              parameters: inout [String]) -> Int?
    {
        guard let first = segments.first else {
            return Self.select(terminal, method: method, host: host)
                ?? Self.select(rest, method: method, host: host)
        }
        let remaining = segments.dropFirst()
        if let node = literals[first],
           let index = node.find(remaining, method: method, host: host, parameters: &parameters)
        {
            return index
        }
        if let node = parameter, !first.isEmpty {
            parameters.append(first)
            if let index = node.find(remaining, method: method, host: host,
                                     parameters: &parameters)
            {
                return index
            }
            parameters.removeLast()
        }
        return Self.select(rest, method: method, host: host)
    }

    private static func select(_ entries: [Entry], method: HTTPMethod, host: String?) -> Int? {
        var hostless: Int?
        for entry in entries where entry.methods.contains(method) {
            if entry.host == nil {
                hostless = entry.index
            } else if entry.host == host {
                return entry.index
            }
        }
        return hostless
    }
}

/// Two definitions that would both match some request, by their index in the input.
public struct RouteConflict: Sendable, Equatable {
    public var first: Int
    public var second: Int
}

/// The ambiguous pairs found while building a route table.
public struct RouteConflicts: Error, Sendable {
    public var conflicts: [RouteConflict]
}
