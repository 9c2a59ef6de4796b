import Foundation
import Synchronization

extension GlewlwydPhone {
    /// Answers the request reading `bindingMessage` from a thread of its own, as soon as it
    /// shows up: for a test that meanwhile blocks on whatever waits for the answer (a request
    /// Chaperone holds, a token poll). `wait()` returns what was answered, or rethrows.
    public func answerInBackground(bindingMessage: String, approve: Bool,
                                   timeout: Double = 10) -> PhoneAnswer
    {
        let answer = PhoneAnswer()
        let thread = Thread { [self] in
            answer.finish(Result {
                approve ? try self.approve(bindingMessage: bindingMessage, timeout: timeout)
                    : try self.deny(bindingMessage: bindingMessage, timeout: timeout)
            })
        }
        thread.start()
        return answer
    }
}

/// The outcome of an answer given in the background.
public final class PhoneAnswer: Sendable {
    private let outcome = Mutex<Result<PendingApproval, any Error>?>(nil)

    fileprivate func finish(_ result: Result<PendingApproval, any Error>) {
        outcome.withLock { $0 = result }
    }

    @discardableResult
    public func wait(timeout: Double = 15) throws -> PendingApproval {
        try poll("the phone's answer", timeout: timeout) { outcome.withLock { $0 } }.get()
    }
}
