import Testing

@testable import ChaperoneRouting

@Suite struct PathNormalizerTests {
    @Test(arguments: [
        ("/", "/"),
        ("/a/b/c", "/a/b/c"),
        ("/a//b///c", "/a/b/c"),
        ("/a/b/", "/a/b/"),
        ("/a/./b", "/a/b"),
        ("/a/b/./", "/a/b/"),
        ("/a/b/..", "/a/"),
        ("/a/b/../c", "/a/c"),
        ("/a/%62/c", "/a/b/c"),
        ("/%7Euser/%2d", "/~user/-"),
        ("/a/%2e%2E/b", "/b"),
        ("/a/%2e/b", "/a/b"),
        ("/caf%c3%a9", "/caf%C3%A9"),
        ("/a%20b", "/a%20b"),
        ("/a%3fb", "/a%3Fb"),
        ("/a\"b", "/a%22b"),
        ("/{x}", "/%7Bx%7D"),
        ("/v1/chat:completions", "/v1/chat:completions"),
        ("/..a/b..", "/..a/b.."),
    ])
    func canonicalForm(raw: String, expected: String) throws {
        #expect(try PathNormalizer.normalize(target: raw).path.joined() == expected)
    }

    @Test(arguments: [
        ("", PathError.notOriginForm),
        ("*", .notOriginForm),
        ("http://evil.example/a", .notOriginForm),
        ("example.com:443", .notOriginForm),
        ("/..", .climbsAboveRoot),
        ("/a/../..", .climbsAboveRoot),
        ("/%2e%2e/etc/passwd", .climbsAboveRoot),
        ("/a/..%2f..%2fetc", .encodedSlash),
        ("/a%2Fb", .encodedSlash),
        ("/a%00b", .nulByte),
        ("/a%5cb", .backslash),
        ("/a\\b", .backslash),
        ("/a%zz", .invalidPercentEncoding),
        ("/a%4", .invalidPercentEncoding),
        ("/a%", .invalidPercentEncoding),
        ("/a\u{7f}", .invalidCharacter),
        ("/a\tb", .invalidCharacter),
        ("/a b", .invalidCharacter),
        ("/caf\u{e9}", .invalidCharacter),
        ("/a?b#frag", .invalidCharacter),
    ])
    func hostileTargets(raw: String, expected: PathError) {
        #expect(throws: expected) { try PathNormalizer.normalize(target: raw) }
    }

    @Test func queryIsKeptRawAndApart() throws {
        let target = try PathNormalizer.normalize(target: "/a/../b?x=%2F..&y=1?z")
        #expect(target.path.joined() == "/b")
        #expect(target.query == "x=%2F..&y=1?z")
        #expect(try PathNormalizer.normalize(target: "/b?").query == "")
        #expect(try PathNormalizer.normalize(target: "/b").query == nil)
    }

    @Test func shallowestDepthRecordsHowFarDotDotClimbed() throws {
        #expect(try PathNormalizer.normalize(target: "/a/b/c").path.shallowestDepth == .max)
        #expect(try PathNormalizer.normalize(target: "/a/b/../c").path.shallowestDepth == 1)
        #expect(try PathNormalizer.normalize(target: "/a/b/../../c").path.shallowestDepth == 0)
    }

    @Test func joinedDropsStrippedPrefix() throws {
        let path = try PathNormalizer.normalize(target: "/openai/v1/chat").path
        #expect(path.joined(dropping: 1) == "/v1/chat")
        #expect(path.joined(dropping: 3) == "/")
        #expect(try PathNormalizer.normalize(target: "/gh/").path.joined(dropping: 1) == "/")
    }
}
