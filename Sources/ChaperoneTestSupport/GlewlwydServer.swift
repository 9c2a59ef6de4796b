import Foundation

/// One Glewlwyd process on a free loopback port, with its own database, signing key,
/// configuration and log in a temporary directory. Stopped when released.
final class GlewlwydServer: Sendable {
    static let executable = "/usr/bin/glewlwyd"

    let directory: TemporaryDirectory
    let port: Int
    /// The RSA signing key and its self-signed certificate, generated for this run (PEM).
    let keyPath: String
    let certificatePath: String
    private let process: TestProcess
    private let watchdog: ProcessWatchdog

    init(_ options: Glewlwyd.Options) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw TestFailure("glewlwyd is missing: scripts/install-packages glewlwyd sqlite3")
        }
        directory = try TemporaryDirectory()
        keyPath = directory.path("signing-key.pem")
        certificatePath = directory.path("signing-cert.pem")

        // The key and the database do not depend on each other: make them at the same time.
        let keys = try TestProcess(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=glewlwyd-test",
             "-days", "2", "-keyout", keyPath, "-out", certificatePath],
            directory: directory, name: "openssl")
        let database = directory.path("glewlwyd.sqlite3")
        let schema = try Self.schemaFile(options.packageSchema, directory)
        let load = try TestProcess("/usr/bin/sqlite3", [database, ".read '\(schema)'"],
                                   directory: directory, name: "sqlite3")
        try keys.finish()
        try load.finish()

        let packageConfig = try String(contentsOfFile: options.packageConfig, encoding: .utf8)
        let webapp = try GlewlwydWebapp.prepare(at: directory.path("webapp"), in: directory)
        (port, process, watchdog) = try Self.start(packageConfig, database: database,
                                                   webapp: webapp, in: directory)
    }

    deinit { stop() }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var logPath: String { directory.path("glewlwyd.log") }

    var isRunning: Bool { process.process.isRunning }

    /// SIGTERM, then SIGKILL if Glewlwyd has not ended within five seconds. A child started
    /// from a test's thread inherits that thread's signal mask, with SIGTERM blocked; Glewlwyd
    /// still stops on it because it waits for its signals with sigwait.
    func stop() {
        if process.process.isRunning {
            process.signal(SIGTERM)
            if process.waitForExit(timeout: 5) == nil {
                process.signal(SIGKILL)
                _ = process.waitForExit(timeout: 5)
            }
        }
        watchdog.stop()
    }

    /// The package's schema as an SQL file, or the repository's copy when the package's is gone.
    private static func schemaFile(_ packageSchema: String,
                                   _ directory: TemporaryDirectory) throws -> String
    {
        guard FileManager.default.fileExists(atPath: packageSchema) else {
            return packageRoot + "/Sources/ChaperoneTestSupport/Fixtures/glewlwyd-init.sqlite3.sql"
        }
        let gunzip = try TestProcess("/bin/gzip", ["-dc", packageSchema], directory: directory,
                                     name: "schema")
        try gunzip.finish()
        return gunzip.stdoutPath
    }

    /// Starts Glewlwyd on a free port, watched from the moment it exists, and waits until it
    /// answers. A port taken by someone else between choosing and binding makes Glewlwyd exit
    /// at once; then another port is tried.
    private static func start(
        _ packageConfig: String, database: String, webapp: String?,
        in directory: TemporaryDirectory
    ) throws -> (Int, TestProcess, ProcessWatchdog) {
        let log = directory.path("glewlwyd.log")
        let config = directory.path("glewlwyd.conf")
        var failures: [String] = []
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            try GlewlwydConfigFile.text(from: packageConfig, port: port, logFile: log,
                                        database: database, webapp: webapp)
                .write(toFile: config, atomically: true, encoding: .utf8)
            try? FileManager.default.removeItem(atPath: log)
            let process = try TestProcess(executable, ["--config-file=\(config)"],
                                          directory: directory, name: "glewlwyd")
            let watchdog = try ProcessWatchdog(child: process.pid, directory: directory)
            // Glewlwyd logs this line only once it is listening: an answer on the port before
            // it could come from whoever else holds the port.
            let started = try poll("Glewlwyd to start on port \(port)", timeout: 15) {
                () -> Bool? in
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if text.contains("Glewlwyd started on port \(port)") { return true }
                return process.process.isRunning ? nil : false
            }
            if started {
                try poll("Glewlwyd to answer on port \(port)") {
                    (try? HTTPClient.request("http://127.0.0.1:\(port)/config"))?.status == 200
                        ? () : nil
                }
                return (port, process, watchdog)
            }
            process.signal(SIGKILL)
            _ = process.waitForExit()
            failures.append((try? String(contentsOfFile: log, encoding: .utf8)) ?? process.stderr)
        }
        throw TestFailure("Glewlwyd did not start:\n" + failures.joined(separator: "\n---\n"))
    }
}
