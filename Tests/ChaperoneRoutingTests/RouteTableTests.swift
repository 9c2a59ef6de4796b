import Testing

@testable import ChaperoneRouting

@Suite struct RouteTableTests {
    typealias Table = RouteTable<String>

    static func definition(_ name: String, _ template: String, _ methods: [HTTPMethod] = [],
                           host: String? = nil) -> Table.Definition
    {
        let set = methods.isEmpty
            ? MethodSet.any : methods.reduce(into: MethodSet()) { $0.insert(MethodSet($1)) }
        return Table.Definition(template: try! PathTemplate(parsing: template), methods: set,
                                host: host, value: name)
    }

    static let table = try! Table([
        definition("issues", "/github/repos/{owner}/{repo}/issues", [.get, .head]),
        definition("create-issue", "/github/repos/{owner}/{repo}/issues", [.post]),
        definition("mine", "/github/repos/me/{repo}/issues", [.get]),
        definition("github-rest", "/github/**", [.get]),
        definition("chat", "/openai/v1/**", [.post]),
        definition("models", "/openai/v1/models", [.get]),
        definition("root", "/"),
        definition("on-host", "/hosted/**", host: "api.local"),
        definition("any-host", "/hosted/**"),
        definition("deep", "/a/{x}/c"),
        definition("shallow", "/a/b/d"),
    ])

    @Test(arguments: [
        ("GET", "/github/repos/o/r/issues", "issues", ["o", "r"]),
        ("HEAD", "/github/repos/o/r/issues", "issues", ["o", "r"]),
        ("POST", "/github/repos/o/r/issues", "create-issue", ["o", "r"]),
        ("GET", "/github/repos/me/r/issues", "mine", ["r"]),
        ("POST", "/github/repos/me/r/issues", "create-issue", ["me", "r"]),
        ("GET", "/github/users/x", "github-rest", []),
        ("GET", "/github", "github-rest", []),
        ("POST", "/openai/v1/chat/completions", "chat", []),
        ("GET", "/openai/v1/models", "models", []),
        ("GET", "/", "root", []),
        ("GET", "/a/b/c", "deep", ["b"]),
        ("GET", "/a/b/d", "shallow", []),
    ])
    func selectsMostSpecificRoute(method: String, path: String, route: String,
                                  parameters: [String]) throws
    {
        let target = try PathNormalizer.normalize(target: path)
        let match = Self.table.match(method: HTTPMethod(token: method), host: nil,
                                     path: target.path)
        #expect(match?.value == route)
        #expect(match?.parameters == parameters)
    }

    @Test(arguments: [
        ("DELETE", "/github/repos/o/r/issues"),
        ("GET", "/openai/v1/chat"),
        ("GET", "/gitlab/x"),
        ("PROPFIND", "/github/x"),
        ("GET", "/githubx/repos"),
    ])
    func noRouteMatches(method: String, path: String) throws {
        let target = try PathNormalizer.normalize(target: path)
        #expect(Self.table.match(method: HTTPMethod(token: method), host: nil,
                                 path: target.path) == nil)
    }

    @Test func hostSpecificRouteWins() throws {
        let path = try PathNormalizer.normalize(target: "/hosted/x").path
        #expect(Self.table.match(method: .get, host: "api.local", path: path)?.value == "on-host")
        #expect(Self.table.match(method: .get, host: "other", path: path)?.value == "any-host")
        #expect(Self.table.match(method: .get, host: nil, path: path)?.value == "any-host")
    }

    @Test func ambiguousRoutesAreRefused() {
        #expect(throws: RouteConflicts.self) {
            try Table([
                Self.definition("a", "/x/{id}", [.get, .post]),
                Self.definition("b", "/x/{name}", [.post]),
            ])
        }
        do {
            _ = try Table([
                Self.definition("a", "/x/**"),
                Self.definition("b", "/y"),
                Self.definition("c", "/x/**", [.get]),
                Self.definition("d", "/x/**", host: "h"),
            ])
            Issue.record("expected a conflict")
        } catch {
            #expect(error.conflicts == [RouteConflict(first: 0, second: 2)])
        }
    }

    @Test func disjointMethodsOrHostsDoNotConflict() throws {
        _ = try Table([
            Self.definition("a", "/x/{id}", [.get]),
            Self.definition("b", "/x/{name}", [.post]),
            Self.definition("c", "/x/{id}", [.get], host: "h"),
            Self.definition("d", "/x/**"),
            Self.definition("e", "/x"),
        ])
    }
}
