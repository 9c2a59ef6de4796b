import CYAML

/// Reads one YAML document into a `YAMLNode` tree with libyaml's event parser.
///
/// Aliases are refused rather than expanded: a configuration has no need for them and
/// expanding them is how small files become enormous ("billion laughs").
enum YAMLParser {
    static func parse(_ text: [UInt8], file: String) throws(ConfigErrors) -> YAMLNode? {
        // The parser points at itself once given its input, so it must not move: keep it
        // on the heap rather than in a Swift variable.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw failure(file, 1, 1, "the YAML parser could not start (out of memory)")
        }
        defer { yaml_parser_delete(parser) }

        return try text.withUnsafeBufferPointer { (bytes) throws(ConfigErrors) -> YAMLNode? in
            yaml_parser_set_input_string(parser, bytes.baseAddress, bytes.count)
            var reader = EventReader(parser: parser, file: file)
            return try reader.document()
        }
    }

    static func failure(_ file: String, _ line: Int, _ column: Int, _ message: String)
        -> ConfigErrors
    {
        ConfigErrors(problems: [
            ConfigProblem(SourceLocation(file: file, line: line, column: column), "", message),
        ])
    }
}

/// Pulls events one at a time and assembles nodes from them.
private struct EventReader {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let file: String

    mutating func document() throws(ConfigErrors) -> YAMLNode? {
        var root: YAMLNode?
        var documents = 0
        while true {
            var event = try next()
            defer { yaml_event_delete(&event) }
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw YAMLParser.failure(file, location(event.start_mark).line, 1,
                                             "the file holds more than one YAML document")
                }
                root = try node(after: next())
            default:
                continue
            }
        }
    }

    /// Builds the node that starts with `event` (taking ownership of it).
    mutating func node(after first: yaml_event_t) throws(ConfigErrors) -> YAMLNode? {
        var event = first
        defer { yaml_event_delete(&event) }
        let start = location(event.start_mark)
        switch event.type {
        case YAML_SCALAR_EVENT:
            return .scalar(scalar(event))
        case YAML_ALIAS_EVENT:
            throw YAMLParser.failure(file, start.line, start.column,
                                     "YAML aliases (*name) are not supported")
        case YAML_SEQUENCE_START_EVENT:
            var items: [YAMLNode] = []
            while true {
                let item = try next()
                if item.type == YAML_SEQUENCE_END_EVENT {
                    var end = item
                    yaml_event_delete(&end)
                    return .sequence(items, start)
                }
                if let node = try node(after: item) { items.append(node) }
            }
        case YAML_MAPPING_START_EVENT:
            var entries: [(key: YAMLScalar, value: YAMLNode)] = []
            var seen: Set<String> = []
            while true {
                var keyEvent = try next()
                if keyEvent.type == YAML_MAPPING_END_EVENT {
                    yaml_event_delete(&keyEvent)
                    return .mapping(entries, start)
                }
                guard keyEvent.type == YAML_SCALAR_EVENT else {
                    let at = location(keyEvent.start_mark)
                    yaml_event_delete(&keyEvent)
                    throw YAMLParser.failure(file, at.line, at.column,
                                             "mapping keys must be plain strings")
                }
                let key = scalar(keyEvent)
                yaml_event_delete(&keyEvent)
                guard seen.insert(key.value).inserted else {
                    throw YAMLParser.failure(file, key.location.line, key.location.column,
                                             "duplicate key '\(key.value)'")
                }
                guard let value = try node(after: next()) else { continue }
                entries.append((key, value))
            }
        default:
            return nil
        }
    }

    private mutating func next() throws(ConfigErrors) -> yaml_event_t {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            let mark = location(parser.pointee.problem_mark)
            let problem = parser.pointee.problem.map { String(cString: $0) } ?? "malformed YAML"
            let context = parser.pointee.context.map { " " + String(cString: $0) } ?? ""
            throw YAMLParser.failure(file, mark.line, mark.column, "\(problem)\(context)")
        }
        return event
    }

    private func scalar(_ event: yaml_event_t) -> YAMLScalar {
        let data = event.data.scalar
        let bytes = UnsafeBufferPointer(start: data.value, count: data.length)
        return YAMLScalar(value: String(decoding: bytes, as: UTF8.self),
                          isPlain: data.style == YAML_PLAIN_SCALAR_STYLE,
                          location: location(event.start_mark))
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}
