/// A credential read from the environment or a file. It never prints itself: its
/// `description` is `<redacted>`, so string interpolation into a log line or an error
/// message cannot leak it.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// The secret's text, for the one place that must put it on the wire.
    public func reveal() -> String { value }

    public var isEmpty: Bool { value.isEmpty }
}

/// Where secrets come from: the process environment and the file system in production,
/// tables in tests.
public struct SecretSource: Sendable {
    public var environment: @Sendable (String) -> String?
    public var readFile: @Sendable (String) -> Result<[UInt8], FileReadError>

    public init(environment: @escaping @Sendable (String) -> String?,
                readFile: @escaping @Sendable (String) -> Result<[UInt8], FileReadError>)
    {
        self.environment = environment
        self.readFile = readFile
    }

    /// The real environment and file system.
    public static let process = SecretSource(
        environment: { name in ProcessEnvironment.value(of: name) },
        readFile: { path in FileSystem.read(path) }
    )
}
