import ChaperoneAudit
import ChaperoneConfig
#if canImport(Glibc)
import Glibc
#endif

/// What each `audit` command does once its options are parsed and the configuration is
/// loaded. Results go to standard output, failures to standard error.
struct AuditActions {
    let settings: AuditSettings
    let configPath: String
    /// Such as `chaperone audit verify`, to start error lines with.
    let command: String

    /// Problems printed at most; the rest are counted.
    static let shownProblems = 50

    var storePath: String {
        switch settings.store { case .sqlite(let path): path }
    }

    func verify(checkpointFile: String?) -> Int32 {
        var exported: [AuditCheckpoint] = []
        if let checkpointFile {
            switch Self.readCheckpoints(checkpointFile) {
            case .failure(let reason): return fail(reason.message)
            case .success(let checkpoints): exported = checkpoints
            }
        }
        if settings.publicKey == nil {
            CommandLineInterface.printError("\(command): the signing key (\(settings.keySource)) "
                + "does not exist, so no checkpoint signature can be checked")
        }
        let verification: AuditVerification
        do {
            verification = try AuditStore(readingAt: storePath)
                .verify(trusting: settings.publicKey, exported: exported)
        } catch {
            return fail(error.description)
        }
        guard !verification.isIntact else {
            print(verification.records == 0
                ? "\(storePath): intact: no records yet"
                : "\(storePath): intact: \(verification.records) records (1 to "
                    + "\(verification.lastSequence)), \(verification.checkpoints) "
                    + "checkpoint\(verification.checkpoints == 1 ? "" : "s") verified")
            return 0
        }
        let problems = verification.problems
        var report = ["\(storePath): NOT intact: \(problems.count) problem"
            + "\(problems.count == 1 ? "" : "s") in \(verification.records) records; the "
            + "first is at record \(problems[0].sequence)"]
        report += problems.prefix(Self.shownProblems).map(\.detail)
        if problems.count > Self.shownProblems {
            report.append("… and \(problems.count - Self.shownProblems) more")
        }
        print(report.joined(separator: "\n"))
        return 1
    }

    func query(_ query: AuditQuery, json: Bool) -> Int32 {
        let records: [AuditRecord]
        do {
            records = try AuditStore(readingAt: storePath).records(matching: query)
        } catch .noStore(let path) {
            if !json { print(AuditTable.render([])) }
            CommandLineInterface.printError("\(command): no audit store at \(path) yet "
                + "(chaperone serve creates it)")
            return 0
        } catch {
            return fail(error.description)
        }
        if json {
            if !records.isEmpty { print(records.map(\.canonicalText).joined(separator: "\n")) }
        } else {
            print(AuditTable.render(records))
        }
        return 0
    }

    /// Prints the last `lines` records, then polls the store for new ones until killed.
    func tail(lines: Int, json: Bool) -> Int32 {
        var store: AuditStore?
        var announced = false
        while store == nil {
            do {
                store = try AuditStore(readingAt: storePath)
            } catch .noStore(let path) {
                if !announced {
                    CommandLineInterface.printError("\(command): waiting for \(path) to be "
                        + "created")
                    announced = true
                }
                usleep(250_000)
            } catch {
                return fail(error.description)
            }
        }
        guard let store else { return 1 }
        do {
            let last = try store.lastSequence()
            var after = last > UInt64(lines) ? last - UInt64(lines) : 0
            if !json { Self.emit([AuditTable.headings.joined(separator: "  ")]) }
            while true {
                let records = try store.records(after: after, limit: 1_000)
                guard let newest = records.last else {
                    usleep(250_000)
                    continue
                }
                Self.emit(records.map {
                    json ? $0.canonicalText : AuditTable.cells($0).joined(separator: "  ")
                })
                after = newest.sequence
            }
        } catch {
            return fail(error.description)
        }
    }

    func checkpoint() -> Int32 {
        let latest: AuditCheckpoint?
        do {
            latest = try AuditStore(readingAt: storePath).latestCheckpoint()
        } catch {
            return fail(error.description)
        }
        guard let latest else {
            return fail("no checkpoint in \(storePath) yet: chaperone serve signs one every "
                + "\(settings.checkpointEvery) records or "
                + "\(settings.checkpointInterval.components.seconds)s, "
                + "and when it stops")
        }
        guard let publicKey = settings.publicKey else {
            return fail("the signing key (\(settings.keySource)) does not exist, so the "
                + "checkpoint cannot be checked before it is exported")
        }
        guard latest.publicKey == publicKey, latest.isSignatureValid else {
            return fail("the latest checkpoint (record \(latest.sequence)) does not verify "
                + "with the configured signing key: run chaperone audit verify")
        }
        print(latest.exportedLine)
        return 0
    }

    /// Exported checkpoints, one JSON line each; blank lines are skipped.
    static func readCheckpoints(_ path: String) -> Result<[AuditCheckpoint], UsageError> {
        switch FileSystem.read(path) {
        case .failure(let error):
            return .failure(UsageError(message: "cannot read \(path): \(error)"))
        case .success(let bytes):
            var checkpoints: [AuditCheckpoint] = []
            let lines = String(decoding: bytes, as: UTF8.self)
                .split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated()
            where !line.allSatisfy({ $0 == " " || $0 == "\r" })
            {
                do {
                    checkpoints.append(try AuditCheckpoint(exportedLine: String(line)))
                } catch {
                    return .failure(UsageError(
                        message: "\(path):\(index + 1): not an exported checkpoint: \(error)"))
                }
            }
            guard !checkpoints.isEmpty else {
                return .failure(UsageError(message: "\(path) holds no checkpoint"))
            }
            return .success(checkpoints)
        }
    }

    /// Writes lines to standard output at once: `tail` runs until killed, so nothing may
    /// wait in a buffer.
    private static func emit(_ lines: [String]) {
        var text = lines.joined(separator: "\n") + "\n"
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { exit(1) }
                offset += written
            }
        }
    }

    private func fail(_ message: String) -> Int32 {
        CommandLineInterface.printError("\(command): \(message)")
        return 1
    }
}
