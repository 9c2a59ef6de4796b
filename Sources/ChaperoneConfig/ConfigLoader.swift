import COpenSSL

/// Reads, decodes and validates a configuration file.
public struct ConfigLoader: Sendable {
    public var secrets: SecretSource
    /// Workers when the file does not say: one per online CPU.
    public var defaultWorkers: Int
    /// Set by the `vault` commands: the vault key must then be readable even when no route
    /// uses the vault.
    public var requiresVault: Bool

    public init(secrets: SecretSource = .process, defaultWorkers: Int,
                requiresVault: Bool = false)
    {
        self.secrets = secrets
        self.defaultWorkers = defaultWorkers
        self.requiresVault = requiresVault
    }

    /// Loads the file at `path`; throws every problem found, warnings included, when any is
    /// an error.
    public func load(path: String) throws(ConfigErrors) -> Configuration {
        switch FileSystem.read(path) {
        case .failure(let error):
            throw YAMLParser.failure(path, 1, 1, "cannot read the configuration: \(error)")
        case .success(let bytes):
            return try load(text: bytes, file: path)
        }
    }

    /// Loads configuration text; `file` names it in messages and anchors relative paths.
    public func load(text: [UInt8], file: String) throws(ConfigErrors) -> Configuration {
        guard let root = try YAMLParser.parse(text, file: file) else {
            throw YAMLParser.failure(file, 1, 1, "the file is empty")
        }
        var diagnostics = Diagnostics()
        let wire = WireConfig(root, &diagnostics)
        var validator = Validator(diagnostics: diagnostics, secrets: secrets,
                                  baseDirectory: FileSystem.directory(of: file),
                                  defaultWorkers: defaultWorkers,
                                  requiresVault: requiresVault)
        let configuration = wire.flatMap { validator.configuration($0, file: file) }
        guard var configuration, !validator.diagnostics.hasErrors else {
            throw ConfigErrors(problems: validator.diagnostics.problems.sorted(by: Self.order))
        }
        configuration.digest = Self.digest(text)
        return configuration
    }

    private static func digest(_ text: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let empty: [UInt8] = [0]
        text.withUnsafeBytes { bytes in
            empty.withUnsafeBytes { fallback in
                _ = EVP_Digest(bytes.baseAddress ?? fallback.baseAddress, bytes.count, &digest,
                               &length, EVP_sha256(), nil)
            }
        }
        let hex = Array("0123456789abcdef".utf8)
        return String(decoding: digest.prefix(8).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] },
                      as: UTF8.self)
    }

    private static func order(_ a: ConfigProblem, _ b: ConfigProblem) -> Bool {
        (a.location.line, a.location.column) < (b.location.line, b.location.column)
    }
}
