import ChaperoneTestSupport
import Foundation
import Testing

/// deploy/Containerfile: linted by hadolint, its stages read by dockerfile-parse for the
/// project's own checks (Fixtures/containerfile_checks.py), and its runtime packages held
/// against the libraries the built binary links. No image is built here: no container
/// engine runs on the test machines.
@Suite(.timeLimit(.minutes(2))) struct ContainerfileTests {
    /// Packages of the debian:bookworm-slim base image that the binary links.
    static let basePackages: Set<String> = ["libc6", "libgcc-s1", "libstdc++6"]

    static func checks(_ path: String) throws -> (ToolRun, [String: Any]) {
        let run = try ToolRun(try Deploy.tool("python"),
                              [Deploy.fixture("containerfile_checks.py"), path,
                               "--context", packageRoot])
        let json = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        return (run, json as? [String: Any] ?? [:])
    }

    @Test func hadolintFindsNothing() throws {
        let run = try ToolRun(try Deploy.tool("hadolint"), [Deploy.containerfile])
        #expect(run.isClean, "\(run)")
    }

    @Test(arguments: [
        ("WORKDIR /src\n", "RUN cd /src\n", "DL3003"),
        ("# hadolint ignore=DL3008\n", "", "DL3008"),
        ("FROM debian:bookworm-slim AS runtime", "FROM debian AS runtime", "DL3006"),
    ])
    func hadolintCatchesABrokenInstruction(line: String, broken: String, rule: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("Containerfile",
                                       try edited(Deploy.containerfile, [(line, broken)]))
        let run = try ToolRun(try Deploy.tool("hadolint"), [path])
        #expect(run.status != 0)
        #expect(run.output.contains(rule), "\(run)")
    }

    @Test func theRuntimeStageRunsChaperoneAsANonRootUser() throws {
        let (run, json) = try Self.checks(Deploy.containerfile)
        #expect(run.status == 0, "\(run)")
        #expect(json["stages"] as? [String] == ["build", "egress-init", "runtime"])
        #expect(json["user"] as? String == "65532:65532")
        #expect(json["problems"] as? [String] == [])
    }

    @Test(arguments: [
        ("USER 65532:65532", "USER root", "is not a numeric non-root user"),
        ("USER 65532:65532", "USER chaperone", "is not a numeric non-root user"),
        ("USER 65532:65532\n", "", "sets no USER"),
        (#"CMD ["serve", "--config", "/etc/chaperone/proxy.yaml"]"#,
         "CMD serve --config /etc/chaperone/proxy.yaml", "CMD is not in exec form"),
        ("libcurl4 libyaml-0-2", "libcurl4-openssl-dev libyaml-0-2",
         "installs libcurl4-openssl-dev"),
        ("COPY Tests ./Tests", "COPY Tests ./Tests\nCOPY Docs ./Docs", "copies Docs"),
    ])
    func aWeakenedImageFailsTheChecks(line: String, weakened: String, problem: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("Containerfile",
                                       try edited(Deploy.containerfile, [(line, weakened)]))
        let (run, json) = try Self.checks(path)
        #expect(run.status == 1)
        let problems = json["problems"] as? [String] ?? []
        #expect(problems.contains { $0.contains(problem) }, "\(run)")
    }

    /// Each shared library the binary needs (`readelf -d`, the Swift runtime aside: the image's
    /// binary carries it, --static-swift-stdlib) comes from a package the runtime stage
    /// installs or the base image has. A C library added to Package.swift without its runtime
    /// package in the image fails here.
    @Test func theRuntimeStageInstallsEveryLibraryTheBinaryLinks() throws {
        let (_, json) = try Self.checks(Deploy.containerfile)
        let installed = Set(json["runtime_packages"] as? [String] ?? []).union(Self.basePackages)
        let elf = try ToolRun("/usr/bin/readelf", ["-d", ChaperoneProcess.binary])
        #expect(elf.status == 0, "\(elf)")
        let libraries = elf.stdout.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("(NEEDED)"), let open = line.lastIndex(of: "["),
                  let close = line.lastIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        }.filter { !$0.hasPrefix("libswift") }
        #expect(libraries.contains("libmicrohttpd.so.12"), "\(elf)")

        for library in libraries {
            let owners = try ToolRun("/usr/bin/dpkg-query", ["-S", "*/" + library])
            let packages = owners.stdout.split(separator: "\n").compactMap { line -> String? in
                guard line.hasSuffix("/" + library) else { return nil }
                return line.split(separator: ":").first.map(String.init)
            }
            #expect(!packages.isEmpty, "no Debian package holds \(library): \(owners)")
            #expect(packages.contains { installed.contains($0) },
                    "\(library) comes from \(packages), which the runtime stage lacks")
        }
    }
}
