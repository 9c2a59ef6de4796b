import Testing

@testable import ChaperoneServer

@Suite struct RequestLogTests {
    @Test(arguments: [
        ("/a/b", "/a/b"),
        ("/a?user=alice&page=2", "/a?user=&page="),
        ("/a?flag&token=sk-123=456&", "/a?flag&token=&"),
        ("/a?", "/a?"),
        ("/p?x=1?y=2", "/p?x="),
    ])
    func queryValuesAreRemoved(raw: String, logged: String) {
        #expect(RequestLog.loggedPath(Array(raw.utf8)) == logged)
    }

    @Test func longPathsAreCut() {
        let raw = "/" + String(repeating: "a", count: 2000)
        #expect(RequestLog.loggedPath(Array(raw.utf8)).utf8.count == 512)
    }
}

@Suite struct JSONTextTests {
    @Test func escapesWhatJSONRequires() {
        var json = JSONText()
        json.beginObject()
        json.field("text", "quote \" backslash \\ newline \n tab \t bell \u{7} é")
        json.field("count", -42)
        json.field("ms", milliseconds: 12_345_678)
        json.endObject()
        let text = String(decoding: json.bytes, as: UTF8.self)
        #expect(text == #"{"text":"quote \" backslash \\ newline \n tab \t bell \u0007 é","#
            + #""count":-42,"ms":12.345}"#)
    }

    @Test func problemBodyHasTheFixedFields() {
        let body = Problem(.noRoute, "no route matches GET /x").body(requestID: "abc")
        #expect(String(decoding: body, as: UTF8.self) == #"{"type":"no-route","title":"No route","#
            + #""status":404,"detail":"no route matches GET /x","request_id":"abc"}"#)
    }
}

@Suite struct RequestIDTests {
    @Test func generatedIdsAreUniqueHex() {
        var generator = RequestIDGenerator()
        let ids = (0..<1000).map { _ in generator.next() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
    }

    @Test(arguments: [
        ("abc-123_x.y:z", true), ("", false), ("has space", false), ("ü", false),
        (String(repeating: "a", count: 128), true), (String(repeating: "a", count: 129), false),
    ])
    func agentIdsAreKeptOnlyWhenWellFormed(id: String, kept: Bool) {
        var bytes = Array(id.utf8)
        #expect(bytes.withUnsafeMutableBytes {
            RequestIDGenerator.isWellFormed(UnsafeRawBufferPointer($0))
        } == kept)
    }
}

@Suite struct HeaderFilterTests {
    @Test func dropsStandardAndRouteHeadersCaseInsensitively() {
        let filter = HeaderFilter(extra: ["x-api-key"])
        func strips(_ name: String) -> Bool {
            var bytes = Array(name.utf8)
            return bytes.withUnsafeMutableBytes { filter.strips(UnsafeRawBufferPointer($0)) }
        }
        for name in ["Authorization", "COOKIE", "proxy-authorization", "X-API-Key", "Connection",
                     "Transfer-Encoding", "Host", "X-Request-Id"]
        {
            #expect(strips(name), "\(name)")
        }
        for name in ["Accept", "Content-Type", "X-Api-Keys", "Authorization2", ""] {
            #expect(!strips(name), "\(name)")
        }
    }
}
