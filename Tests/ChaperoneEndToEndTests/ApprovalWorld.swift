import ChaperoneTestSupport
import Foundation
import Synchronization
import Testing

/// A Chaperone that holds routes for approval at a real Glewlwyd (CIBA poll mode), with
/// agents' tokens from the PyJWT test issuer whose subjects are Glewlwyd user names, and a
/// recording upstream.
///
/// Routes: `buy` (POST /shop/buy, block mode, forwards the approval's token), `gate`
/// (POST /gate/{item}, block mode, the approval only gates a static credential), `later`
/// (POST /later/buy, interrupt mode), and `quick` (POST /quick, a 2 s approval time-out).
final class ApprovalWorld {
    let glewlwyd: Glewlwyd
    let issuer: TestIssuer
    let upstream: RecordingUpstream
    let client: GlewlwydClient
    let chaperone: ChaperoneProcess
    let configText: String

    static let staticToken = "sk-gate-1d2c3b4a"

    init(_ glewlwyd: Glewlwyd, client: String = "chaperone",
         backchannelURL: String? = nil) throws
    {
        self.glewlwyd = glewlwyd
        issuer = try TestIssuer()
        upstream = try RecordingUpstream()
        self.client = glewlwyd.client(client)
        configText = """
            version: 1
            listen: 127.0.0.1:0
            workers: 2
            admin: {listen: 127.0.0.1:0}
            \(issuer.identitySection())
            approval:
              backchannel_url: \(backchannelURL ?? glewlwyd.backchannelURL)
              token_url: \(glewlwyd.tokenURL)
              client_id: \(self.client.id)
              client_secret: {env: CIBA_SECRET}
              auth: \(self.client.authentication == .post ? "post" : "basic")
              login_hint: '{"username":"{sub}"}'
              timeout: 60s
            routes:
              - name: buy
                methods: [POST]
                path: /shop/buy
                upstream: \(upstream.url)
                strip_prefix: /shop
                approval:
                  binding_message: "Approve purchase of {body.itemId} for {body.amount}"
                  scopes: [write]
                credential: approval
              - name: gate
                methods: [POST]
                path: /gate/{item}
                upstream: \(upstream.url)
                approval:
                  binding_message: "Ship {path.item} to {query.to}"
                credential: {static: {env: GATE_TOKEN}}
              - name: later
                methods: [POST]
                path: /later/buy
                upstream: \(upstream.url)
                strip_prefix: /later
                approval:
                  binding_message: "Later purchase of {body.itemId}"
                  scopes: [write]
                  mode: interrupt
                credential: approval
              - name: quick
                methods: [POST]
                path: /quick
                upstream: \(upstream.url)
                approval:
                  binding_message: "Quick {body.itemId}"
                  timeout: 2s
            """
        chaperone = try ChaperoneProcess(
            config: configText,
            environment: ["CIBA_SECRET": self.client.secret, "GATE_TOKEN": Self.staticToken])
        try waitUntilReady(chaperone)
    }

    /// A request as the agent `agent` acting for `user`.
    func request(_ path: String, user: String, agent: String = "agent-1",
                 method: String = "POST", json: String? = nil,
                 timeout: Double = 30) throws -> HTTPResponse
    {
        try requestInBackground(path, user: user, agent: agent, method: method, json: json,
                                timeout: timeout).wait(timeout: timeout + 5)
    }

    /// The same, from a thread of its own: for a request Chaperone holds.
    func requestInBackground(_ path: String, user: String, agent: String = "agent-1",
                             method: String = "POST", json: String? = nil,
                             timeout: Double = 30) throws -> Background<HTTPResponse>
    {
        let token = try issuer.token(user: user, agent: agent)
        var headers = ["Authorization: Bearer \(token)"]
        if json != nil { headers.append("Content-Type: application/json") }
        let url = chaperone.url(path), sent = headers
        return Background {
            try HTTPClient.request(url, method: method, headers: sent,
                                   body: json.map { Array($0.utf8) }, timeout: timeout)
        }
    }

    /// `GET /approvals` on the admin listener.
    func pendingApprovals() throws -> [[String: Any]] {
        let response = try HTTPClient.request(chaperone.adminURL("/approvals"))
        return response.json["approvals"] as? [[String: Any]] ?? []
    }

    func phone(_ user: String) throws -> GlewlwydPhone {
        try glewlwyd.phone(for: glewlwyd.user(user))
    }

    /// A failure message with the answer and the end of Chaperone's log.
    func explain(_ response: HTTPResponse) -> String {
        "\(response.status) \(response.text)\n\(chaperone.log.suffix(3000))"
    }
}

/// Work on a thread of its own, for a test that meanwhile plays another part.
final class Background<Value: Sendable>: Sendable {
    private final class Slot: Sendable {
        let result = Mutex<Result<Value, any Error>?>(nil)
    }

    private let slot = Slot()

    init(_ work: @escaping @Sendable () throws -> Value) {
        let slot = self.slot
        let thread = Thread {
            let outcome = Result { try work() }
            slot.result.withLock { $0 = outcome }
        }
        thread.start()
    }

    func wait(timeout: Double = 30) throws -> Value {
        try poll("a background request", timeout: timeout) { slot.result.withLock { $0 } }.get()
    }
}
