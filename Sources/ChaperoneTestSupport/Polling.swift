import Foundation

/// Calls `attempt` every `interval` seconds until it returns a value, and throws a failure
/// naming `what` once `timeout` seconds have passed. Tests wait this way rather than sleeping
/// for a fixed time: they go on as soon as the condition holds, and still fail when it never
/// does.
public func poll<T>(
    _ what: @autoclosure () -> String, timeout: Double = 10, interval: Double = 0.02,
    _ attempt: () throws -> T?
) throws -> T {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if let value = try attempt() { return value }
        guard Date() < deadline else {
            throw TestFailure("timed out after \(timeout)s waiting for \(what())")
        }
        usleep(UInt32(interval * 1_000_000))
    }
}
