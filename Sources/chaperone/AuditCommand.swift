import ChaperoneAudit
import ChaperoneConfig

/// `chaperone audit verify|query|tail|checkpoint`: parses the command's options, loads the
/// configuration, and runs the command against the audit store. Exits 0 when done (for
/// verify: the store is intact), 1 when it failed or found something wrong, 64 on a
/// usage error.
enum AuditCommand {
    enum Subcommand: String {
        case verify, query, tail, checkpoint

        var options: [String] {
            switch self {
            case .verify: ["--config", "--checkpoint"]
            case .query:
                ["--config", "--user", "--actor", "--route", "--decision", "--since",
                 "--until", "--limit", "--json"]
            case .tail: ["--config", "--lines", "--json"]
            case .checkpoint: ["--config"]
            }
        }

        var help: String {
            switch self {
            case .verify: AuditHelp.verify
            case .query: AuditHelp.query
            case .tail: AuditHelp.tail
            case .checkpoint: AuditHelp.checkpoint
            }
        }
    }

    static func run(arguments: [String]) -> Int32 {
        let chosen = CommandGroup<Subcommand>(arguments, group: "audit", help: AuditHelp.group)
        guard case .run(let subcommand, let rest) = chosen else { return chosen.exitStatus }
        let name = subcommand.rawValue
        switch options(for: subcommand, rest) {
        case .failure(let error):
            CommandLineInterface.printError("chaperone audit \(name): \(error.message)\n\n"
                + subcommand.help)
            return 64
        case .success(nil):
            print(subcommand.help)
            return 0
        case .success(let options?):
            return execute(subcommand, options)
        }
    }

    /// What the options ask for, checked before anything is opened.
    struct Options {
        var config = "proxy.yaml"
        var query = AuditQuery()
        var json = false
        var lines = 10
        var checkpointFile: String?
    }

    private static func options(for subcommand: Subcommand, _ arguments: [String])
        -> Result<Options?, UsageError>
    {
        let parser = OptionParser(names: subcommand.options, flags: ["--json"])
        let values: [String: String]
        switch parser.parse(arguments) {
        case .failure(let error): return .failure(error)
        case .success(.help): return .success(nil)
        case .success(.values(let given)): values = given
        }
        var options = Options()
        options.config = values["--config"] ?? options.config
        options.json = values["--json"] != nil
        options.checkpointFile = values["--checkpoint"]
        options.query.user = values["--user"]
        options.query.actor = values["--actor"]
        options.query.route = values["--route"]
        if let decision = values["--decision"] {
            guard let known = AuditDecision(rawValue: decision) else {
                return .failure(UsageError(
                    message: "--decision must be forwarded, denied, error, held or sending"))
            }
            options.query.decision = known
        }
        let now = AuditClock.system.now()
        for (option, keyPath) in [("--since", \AuditQuery.since), ("--until", \.until)] {
            guard let text = values[option] else { continue }
            guard let time = AuditTime.parse(text, now: now) else {
                return .failure(UsageError(message: "\(option): \(AuditTime.expected)"))
            }
            options.query[keyPath: keyPath] = time
        }
        for option in ["--limit", "--lines"] {
            guard let text = values[option] else { continue }
            guard let number = Int(text), (1...1_000_000).contains(number) else {
                return .failure(UsageError(
                    message: "\(option) must be a whole number from 1 to 1000000"))
            }
            if option == "--limit" { options.query.limit = number } else { options.lines = number }
        }
        return .success(options)
    }

    private static func execute(_ subcommand: Subcommand, _ options: Options) -> Int32 {
        let configuration: Configuration
        do {
            // Warnings are left to `chaperone check`: repeated here they would bury the
            // result.
            configuration = try CheckCommand.loader().load(path: options.config)
        } catch {
            CommandLineInterface.printError(error.description)
            return 1
        }
        let actions = AuditActions(settings: configuration.audit, configPath: options.config,
                                   command: "chaperone audit " + subcommand.rawValue)
        switch subcommand {
        case .verify: return actions.verify(checkpointFile: options.checkpointFile)
        case .query: return actions.query(options.query, json: options.json)
        case .tail: return actions.tail(lines: options.lines, json: options.json)
        case .checkpoint: return actions.checkpoint()
        }
    }
}
