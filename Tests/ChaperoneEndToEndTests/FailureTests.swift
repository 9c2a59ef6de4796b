import ChaperoneTestSupport
import Foundation
import Testing

/// Checks a problem+json answer: status, stable type, request id in body and header.
func expectProblem(_ response: HTTPResponse, status: Int, type: String,
                   sourceLocation: SourceLocation = #_sourceLocation)
{
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.header("Content-Type") == "application/problem+json",
            sourceLocation: sourceLocation)
    let problem = response.json
    #expect(problem["type"] as? String == type, sourceLocation: sourceLocation)
    #expect(problem["status"] as? Int == status, sourceLocation: sourceLocation)
    #expect((problem["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    #expect((problem["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(problem["request_id"] as? String == response.header("X-Request-Id"),
            sourceLocation: sourceLocation)
}

@Suite(.timeLimit(.minutes(2))) struct FailureTests {
    @Test func noRouteIs404AndNothingIsForwarded() throws {
        let setup = try Setup()
        expectProblem(try setup.get("/elsewhere/x"), status: 404, type: "no-route")
        let post = try HTTPClient.request(setup.chaperone.url("/nope"), method: "POST",
                                          body: Array("data".utf8))
        expectProblem(post, status: 404, type: "no-route")
        #expect(try setup.upstream.records().isEmpty)
    }

    @Test func refusalsWithoutABodyKeepTheConnectionOpen() throws {
        let setup = try Setup()
        let connection = try RawConnection(port: setup.chaperone.port)
        try connection.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = connection.receive { $0.hasSuffix("}") }
        #expect(first.hasPrefix("HTTP/1.1 404"))
        #expect(!first.lowercased().contains("connection: close"))
        try connection.send("GET /api/after HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(connection.receive { $0.hasSuffix("}") }.hasPrefix("HTTP/1.1 200"))
    }

    @Test(arguments: [
        "/api/%2e%2e/%2e%2e/etc/passwd",
        "/api/a%2Fb",
        "/api/a%00b",
        "/api/a%5Cb",
        "/api/a%zz",
        "/api/../api/x",
        "/..",
    ])
    func hostilePathsAre400AndNotForwarded(path: String) throws {
        let setup = try Setup()
        expectProblem(try setup.get(path), status: 400, type: "bad-request")
        #expect(try setup.upstream.records().isEmpty)
    }

    @Test func absoluteFormTargetIsRefused() throws {
        let setup = try Setup()
        let connection = try RawConnection(port: setup.chaperone.port)
        try connection.send("GET http://evil.example/api/x HTTP/1.1\r\nHost: evil.example\r\n\r\n")
        let answer = connection.receive { $0.contains("\r\n\r\n{") && $0.hasSuffix("}") }
        #expect(answer.hasPrefix("HTTP/1.1 400"))
        #expect(answer.contains(#""type":"bad-request""#))
        #expect(try setup.upstream.records().isEmpty)
    }

    /// Requests that are not HTTP/1.x are turned away by libmicrohttpd before any route is
    /// consulted, with its own short HTML answer or none: never forwarded.
    @Test(arguments: [
        ("GET /api/x HTTP/1.1\r\nNo colon here\r\n\r\n", "HTTP/1.1 400"),
        ("GET /api/x HTTP/9.9\r\nHost: x\r\n\r\n", "HTTP/1.1 505"),
        ("GET /api/x y HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400"),
        ("GARBAGE\r\n\r\n", ""),
    ])
    func malformedRequestsAreRefused(request: String, answer: String) throws {
        let setup = try Setup()
        let connection = try RawConnection(port: setup.chaperone.port)
        try connection.send(request)
        let received = connection.receive(timeout: 3)
        #expect(answer.isEmpty ? received.isEmpty : received.hasPrefix(answer))
        #expect(try setup.upstream.records().isEmpty)
        #expect(setup.chaperone.process.process.isRunning)
    }

    @Test func bodyOverTheLimitIs413() throws {
        let setup = try Setup(top: "limits: {body_bytes: 1KiB}")
        let big = [UInt8](repeating: 1, count: 4096)
        let declared = try HTTPClient.request(setup.chaperone.url("/api/u"), method: "POST",
                                              body: big)
        expectProblem(declared, status: 413, type: "too-large")
        let chunked = try HTTPClient.request(setup.chaperone.url("/api/u"), method: "POST",
                                             body: big, chunked: true)
        expectProblem(chunked, status: 413, type: "too-large")
        let fits = try HTTPClient.request(setup.chaperone.url("/api/u"), method: "POST",
                                          body: [UInt8](repeating: 1, count: 1000))
        #expect(fits.status == 200)
        #expect(try setup.upstream.records().count == 1)
    }

    @Test func headersOverTheLimitAre431() throws {
        let setup = try Setup(top: "limits: {header_bytes: 4KiB}")
        let filler = String(repeating: "x", count: 6000)
        expectProblem(try setup.get("/api/h", headers: ["X-Filler: \(filler)"]), status: 431,
                      type: "too-large")
        #expect(try setup.get("/api/h", headers: ["X-Small: 1"]).status == 200)
        #expect(try setup.upstream.records().count == 1)
    }

    @Test func requestDribbledSlowerThanTheRequestTimeoutIsCutOff() throws {
        let setup = try Setup(top: "limits: {request_timeout: 1s}")
        let connection = try RawConnection(port: setup.chaperone.port)
        let started = Date()
        try connection.send("GET /api/x HTTP/1.1\r\nHost: x\r\n")
        // Keep the connection busy with a header byte now and then, never finishing.
        for _ in 0..<10 {
            try? connection.send("X-Slow: 1\r\n")
            usleep(250_000)
            if Date().timeIntervalSince(started) > 2 { break }
        }
        #expect(connection.receive(timeout: 2).isEmpty)
        #expect(Date().timeIntervalSince(started) < 4)
        try setup.chaperone.process.waitForOutput(timeout: 3) { $0.contains(#""status":408"#) }
        #expect(try setup.upstream.records().isEmpty)
    }

    @Test func idleConnectionIsClosed() throws {
        let setup = try Setup(top: "limits: {idle_timeout: 1s}")
        let connection = try RawConnection(port: setup.chaperone.port)
        let started = Date()
        #expect(connection.receive(timeout: 5).isEmpty)
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.9 && waited < 4)
    }

    @Test func connectionsOverTheLimitAreTurnedAway() throws {
        let setup = try Setup(top: "limits: {connections: 2}", workers: 1)
        let held = try (0..<2).map { _ in try RawConnection(port: setup.chaperone.port) }
        for connection in held {
            try connection.send("GET /api/slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n")
        }
        usleep(300_000)
        let extra = try RawConnection(port: setup.chaperone.port)
        try? extra.send("GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(extra.receive(timeout: 1).isEmpty)
        for connection in held {
            #expect(connection.receive(timeout: 5) { $0.hasSuffix("}") }.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func upstreamDownIs502() throws {
        // A port that was just free: nothing listens there.
        let probe = try RecordingUpstream()
        let port = probe.port
        _ = consume probe
        usleep(200_000)
        let chaperone = try ChaperoneProcess(config: config(upstream: "http://127.0.0.1:\(port)"),
                                             environment: tokenEnvironment)
        let response = try HTTPClient.request(chaperone.url("/api/x"))
        expectProblem(response, status: 502, type: "upstream-failed")
        #expect((response.json["detail"] as? String)?.contains("connect") == true)
    }

    @Test func upstreamSlowerThanTheRouteTimeoutIs504() throws {
        let setup = try Setup(extra: "timeout: 500ms")
        let started = Date()
        let response = try setup.get("/api/slow?ms=3000")
        expectProblem(response, status: 504, type: "upstream-timeout")
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(try setup.get("/api/slow?ms=10").status == 200)
    }

    @Test func tlsUpstreamIsVerifiedAgainstTheConfiguredBundle() throws {
        let directory = try TemporaryDirectory()
        let certificate = directory.path("cert.pem"), key = directory.path("key.pem")
        let openssl = try TestProcess("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
            "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", key, "-out", certificate,
        ], directory: directory, name: "openssl")
        #expect(openssl.waitForExit(timeout: 30) == 0)
        let upstream = try RecordingUpstream(tls: (certificate, key))

        let trusted = try ChaperoneProcess(
            config: config(upstream: upstream.url, extra: "ca_file: \(certificate)"),
            environment: tokenEnvironment)
        let ok = try HTTPClient.request(trusted.url("/api/secure"))
        #expect(ok.status == 200)
        #expect(ok.json["path"] as? String == "/secure")

        let untrusted = try ChaperoneProcess(config: config(upstream: upstream.url),
                                             environment: tokenEnvironment)
        let refused = try HTTPClient.request(untrusted.url("/api/secure"))
        expectProblem(refused, status: 502, type: "upstream-failed")
        #expect((refused.json["detail"] as? String)?.contains("TLS") == true)
    }
}
