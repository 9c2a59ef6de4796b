/// A position in a configuration file, 1-based as editors count.
public struct SourceLocation: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
}

/// One thing wrong with a configuration, printed as `FILE:LINE:COLUMN: key.path: message`.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: Sendable { case error, warning }

    public var location: SourceLocation
    /// Where in the document, such as `routes[2].credential.static.env`; empty for problems
    /// of the file as a whole.
    public var keyPath: String
    public var message: String
    public var severity: Severity

    public init(_ location: SourceLocation, _ keyPath: String, _ message: String,
                severity: Severity = .error)
    {
        self.location = location
        self.keyPath = keyPath
        self.message = message
        self.severity = severity
    }

    public var description: String {
        let place = "\(location.file):\(location.line):\(location.column):"
        let key = keyPath.isEmpty ? "" : " \(keyPath):"
        let kind = severity == .warning ? " warning:" : ""
        return "\(place)\(key)\(kind) \(message)"
    }
}

/// Every problem found while loading a configuration; thrown only when one is an error.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Collects problems in document order while decoding and validating.
struct Diagnostics {
    private(set) var problems: [ConfigProblem] = []

    var hasErrors: Bool { problems.contains { $0.severity == .error } }

    mutating func error(_ location: SourceLocation, _ keyPath: String, _ message: String) {
        problems.append(ConfigProblem(location, keyPath, message))
    }

    mutating func warning(_ location: SourceLocation, _ keyPath: String, _ message: String) {
        problems.append(ConfigProblem(location, keyPath, message, severity: .warning))
    }
}
