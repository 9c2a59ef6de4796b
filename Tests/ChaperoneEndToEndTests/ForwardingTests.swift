import ChaperoneTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct ForwardingTests {
    @Test func agentCredentialsAndHopByHopHeadersStayBehindAndTheRouteCredentialGoes() throws {
        let setup = try Setup(extra: "strip_headers: [X-Api-Key, X-Debug-Secret]")
        let response = try setup.get("/api/items", headers: [
            "Authorization: Bearer agent-master-key",
            "Proxy-Authorization: Basic YWdlbnQ6a2V5",
            "Cookie: session=agent",
            "X-Api-Key: agent-api-key",
            "X-Debug-Secret: nope",
            "Connection: keep-alive, X-Hop-Named",
            "X-Hop-Named: dropped",
            "Keep-Alive: timeout=5",
            "TE: trailers",
            "Upgrade: websocket",
            "X-Custom: kept",
            "Accept: application/json",
        ])
        #expect(response.status == 200)
        let record = try #require(try setup.upstream.records().first)
        #expect(record.target == "/items")
        #expect(record.header("Authorization") == "Bearer \(upstreamToken)")
        for name in ["Proxy-Authorization", "Cookie", "X-Api-Key", "X-Debug-Secret",
                     "X-Hop-Named", "Keep-Alive", "TE", "Upgrade"]
        {
            #expect(!record.hasHeader(name), "\(name) was forwarded")
        }
        #expect(record.header("X-Custom") == "kept")
        #expect(record.header("Accept") == "application/json")
        #expect(record.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        // The upstream sees its own host, not the proxy's.
        #expect(record.header("Host") == "127.0.0.1:\(setup.upstream.port)")
    }

    @Test func credentialGoesInTheConfiguredHeaderAndFormat() throws {
        let setup = try Setup(extra: #"inject: {header: x-api-key, format: "Key {token}"}"#)
        _ = try setup.get("/api/x", headers: ["X-Api-Key: agent-own", "Authorization: Bearer a"])
        let record = try #require(try setup.upstream.records().first)
        #expect(record.header("x-api-key") == "Key \(upstreamToken)")
        #expect(!record.hasHeader("Authorization"))
    }

    @Test func requestIdIsKeptWhenWellFormedAndGeneratedOtherwise() throws {
        let setup = try Setup()
        let kept = try setup.get("/api/a", headers: ["X-Request-Id: agent-trace.42:7"])
        #expect(kept.header("X-Request-Id") == "agent-trace.42:7")
        let replaced = try setup.get("/api/b", headers: ["X-Request-Id: bad id with spaces"])
        let generated = try #require(replaced.header("X-Request-Id"))
        #expect(generated.count == 32 && generated.allSatisfy(\.isHexDigit))
        let records = try setup.upstream.records()
        #expect(records[0].header("X-Request-Id") == "agent-trace.42:7")
        #expect(records[1].header("X-Request-Id") == generated)
        #expect(records.allSatisfy { $0.headers.filter { $0.name == "X-Request-Id" }.count == 1 })
    }

    @Test func rawQueryStringArrivesUnchanged() throws {
        let setup = try Setup()
        let query = "a=%2F..%2F&b=1+2&c&d=%E2%9C%93&e=x?y=z&f=%zz"
        _ = try setup.get("/api/search?\(query)")
        #expect(try setup.upstream.records().first?.target == "/search?\(query)")
    }

    @Test(arguments: [
        ("/api/a/./b//c", "/a/b/c"),
        ("/api/a/../b", "/b"),
        ("/api/%61%62c", "/abc"),
        ("/api/caf%c3%a9", "/caf%C3%A9"),
        ("/api/x/", "/x/"),
        ("/api", "/"),
    ])
    func pathIsForwardedNormalised(path: String, forwarded: String) throws {
        let setup = try Setup()
        #expect(try setup.get(path).status == 200)
        #expect(try setup.upstream.records().first?.target == forwarded)
    }

    @Test func oneMebibytePostArrivesIntactWithLengthOrChunked() throws {
        let setup = try Setup()
        let body = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let expected = try sha256(body)
        for chunked in [false, true] {
            let response = try HTTPClient.request(
                setup.chaperone.url("/api/upload"), method: "POST",
                headers: ["Content-Type: application/octet-stream"], body: body, chunked: chunked)
            #expect(response.status == 200)
        }
        let records = try setup.upstream.records()
        #expect(records.count == 2)
        for record in records {
            #expect(record.method == "POST")
            #expect(record.bodyLength == body.count)
            #expect(record.bodySHA256 == expected)
            #expect(record.header("Content-Type") == "application/octet-stream")
        }
    }

    @Test func bodiesWithoutTypeOrExpectationArriveAsSent() throws {
        // curl adds "Expect: 100-continue" for a large body: Chaperone answers it itself and
        // forwards neither the expectation nor a Content-Type the agent did not send.
        let setup = try Setup()
        let body = [UInt8](repeating: 0x61, count: 2 << 20)
        let response = try HTTPClient.request(setup.chaperone.url("/api/put"), method: "PUT",
                                              headers: ["Content-Type:"], body: body)
        #expect(response.status == 200)
        let record = try #require(try setup.upstream.records().first)
        #expect(record.method == "PUT")
        #expect(record.bodyLength == body.count)
        #expect(!record.hasHeader("Expect"))
        #expect(!record.hasHeader("Content-Type"))
    }

    @Test func headAnswersWithTheLengthAndNoBody() throws {
        let setup = try Setup()
        let response = try HTTPClient.request(setup.chaperone.url("/api/big?bytes=12345"),
                                              method: "HEAD")
        #expect(response.status == 200)
        #expect(response.header("Content-Length") == "12345")
        #expect(response.body.isEmpty)
        #expect(try setup.upstream.records().first?.method == "HEAD")
    }

    @Test func hopByHopResponseHeadersAreDroppedAndOthersKept() throws {
        let setup = try Setup()
        let response = try setup.get("/api/hop")
        #expect(response.header("X-End-To-End") == "kept")
        #expect(response.header("X-Private-Hop") == nil)
        #expect(response.header("Keep-Alive") == nil)
        #expect(response.header("Server")?.contains("BaseHTTP") == true)
    }

    @Test func upstreamStatusesAndMethodsPassThrough() throws {
        let setup = try Setup()
        for code in [201, 204, 301, 404, 418, 500, 503] {
            let response = try setup.get("/api/status?code=\(code)")
            #expect(response.status == code)
        }
        for method in ["DELETE", "PATCH", "OPTIONS"] {
            _ = try HTTPClient.request(setup.chaperone.url("/api/m"), method: method)
        }
        let methods = try setup.upstream.records().map(\.method)
        #expect(methods.suffix(3) == ["DELETE", "PATCH", "OPTIONS"])
    }
}
