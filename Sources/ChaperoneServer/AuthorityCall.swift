import ChaperoneUpstream
import ChaperoneVault

/// One form POST to the approval authority on the loop's own libcurl multi handle, its
/// answer collected whole: holding a request costs no thread, even while the authority is
/// asked. Confined to the loop.
final class AuthorityCall: UpstreamTransferDelegate {
    enum Result {
        case answered(status: Int, body: [UInt8])
        case failed(String)
    }

    /// An authority's answer is a small JSON object; more than this is not one.
    static let bodyLimit = 64 << 10

    private unowned let queue: AuthorityQueue
    private let url: String
    private let headers: [String]
    private let caFile: String?
    /// The form, at a fixed address while libcurl sends it, wiped when the call is released.
    private let form: SecretBytes
    private var transfer: UpstreamTransfer?
    private var status = 0
    private var body: [UInt8] = []
    private var overflowed = false
    private var completion: ((Result) -> Void)?

    /// A call that `queue` starts as soon as it has room.
    init(queue: AuthorityQueue, url: String, form: [UInt8], headers: [String],
         caFile: String?, completion: @escaping (Result) -> Void)
    {
        self.queue = queue
        self.url = url
        self.headers = headers
        self.caFile = caFile
        self.form = SecretBytes(copying: form)
        self.completion = completion
        queue.submit(self)
    }

    var isCancelled: Bool { completion == nil }

    /// Stops the call, started or still queued; the completion is not called.
    func cancel() {
        completion = nil
        guard let transfer else { return }
        self.transfer = nil
        queue.client.cancel(transfer)
        queue.ended()
    }

    /// Called by the queue.
    fileprivate func start() {
        let transfer = queue.client.makeTransfer(caFile: caFile)
        for line in headers {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            transfer.addHeader(String(line[..<colon]), String(value))
        }
        transfer.addHeader("Expect", nil)
        transfer.delegate = self
        self.transfer = transfer
        // SecretBytes never moves its bytes, so the pointer stays valid while `self` lives,
        // which is longer than the transfer.
        let body = form.withUnsafeBytes { $0 }
        queue.client.start(transfer, url: url, method: "POST", body: body, connectTimeout: 10_000)
    }

    func upstreamDidReceiveHead(_ head: UpstreamResponseHead) {
        status = head.status
    }

    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if body.count + bytes.count > Self.bodyLimit {
            overflowed = true
        } else {
            body.append(contentsOf: bytes)
        }
        return true
    }

    func upstreamDidFinish(_ failure: UpstreamFailure?) {
        transfer = nil
        queue.ended()
        guard let completion else { return }
        self.completion = nil
        if let failure {
            completion(.failed(failure.message))
        } else if overflowed {
            completion(.failed("the authority's answer is over \(Self.bodyLimit) bytes"))
        } else {
            completion(.answered(status: status, body: body))
        }
        body.wipe()
    }
}

/// A loop's calls to the approval authority, at most `limit` at a time. Thousands of
/// requests held at once would otherwise open as many connections to the authority, and
/// keep as many libcurl handles in the loop's pool afterwards.
final class AuthorityQueue {
    static let limit = 16

    let client: UpstreamClient
    private var running = 0
    private var waiting: [AuthorityCall] = []
    private var next = 0

    init(client: UpstreamClient) { self.client = client }

    fileprivate func submit(_ call: AuthorityCall) {
        waiting.append(call)
        startWaiting()
    }

    /// A started call finished or was cancelled.
    fileprivate func ended() {
        running -= 1
        startWaiting()
    }

    private func startWaiting() {
        while running < Self.limit, next < waiting.count {
            let call = waiting[next]
            next += 1
            guard !call.isCancelled else { continue }
            running += 1
            call.start()
        }
        if next == waiting.count {
            waiting.removeAll(keepingCapacity: waiting.count < 1_024)
            next = 0
        }
    }
}
