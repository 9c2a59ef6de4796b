import ChaperoneTestSupport
import Foundation
import Testing

/// How Chaperone binds its ports: a restart binds them again at once, although
/// connections of the run before still hold them in TIME_WAIT for a minute (`scripts/run`
/// after Ctrl-C does this), and a second process cannot bind them beside the first.
@Suite(.timeLimit(.minutes(2))) struct ListenerReuseTests {
    @Test func aRestartBindsTheAdminPortItsLastRunsConnectionsStillHold() throws {
        let admin = try freeLoopbackPort()
        let config = """
            version: 1
            listen: 127.0.0.1:0
            admin: {listen: 127.0.0.1:\(admin)}
            routes: []
            """
        let first = try ChaperoneProcess(config: config)
        // A connection the server closes first leaves the TIME_WAIT on the server's side, on
        // the admin port: the client asks it to close, and reads until it has. The time-outs
        // are generous: beside the rest of the suite, two cores can be busy for a while.
        let connection = try RawConnection(port: admin)
        try connection.send(
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(connection.receive(timeout: 60).contains("200"))
        connection.hangUp()
        first.process.signal(SIGTERM)
        #expect(first.process.waitForExit() == 0)
        try poll("a connection of the first run in TIME_WAIT on port \(admin)", timeout: 30) {
            try Self.timeWaitSockets(localPort: admin) > 0 ? () : nil
        }

        let second = try ChaperoneProcess(config: config)
        #expect(second.adminPort == admin)
        #expect(try HTTPClient.request(second.adminURL("/healthz")).status == 200)
    }

    /// The loops share one listening socket, not SO_REUSEPORT: a second Chaperone started
    /// on a port that one is serving is refused and says why, rather than taking a share
    /// of the traffic with a configuration of its own.
    @Test func aSecondChaperoneCannotShareTheProxyPort() throws {
        let first = try ChaperoneProcess(config: """
            version: 1
            listen: 127.0.0.1:0
            workers: 2
            routes: []
            """)
        let configPath = try first.directory.write("second.yaml", """
            version: 1
            listen: 127.0.0.1:\(first.port)
            routes: []
            """)
        let second = try TestProcess(ChaperoneProcess.binary,
                                     ["serve", "--config", configPath],
                                     directory: first.directory, name: "second")
        #expect(second.waitForExit() == 1)
        #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(first.port)"),
                "\(second.stderr)")
        // Every connection still reaches the first, whichever of its loops accepts it.
        for _ in 0..<20 {
            #expect(try HTTPClient.request(first.url("/anything")).status == 404)
        }
    }

    /// Sockets in TIME_WAIT whose local port is `localPort`, from /proc/net/tcp.
    static func timeWaitSockets(localPort: Int) throws -> Int {
        // Read to the end: /proc files report a size of 0, and a read of the reported size
        // can stop at the first page, which a busy machine's table outgrows.
        guard let handle = FileHandle(forReadingAtPath: "/proc/net/tcp") else {
            throw TestFailure("cannot open /proc/net/tcp")
        }
        defer { try? handle.close() }
        let table = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        let port = String(format: ":%04X", localPort)
        return table.split(separator: "\n").dropFirst().filter { line in
            let fields = line.split(separator: " ")
            // local_address is "0100007F:1F90"; state 06 is TIME_WAIT.
            return fields.count > 3 && fields[1].hasSuffix(port) && fields[3] == "06"
        }.count
    }
}
