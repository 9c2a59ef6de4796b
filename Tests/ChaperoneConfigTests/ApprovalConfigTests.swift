import ChaperoneRouting
import Testing

@testable import ChaperoneConfig

@Suite struct ApprovalConfigTests {
    static let top = """
        version: 1
        identity:
          issuer: https://tenant.example.com/
          jwks_url: https://tenant.example.com/.well-known/jwks.json
          audience: https://chaperone.local
        approval:
          backchannel_url: https://tenant.example.com/bc-authorize
          token_url: https://tenant.example.com/oauth/token
          client_id: chaperone
          client_secret: {env: OPENAI_API_KEY}

        """

    static let route = """
        routes:
          - name: buy
            methods: [POST]
            path: /shop/{store}/buy
            upstream: http://127.0.0.1:1

        """

    @Test func theDesignsExampleLoadsWithDefaults() throws {
        let config = try load(Self.top + Self.route + """
                approval:
                  binding_message: "Approve purchase of {body.itemId} for {body.amount}?"
                  scopes: [purchases:write]
                  audience: https://api.example.com
                  timeout: 120s
                  mode: block
                credential: approval
            """)
        let authority = try #require(config.approval)
        #expect(authority.backchannelURL.description == "https://tenant.example.com/bc-authorize")
        #expect(authority.clientSecret.reveal() == "sk-test-123")
        #expect(authority.authentication == .basic)
        #expect(authority.loginHint == .issuerAndSubject)
        #expect(authority.timeout == .seconds(300))
        #expect(authority.bindingLength == 64)
        #expect(authority.authorizationDetailsType == "chaperone_request")
        let approval = try #require(config.routes[0].approval)
        #expect(approval.bindingMessage.pieces == [
            .literal("Approve purchase of "), .body(["itemId"]), .literal(" for "),
            .body(["amount"]), .literal("?"),
        ])
        #expect(approval.scopes == ["purchases:write"])
        #expect(approval.audience == "https://api.example.com")
        #expect(approval.timeout == .seconds(120))
        #expect(approval.mode == .block)
        #expect(approval.credential == TokenInjection(header: "Authorization",
                                                      format: "Bearer {token}"))
        // '?' is not a character Auth0 allows in a binding message: it is left out, and
        // the file says so.
        let warnings = config.warnings.map(\.description)
        #expect(warnings.contains {
            $0.hasSuffix("routes[0].approval.binding_message: warning: the message leaves out "
                + "'?': approval.binding_characters does not allow it")
        }, "\(warnings)")
    }

    @Test func everyAuthorityKeyIsRead() throws {
        let config = try load(Self.top.replacing("client_secret: {env: OPENAI_API_KEY}\n", with: """
            client_secret: {env: OPENAI_API_KEY}
              auth: post
              login_hint: '{"username":"{sub}","iss":"{iss}"}'
              timeout: 10m
              binding_characters: "abc "
              binding_length: 20
              authorization_details: "false"

            """) + Self.route + """
                approval:
                  binding_message: "{path.store} {query.q} {body.a.b.0}"
                  mode: interrupt
            """)
        let authority = try #require(config.approval)
        #expect(authority.authentication == .post)
        #expect(authority.loginHint == .template([
            .literal(#"{"username":""#), .subject, .literal(#"","iss":""#), .issuer,
            .literal(#""}"#),
        ]))
        #expect(authority.timeout == .seconds(600))
        #expect(authority.bindingCharacters.allows(UInt8(ascii: "a")))
        #expect(!authority.bindingCharacters.allows(UInt8(ascii: "d")))
        #expect(authority.bindingLength == 20)
        #expect(authority.authorizationDetailsType == nil)
        let approval = try #require(config.routes[0].approval)
        #expect(approval.bindingMessage.pieces == [
            .path(0, name: "store"), .literal(" "), .query("q"), .literal(" "),
            .body(["a", "b", "0"]),
        ])
        #expect(approval.mode == .interrupt)
        #expect(approval.timeout == .seconds(600))
        #expect(approval.credential == nil)
    }

    @Test func renderingDropsCharactersOutsideTheSetAndCutsToLength() throws {
        let template = try BindingTemplate(parsing: "Pay {body.to}: {body.amount}!",
                                           parameters: [])
        let value: (BindingTemplate.Piece) -> String? = { piece in
            switch piece {
            case .body(["to"]): "Bob \"}\n<é>"
            case .body(["amount"]): "12.50 EUR"
            default: nil
            }
        }
        #expect(try template.render(characters: .default, length: 64, value: value).get()
            == "Pay Bob : 12.50 EUR")
        #expect(try template.render(characters: .default, length: 8, value: value).get()
            == "Pay Bob ")
        let missing = template.render(characters: .default, length: 64) { _ in nil }
        #expect(throws: TemplateProblem.self) { try missing.get() }
    }

    static let needsAuthority = """
        version: 1
        identity:
          issuer: https://tenant.example.com/
          jwks_url: https://tenant.example.com/.well-known/jwks.json
          audience: https://chaperone.local

        """

    @Test(arguments: [
        (top + route + "    approval: {}\n", [
            "proxy.yaml:16:15: routes[0].approval.binding_message: is required: it is what "
                + "the user sees when asked to approve",
        ]),
        (needsAuthority + route + "    approval: {binding_message: hi}\n", [
            "proxy.yaml:11:15: routes[0].approval: needs the top-level approval section, which "
                + "names the CIBA authority that asks the user",
        ]),
        (top + route + "    authenticate: false\n    approval: {binding_message: hi}\n", [
            "proxy.yaml:17:15: routes[0].approval: needs a verified caller, to know which "
                + "user to ask: the route must authenticate (an identity section, and no "
                + "authenticate: false)",
        ]),
        (top + route + "    approval: {binding_message: 'hi {path.shop}'}\n", [
            "proxy.yaml:16:33: routes[0].approval.binding_message: '{path.shop}' names no "
                + "parameter of the route's path (its parameters: store)",
        ]),
        (top + route + "    approval: {binding_message: 'hi {header.x}'}\n", [
            "proxy.yaml:16:33: routes[0].approval.binding_message: '{header.x}' is not a "
                + "placeholder: use {path.NAME}, {query.NAME} or {body.FIELD}",
        ]),
        (top + route + "    approval: {binding_message: 'hi {body.x'}\n", [
            "proxy.yaml:16:33: routes[0].approval.binding_message: '{' at '{body.x' is never "
                + "closed",
        ]),
        (top + route + "    approval: {binding_message: hi, mode: later}\n", [
            "proxy.yaml:16:43: routes[0].approval.mode: expected block or interrupt",
        ]),
        (top + route + "    approval: {binding_message: hi, timeout: 0s}\n", [
            "proxy.yaml:16:46: routes[0].approval.timeout: must be from 1s to 24h",
        ]),
        (top + route + "    approval: {binding_message: hi}\n    connection: c\n"
            + "    credential: approval\n", [
            "proxy.yaml:17:17: routes[0].connection: a route with credential: approval "
                + "forwards the token the approval returned and takes no connection: remove "
                + "one of them",
        ]),
        (top.replacing("  client_id: chaperone\n", with: "  login_hint: user\n")
            + route, [
            "proxy.yaml:7:3: approval.client_id: is required",
            "proxy.yaml:9:15: approval.login_hint: expected iss_sub, sub, or a template with "
                + "{sub} such as '{\"username\":\"{sub}\"}'",
        ]),
        (top.replacing("  token_url: https://tenant.example.com/oauth/token\n",
                                  with: "  binding_length: 0\n  surprise: 1\n") + route, [
            "proxy.yaml:7:3: approval.token_url: is required",
            "proxy.yaml:8:19: approval.binding_length: expected a whole number from 1 to 1024",
            "proxy.yaml:9:3: approval.surprise: unknown key 'surprise'",
        ]),
    ])
    func brokenApprovalsReportEveryProblemWithPosition(text: String, expected: [String]) {
        #expect(errors(text) == expected)
    }
}
