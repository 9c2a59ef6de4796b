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

    private let client: UpstreamClient
    private var transfer: UpstreamTransfer?
    /// The form, at a fixed address while libcurl sends it, wiped when the call is released.
    private let form: SecretBytes
    private var status = 0
    private var body: [UInt8] = []
    private var overflowed = false
    private var completion: ((Result) -> Void)?

    init(client: UpstreamClient, url: String, form: [UInt8], headers: [String],
         caFile: String?, completion: @escaping (Result) -> Void)
    {
        self.client = client
        self.completion = completion
        self.form = SecretBytes(copying: form)
        let transfer = client.makeTransfer(caFile: caFile)
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
        let body = self.form.withUnsafeBytes { $0 }
        client.start(transfer, url: url, method: "POST", body: body, connectTimeout: 10_000)
    }

    /// Stops the call; the completion is not called.
    func cancel() {
        completion = nil
        guard let transfer else { return }
        self.transfer = nil
        client.cancel(transfer)
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
