import ChaperoneConfig

/// What to do when a development configuration cannot load because its state is not there
/// yet. The repository's `proxy.yaml` names files that `./scripts/run` writes while it sets
/// the demo up (the vault key, Chaperone's client at the demo's authority): before the first
/// run, `check` and `dev token` would otherwise only say that files are missing.
enum DemoStateHint {
    /// A line for after the problems, or nil when they are not of that kind: the file says
    /// `development: true` and some are unreadable files in a `.chaperone/` folder.
    static func text(configPath: String, problems: [ConfigProblem]) -> String? {
        let missing = problems.filter {
            $0.severity == .error && $0.message.hasPrefix("cannot read ")
                && $0.message.contains(".chaperone/")
        }
        guard !missing.isEmpty, saysDevelopment(configPath) else { return nil }
        return "\(configPath): these files are the demo's state, made when it is set up: "
            + "run ./scripts/run in Chaperone's repository (README.md, \"Walkthrough\"), "
            + "then try again"
    }

    /// Whether the file has a top-level `development: true` line. The loader has already
    /// refused the file, so this reads it as text; a file written otherwise gets no hint.
    private static func saysDevelopment(_ path: String) -> Bool {
        guard case .success(let bytes) = FileSystem.read(path) else { return false }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").contains { line in
            guard line.hasPrefix("development:") else { return false }
            let value = line.dropFirst("development:".count).drop { $0 == " " }
            return value == "true" || value.hasPrefix("true ") || value.hasPrefix("true#")
        }
    }
}
