/// A YAML document as a tree that remembers where each node stood in the file.
indirect enum YAMLNode: Sendable {
    case scalar(YAMLScalar)
    case mapping([(key: YAMLScalar, value: YAMLNode)], SourceLocation)
    case sequence([YAMLNode], SourceLocation)

    var location: SourceLocation {
        switch self {
        case .scalar(let scalar): scalar.location
        case .mapping(_, let location), .sequence(_, let location): location
        }
    }

    /// What the node is, for messages such as "expected a mapping, found a list".
    var kindName: String {
        switch self {
        case .scalar(let scalar): scalar.isNull ? "nothing" : "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }
}

struct YAMLScalar: Sendable {
    var value: String
    /// Plain (unquoted) scalars may be null, numbers or booleans; quoted ones are strings.
    var isPlain: Bool
    var location: SourceLocation

    var isNull: Bool { isPlain && (value.isEmpty || value == "~" || value == "null") }
}
