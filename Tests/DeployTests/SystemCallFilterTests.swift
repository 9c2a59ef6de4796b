import ChaperoneTestSupport
import Foundation
import Testing

/// The unit's SystemCallFilter= lines against what Chaperone really calls. No systemd runs
/// the unit here, so the proxy runs under strace instead: `check` (the unit's ExecStartPre),
/// then `serve` with an admin listener and an identity section through start, readiness,
/// a verified and forwarded request, a refused one, a reload and a drain. Every system call
/// seen must be one the filter admits; one outside it would be EPERM under systemd.
///
/// Not traced: vault minting and the exchange and approval paths (each needs more peers
/// than this check starts); their calls are the same kinds of I/O as those traced.
@Suite(.timeLimit(.minutes(2))) struct SystemCallFilterTests {
    @Test func theFilterAdmitsEverySystemCallChaperoneMakes() throws {
        let filter = try SystemCallFilter(unit: Deploy.unit)
        #expect(filter.allowed.contains("epoll_wait") && filter.denied.contains("setuid"))

        let issuer = try TestIssuer()
        let upstream = try RecordingUpstream()
        let directory = try TemporaryDirectory()
        let config = try directory.write("proxy.yaml", """
            version: 1
            listen: 127.0.0.1:0
            admin: {listen: 127.0.0.1:0}
            \(issuer.identitySection())
            routes:
              - name: api
                path: /api/**
                upstream: \(upstream.url)
                strip_prefix: /api
            """)
        let checked = try Self.traced(["check", "--config", config], in: directory, name: "check")
        try checked.process.finish()
        let served = try Self.traced(["serve", "--config", config], in: directory, name: "serve")
        try Self.exercise(served.process, issuer: issuer)
        #expect(served.process.waitForExit() == 0, "\(served.process.stderr)")

        let used = try checked.calls().union(try served.calls())
        #expect(used.count > 30 && used.contains("accept4"), "\(used.sorted())")
        let refused = used.filter { !filter.admits($0) }.sorted()
        #expect(refused.isEmpty, "system calls the unit's filter refuses: \(refused)")
    }

    /// Drives a traced `serve` through the life the unit gives it, then stops it.
    static func exercise(_ strace: TestProcess, issuer: TestIssuer) throws {
        let log = try strace.waitForOutput { $0.contains(#""msg":"listening""#) }
        let line = log.split(separator: "\n").first { $0.contains(#""msg":"listening""#) }!
        let fields = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        let proxy = fields?["proxy"] as? String ?? "", admin = fields?["admin"] as? String ?? ""
        try poll("readiness") {
            (try? HTTPClient.request("http://\(admin)/readyz"))?.status == 200 ? () : nil
        }

        let token = try issuer.token()
        let forwarded = try HTTPClient.request("http://\(proxy)/api/things",
                                               headers: ["Authorization: Bearer \(token)"])
        #expect(forwarded.status == 200, "\(forwarded.text)")
        #expect(try HTTPClient.request("http://\(proxy)/elsewhere").status == 404)

        // strace started Chaperone: the signals go to the child, not to strace.
        let child = try Self.child(of: strace.pid)
        kill(child, SIGHUP)
        try strace.waitForOutput { $0.contains(#""msg":"reloaded""#) }
        kill(child, SIGTERM)
    }

    /// `chaperone ARGUMENTS` under `strace -f`, its calls written to NAME.trace.
    static func traced(_ arguments: [String], in directory: TemporaryDirectory,
                       name: String) throws -> (process: TestProcess, calls: () throws -> Set<String>)
    {
        let trace = directory.path(name + ".trace")
        let process = try TestProcess(
            "/usr/bin/strace", ["-f", "-qq", "-o", trace, ChaperoneProcess.binary] + arguments,
            directory: directory, name: name)
        return (process, { try Self.calls(in: trace) })
    }

    /// The names of the system calls in an strace log: `PID name(arguments) = result`.
    static func calls(in trace: String) throws -> Set<String> {
        let text = try String(contentsOfFile: trace, encoding: .utf8)
        return Set(text.split(separator: "\n").compactMap { line -> String? in
            let rest = line.drop { $0.isNumber }.drop { $0 == " " }
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            return !name.isEmpty && rest.dropFirst(name.count).first == "(" ? String(name) : nil
        })
    }

    static func child(of pid: Int32) throws -> Int32 {
        try poll("strace to start chaperone") {
            let children = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children",
                                       encoding: .utf8)
            return children?.split(separator: " ").first.flatMap { Int32($0) }
        }
    }
}

/// The system calls a unit's SystemCallFilter= lines admit, groups expanded by
/// `systemd-analyze syscall-filter`. As systemd.exec(5) says, the first line (an allow
/// list here) sets the default, and each later line adds its calls (an allow list) or
/// removes them (a `~` deny list), in order.
struct SystemCallFilter {
    /// What the lines admit, in the end.
    var allowed: Set<String> = []
    /// Every call a deny line names, whether a later line admits it again or not.
    var denied: Set<String> = []

    init(unit: String) throws {
        let lines = try String(contentsOfFile: unit, encoding: .utf8).split(separator: "\n")
        let values = lines.filter { $0.hasPrefix("SystemCallFilter=") }
            .map { $0.dropFirst("SystemCallFilter=".count) }
        guard !values.isEmpty else { throw TestFailure("\(unit) sets no SystemCallFilter=") }
        var groups: [String: [String]] = [:]
        for value in values {
            let deny = value.hasPrefix("~")
            let names = value.drop { $0 == "~" }.split(separator: " ").map(String.init)
            let calls = try names.reduce(into: Set<String>()) {
                $0.formUnion(try Self.expand($1, &groups))
            }
            if deny {
                denied.formUnion(calls)
                allowed.subtract(calls)
            } else {
                allowed.formUnion(calls)
            }
        }
    }

    func admits(_ call: String) -> Bool { allowed.contains(call) }

    /// A call's own name, or every call of a group and of the groups it names.
    static func expand(_ name: String, _ groups: inout [String: [String]]) throws -> Set<String> {
        guard name.hasPrefix("@") else { return [name] }
        if groups[name] == nil {
            let run = try ToolRun(SystemdUnitTests.analyze, ["syscall-filter", name])
            guard run.status == 0 else { throw TestFailure("no system call group \(name): \(run)") }
            groups[name] = run.stdout.split(separator: "\n")
                .filter { $0.hasPrefix(" ") }
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        return try groups[name]!.reduce(into: Set<String>()) {
            $0.formUnion(try expand($1, &groups))
        }
    }
}
