import Foundation

/// A Python test server from Tests/ChaperoneEndToEndTests/Fixtures that prints
/// `PORT <n>` once it listens on 127.0.0.1; it stops when this object goes away.
public final class FixtureServer: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let process: TestProcess
    public let port: Int

    /// Starts `script` (a file name in the fixtures folder) with `arguments`. Debian's
    /// interpreter by default, where python3-jwt and python3-cryptography are installed.
    public init(_ script: String, arguments: [String] = [],
                python: String = "/usr/bin/python3") throws
    {
        directory = try TemporaryDirectory()
        let path = packageRoot + "/Tests/ChaperoneEndToEndTests/Fixtures/" + script
        process = try TestProcess(python, [path] + arguments, directory: directory,
                                  name: String(script.prefix { $0 != "." }))
        let output = try process.waitForOutput(stream: \.stdout) { $0.contains("PORT ") }
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("PORT ") }),
              let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespaces))
        else { throw TestFailure("\(script) printed no port: \(output)") }
        self.port = port
    }

    public var url: String { "http://127.0.0.1:\(port)" }
}
