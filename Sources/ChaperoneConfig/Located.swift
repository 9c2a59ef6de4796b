/// A value from the file together with where it stood, so validation can point at it.
struct Located<Value> {
    var value: Value
    var location: SourceLocation
    /// The key path, such as `routes[0].timeout`.
    var path: String
}

/// Hands out the entries of one YAML mapping by key and reports, at the end, the keys
/// that nobody asked for, so a misspelt key is an error rather than silently ignored.
struct MappingReader {
    let path: String
    let location: SourceLocation
    private let entries: [(key: YAMLScalar, value: YAMLNode)]
    private var taken: Set<String> = []
    private var known: [String] = []

    /// Reads `node` as a mapping, or reports what it was instead and returns nil.
    init?(_ node: YAMLNode, path: String, diagnostics: inout Diagnostics) {
        guard case .mapping(let entries, let location) = node else {
            diagnostics.error(node.location, path, "expected a mapping, found \(node.kindName)")
            return nil
        }
        self.path = path
        self.location = location
        self.entries = entries
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func node(_ key: String) -> YAMLNode? {
        known.append(key)
        guard let entry = entries.first(where: { $0.key.value == key }) else { return nil }
        taken.insert(key)
        if case .scalar(let scalar) = entry.value, scalar.isNull { return nil }
        return entry.value
    }

    /// A single value such as a string, number or duration, still as text.
    mutating func scalar(_ key: String, _ diagnostics: inout Diagnostics) -> Located<String>? {
        guard let node = node(key) else { return nil }
        return Self.scalar(node, path: childPath(key), &diagnostics)
    }

    /// A list of single values.
    mutating func scalars(_ key: String, _ diagnostics: inout Diagnostics)
        -> Located<[Located<String>]>?
    {
        guard let node = node(key) else { return nil }
        let path = childPath(key)
        guard case .sequence(let items, let location) = node else {
            diagnostics.error(node.location, path, "expected a list, found \(node.kindName)")
            return nil
        }
        let values = items.enumerated().compactMap { index, item in
            Self.scalar(item, path: "\(path)[\(index)]", &diagnostics)
        }
        return Located(value: values, location: location, path: path)
    }

    /// A nested mapping.
    mutating func mapping(_ key: String, _ diagnostics: inout Diagnostics) -> MappingReader? {
        guard let node = node(key) else { return nil }
        return MappingReader(node, path: childPath(key), diagnostics: &diagnostics)
    }

    static func scalar(_ node: YAMLNode, path: String, _ diagnostics: inout Diagnostics)
        -> Located<String>?
    {
        guard case .scalar(let scalar) = node else {
            diagnostics.error(node.location, path,
                              "expected a single value, found \(node.kindName)")
            return nil
        }
        return Located(value: scalar.value, location: scalar.location, path: path)
    }

    /// Reports every key that was never asked for, suggesting the nearest known key.
    func reportUnknownKeys(_ diagnostics: inout Diagnostics) {
        for (key, _) in entries where !taken.contains(key.value) && !known.contains(key.value) {
            var message = "unknown key '\(key.value)'"
            if let near = known.min(by: { distance($0, key.value) < distance($1, key.value) }),
               distance(near, key.value) <= 2
            {
                message += " (did you mean '\(near)'?)"
            }
            diagnostics.error(key.location, childPath(key.value), message)
        }
    }

    /// Levenshtein distance, for the suggestion.
    private func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
