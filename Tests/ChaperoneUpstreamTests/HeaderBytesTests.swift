import Testing

@testable import ChaperoneUpstream

private func withLine<T>(_ text: String, _ body: (HeaderBytes) -> T) -> T {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBytes { body(HeaderBytes(UnsafeRawBufferPointer($0))) }
}

@Suite struct HeaderBytesTests {
    @Test(arguments: [
        ("HTTP/1.1 200 OK", 200), ("HTTP/2 204", 204), ("HTTP/1.0 404 Not Found", 404),
        ("HTTP/1.1 20", nil), ("HTTP/1.1 abc", nil),
    ])
    func statusLines(line: String, status: Int?) {
        #expect(withLine(line) { $0.statusCode() } == status)
    }

    @Test func connectionTokensLeaveOutCloseAndKeepAlive() {
        #expect(withLine(" keep-alive, X-Private ,close,,Upgrade ") { $0.connectionTokens() }
            == ["x-private", "upgrade"])
    }

    @Test(arguments: [
        ("Content-Length", HopByHop.ResponseField.contentLength),
        ("connection", .connection), ("Transfer-Encoding", .drop), ("KEEP-ALIVE", .drop),
        ("Trailer", .drop), ("Upgrade", .drop), ("Content-Type", .forward),
        ("Set-Cookie", .forward), ("X-Connection", .forward),
    ])
    func responseFieldsByName(name: String, field: HopByHop.ResponseField) {
        #expect(withLine(name) { HopByHop.responseField($0) } == field)
    }

    @Test func decimalValues() {
        #expect(withLine("12345") { $0.decimalValue() } == 12345)
        #expect(withLine("12a") { $0.decimalValue() } == nil)
        #expect(withLine("") { $0.decimalValue() } == nil)
        #expect(withLine("99999999999999999999") { $0.decimalValue() } == nil)
    }
}
