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
    }

    private let root: Node

    public let count: Int

    /// Whether any route names a host; when none does, callers need not read one.
    public let hasHostRoutes: Bool

    /// Builds the table; throws every pair of definitions that would be ambiguous.
    public init(_ definitions: [Definition]) throws(RouteConflicts) {
        let root = Node()
        var conflicts: [RouteConflict] = []
        for (index, definition) in definitions.enumerated() {
            var node = root
            for segment in definition.template.segments {
                node = node.child(for: segment)
            }
            let entry = Entry(methods: definition.methods, host: definition.host, index: index,
                              value: definition.value)
            let existing = definition.template.matchesRest ? node.rest : node.terminal
            for other in existing where other.host == entry.host
                && !other.methods.intersection(entry.methods).isEmpty
            {
                conflicts.append(RouteConflict(first: other.index, second: index))
            }
            if definition.template.matchesRest {
                node.rest.append(entry)
            } else {
                node.terminal.append(entry)
            }
        }
        guard conflicts.isEmpty else { throw RouteConflicts(conflicts: conflicts) }
        self.root = root
        self.count = definitions.count
        self.hasHostRoutes = definitions.contains { $0.host != nil }
    }

    /// The route for a request, or nil when none matches.
    /// - Parameter host: the request's host, lower-case and without port, if it sent one.
    public func match(method: HTTPMethod, host: String?, path: NormalizedPath) -> Match? {
        var parameters: [String] = []
        guard let value = root.find(path.segments[...], method: method, host: host,
                                    parameters: &parameters)
        else { return nil }
        return Match(value: value, parameters: parameters)
    }

    private struct Entry: Sendable {
        var methods: MethodSet
        var host: String?
        var index: Int
        var value: Value
    }

    /// Built once, then only read: the table is immutable after `init`.
    private final class Node: @unchecked Sendable {
        var literals: [String: Node] = [:]
        var parameter: Node?
        var terminal: [Entry] = []
        var rest: [Entry] = []

        func child(for segment: PathTemplate.Segment) -> Node {
            switch segment {
            case .literal(let text):
                if let node = literals[text] { return node }
                let node = Node()
                literals[text] = node
                return node
            case .parameter:
                if let node = parameter { return node }
                let node = Node()
                parameter = node
                return node
            }
        }

        func find(_ segments: ArraySlice<String>, method: HTTPMethod, host: String?,
                  parameters: inout [String]) -> Value?
        {
            guard let first = segments.first else {
                return Self.select(terminal, method: method, host: host)
                    ?? Self.select(rest, method: method, host: host)
            }
            let remaining = segments.dropFirst()
            if let node = literals[first],
               let value = node.find(remaining, method: method, host: host,
                                     parameters: &parameters)
            {
                return value
            }
            if let node = parameter, !first.isEmpty {
                parameters.append(first)
                if let value = node.find(remaining, method: method, host: host,
                                         parameters: &parameters)
                {
                    return value
                }
                parameters.removeLast()
            }
            return Self.select(rest, method: method, host: host)
        }

        private static func select(_ entries: [Entry], method: HTTPMethod, host: String?)
            -> Value?
        {
            var hostless: Value?
            for entry in entries where entry.methods.contains(method) {
                if entry.host == nil {
                    hostless = entry.value
                } else if entry.host == host {
                    return entry.value
                }
            }
            return hostless
        }
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
