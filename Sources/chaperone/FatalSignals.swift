#if canImport(Glibc)
import Glibc
#endif

/// Replaces the Swift runtime's crash reporter while serving. That reporter prints register
/// contents and the memory they point at, which can hold credentials; Chaperone instead
/// prints one line naming the signal and dies by it. The process is non-dumpable, so no core
/// file follows. `CHAPERONE_CRASH_BACKTRACE=1` keeps the full report for debugging.
enum FatalSignals {
    static let signals = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    static func install() {
        if getenv("CHAPERONE_CRASH_BACKTRACE").map({ String(cString: $0) }) == "1" { return }
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = fatalSignalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(bitPattern: UInt32(SA_RESETHAND))
            sigaction(signal, &action, nil)
        }
    }
}

/// Async-signal-safe: a fixed message, then the signal again with its default action.
private func fatalSignalHandler(_ signal: Int32) {
    let message: StaticString = "chaperone: fatal signal, exiting without a core file\n"
    _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
    raise(signal)
}
