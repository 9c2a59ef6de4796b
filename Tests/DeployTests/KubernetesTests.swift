import ChaperoneTestSupport
import Foundation
import Testing

/// deploy/kubernetes: the manifests against Kubernetes' own schemas (kubernetes-validate,
/// which bundles them: no cluster and no network), how the pieces fit together
/// (Fixtures/kubernetes_checks.py), the configuration by Chaperone itself, and the egress
/// rules by the kernel.
@Suite(.timeLimit(.minutes(2))) struct KubernetesTests {
    static let deployment = Deploy.kubernetes + "/deployment.yaml"

    /// The manifests copied into a directory of their own, with `replacements` made in
    /// deployment.yaml.
    static func copies(_ replacements: [(String, String)]) throws
        -> (directory: TemporaryDirectory, files: [String])
    {
        let directory = try TemporaryDirectory()
        let files = try Deploy.manifests.map { path in
            let name = URL(fileURLWithPath: path).lastPathComponent
            let text = path == deployment ? try edited(path, replacements)
                : try String(contentsOfFile: path, encoding: .utf8)
            return try directory.write(name, text)
        }
        return (directory, files)
    }

    static func checks(_ files: [String]) throws -> ToolRun {
        try ToolRun(try Deploy.tool("python"), [Deploy.fixture("kubernetes_checks.py")] + files)
    }

    @Test func everyManifestMatchesTheSchemaStrictly() throws {
        let files = Deploy.manifests
        #expect(files.count == 5)
        let run = try ToolRun(try Deploy.tool("kubernetes-validate"), ["--strict"] + files)
        #expect(run.status == 0, "\(run)")
        let passed = run.output.split(separator: "\n").filter { $0.contains(" passed for ") }
        #expect(passed.count == files.count, "\(run)")
        #expect(!run.output.contains("ERROR") && !run.output.contains("WARN"), "\(run)")
    }

    @Test func aMisspelledFieldFailsTheSchema() throws {
        let (directory, files) = try Self.copies([("readOnlyRootFilesystem: true",
                                                   "readOnlyRootFileSystem: true")])
        let run = try ToolRun(try Deploy.tool("kubernetes-validate"), ["--strict"] + files)
        #expect(run.status != 0)
        #expect(run.output.contains("'readOnlyRootFileSystem' was unexpected"), "\(run)")
        withExtendedLifetime(directory) {}
    }

    @Test func thePiecesFitTogether() throws {
        let run = try Self.checks(Deploy.manifests)
        #expect(run.isClean, "\(run)")
    }

    @Test(arguments: [
        ("automountServiceAccountToken: false", "automountServiceAccountToken: true",
         "the pod gets a service account token"),
        ("            runAsUser: 10001", "            runAsUser: 65532",
         "agent runs as Chaperone's user 65532"),
        ("            - {name: agent-tmp, mountPath: /tmp}",
         "            - {name: keys, mountPath: /keys}", "agent mounts the Secret volume keys"),
        ("          readinessProbe:\n            exec:\n              command: [curl, --fail, "
            + "--silent, --max-time, \"2\", \"http://127.0.0.1:9090/readyz\"]",
         "          readinessProbe:\n            httpGet: {path: /readyz, port: 9090}",
         "chaperone: readinessProbe does not run in the container"),
        ("          args: [serve, --config, /etc/chaperone/proxy.yaml]",
         "          args: [serve, --config, /etc/chaperone/proxy.yaml]\n"
            + "          ports: [{name: admin, containerPort: 9090}]",
         "chaperone: declares ports"),
        ("add: [NET_ADMIN]", "add: [NET_ADMIN, SYS_ADMIN]", "egress: adds capabilities"),
        ("--uid-owner 65532", "--uid-owner 10001",
         "the egress rules do not let Chaperone's user 65532 out"),
    ])
    func aWeakenedPodFailsTheChecks(line: String, weakened: String, problem: String) throws {
        let (directory, files) = try Self.copies([(line, weakened)])
        let run = try Self.checks(files)
        #expect(run.status == 1)
        #expect(run.stdout.contains(problem), "\(run)")
        withExtendedLifetime(directory) {}
    }

    /// The ConfigMap's proxy.yaml passes `chaperone check` and `chaperone serve` starts on
    /// it, with the Secret's keys and the state directory moved into a temporary directory
    /// and the listeners on free ports (the only changes).
    @Test func chaperoneAcceptsTheConfigMapsConfiguration() throws {
        let directory = try TemporaryDirectory()
        let config = try ToolRun(try Deploy.tool("python"),
                                 [Deploy.fixture("kubernetes_checks.py"), "--proxy-config"]
                                     + Deploy.manifests)
        #expect(config.status == 0, "\(config)")
        let keys = directory.path("keys"), state = directory.path("state")
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        try directory.write("keys/vault.key", Data((0..<32).map { _ in UInt8.random(in: 0...255) })
            .base64EncodedString())
        try directory.write("keys/github-client-secret", "a-client-secret")
        try directory.write("keys/openai-api-key", "sk-an-api-key")
        try TestProcess.run("/usr/bin/openssl", ["genpkey", "-algorithm", "ed25519", "-out",
                                                 directory.path("keys/audit.pem")],
                            directory: directory, name: "openssl")
        let moved = config.stdout
            .replacingOccurrences(of: "/var/run/chaperone/keys/", with: keys + "/")
            .replacingOccurrences(of: "/var/lib/chaperone/", with: state + "/")
        let path = try directory.write("proxy.yaml", moved)

        let run = try ToolRun(ChaperoneProcess.binary, ["check", "--config", path])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("ok, 2 routes"), "\(run)")

        // It serves too: the vault and the audit log open on the state directory.
        let served = try ChaperoneProcess(config: moved
            .replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:0")
            .replacingOccurrences(of: "127.0.0.1:9090", with: "127.0.0.1:0"))
        served.process.signal(SIGTERM)
        #expect(served.process.waitForExit() == 0, "\(served.log)")
        #expect(FileManager.default.fileExists(atPath: state + "/audit.db"))
    }

    /// The init container's script, run as it stands in a network namespace of the test's
    /// own (`unshare --net`, which needs root, as CI is). Listeners stand in for Chaperone's
    /// ports on loopback; connections are tried as the agent's user and as Chaperone's.
    @Test func theEgressRulesLetOnlyChaperonesUserOut() throws {
        guard getuid() == 0 else {
            throw TestFailure("the egress rules are tried in a network namespace of the test's "
                + "own, which needs root")
        }
        let script = try ToolRun(try Deploy.tool("python"),
                                 [Deploy.fixture("kubernetes_checks.py"), "--egress-script"]
                                     + Deploy.manifests)
        #expect(script.status == 0, "\(script)")
        let agent = 10001, chaperone = 65532
        let attempts = ["\(agent):127.0.0.1:8080", "\(agent):127.0.0.1:9090",
                        "\(agent):[::1]:8080", "0:127.0.0.1:9090",
                        "\(chaperone):127.0.0.1:9090", "\(chaperone):[::1]:8080"]
        let probe = ([Deploy.fixture("egress_probe.py")] + attempts)
            .map { "'" + $0 + "'" }.joined(separator: " ")
        let run = try ToolRun("/usr/bin/unshare", [
            "--net", "/bin/sh", "-c",
            "/usr/sbin/ip link set lo up\n\(script.stdout)\nexec /usr/bin/python3 \(probe)",
        ])
        #expect(run.status == 0, "\(run)")
        let results = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
            as? [String: String] ?? [:]
        #expect(results == [
            "\(agent):127.0.0.1:8080": "connected",  // the proxy port: the agent's way out
            "\(agent):127.0.0.1:9090": "refused",    // not the admin listener
            "\(agent):[::1]:8080": "refused",        // nor any other address
            "0:127.0.0.1:9090": "refused",           // a process as root is no exception
            "\(chaperone):127.0.0.1:9090": "connected",
            "\(chaperone):[::1]:8080": "connected",
        ], "\(run)")
    }
}
