#if canImport(Glibc)
import Glibc
#endif

/// `chaperone <command> [--config PATH]`: parses the arguments and runs the command.
/// Usage errors exit 64 (EX_USAGE).
enum CommandLineInterface {
    static let version = "0.1.0"

    /// The version, then the C libraries it runs on, as loaded.
    static var versionText: String {
        "chaperone \(version)\n" + Libraries.versions.joined(separator: "\n")
    }

    enum Command: String, CaseIterable {
        case serve, check, vault, audit, dev, version, help
    }

    static func run(arguments: [String]) -> Int32 {
        guard let name = arguments.first else {
            printError(usage)
            return 64
        }
        if name == "--help" || name == "-h" {
            print(usage)
            return 0
        }
        if name == "--version" {
            print(versionText)
            return 0
        }
        guard let command = Command(rawValue: name) else {
            printError("chaperone: unknown command '\(name)'\n\n\(usage)")
            return 64
        }
        // The vault's commands take options of their own.
        if command == .vault { return VaultCommand.run(arguments: Array(arguments.dropFirst())) }
        if command == .audit { return AuditCommand.run(arguments: Array(arguments.dropFirst())) }
        if command == .dev { return DevCommand.run(arguments: Array(arguments.dropFirst())) }
        var config = "proxy.yaml"
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "-h", "--help":
                print(help(for: command))
                return 0
            case "--config", "-c":
                guard let value = rest.popFirst(), !value.hasPrefix("-") else {
                    printError("chaperone \(name): --config needs a file path\n\n"
                        + help(for: command))
                    return 64
                }
                config = value
            default:
                if argument.hasPrefix("--config=") {
                    config = String(argument.dropFirst("--config=".count))
                    continue
                }
                printError("chaperone \(name): unexpected argument '\(argument)'\n\n"
                    + help(for: command))
                return 64
            }
        }
        switch command {
        case .serve: return ServeCommand.run(configPath: config)
        case .check: return CheckCommand.run(configPath: config)
        case .vault: return VaultCommand.run(arguments: [])  // taken above, before the loop
        case .audit: return AuditCommand.run(arguments: [])  // taken above, before the loop
        case .dev: return DevCommand.run(arguments: [])  // taken above, before the loop
        case .version:
            print(versionText)
            return 0
        case .help:
            print(usage)
            return 0
        }
    }

    static let usage = """
        Usage: chaperone <command> [--config PATH]

        A sidecar reverse proxy that holds the credentials an AI agent must not.

        Commands:
          serve     run the proxy
          check     validate the configuration; exit 0 when valid, 1 when not
          vault     manage the token vault: put, list, revoke, rotate-key
          audit     read the audit log: verify, query, tail, checkpoint
          dev       development only: mint a token to try Chaperone with (dev token)
          version   print the version
          help      show this help

        Options:
          -c, --config PATH   configuration file (default: ./proxy.yaml)
          -h, --help          show help for a command
        """

    static func help(for command: Command) -> String {
        switch command {
        case .serve:
            """
            Usage: chaperone serve [--config PATH]

            Runs the proxy with the configuration at PATH (default ./proxy.yaml).
            Logs JSON lines on standard error. SIGHUP reloads the configuration (a broken
            file is refused and the running one kept); SIGTERM or SIGINT stops accepting,
            lets requests in flight finish within limits.drain_timeout, then exits 0.
            Exits 1 when the configuration is invalid or a listener cannot be bound.
            """
        case .check:
            """
            Usage: chaperone check [--config PATH]

            Validates the configuration at PATH (default ./proxy.yaml), including that every
            secret it names can be read. Prints each problem as FILE:LINE:COLUMN: key: message
            and exits 1 if any is an error, 0 otherwise (warnings are printed too).
            """
        case .vault:
            VaultHelp.group
        case .audit:
            AuditHelp.group
        case .dev:
            DevCommand.help
        case .version:
            "Usage: chaperone version\n\nPrints the version."
        case .help:
            usage
        }
    }

    /// Writes a line to standard error (`stderr` itself is not concurrency-safe in Swift 6).
    static func printError(_ text: String, newline: Bool = true) {
        var line = newline ? text + "\n" : text
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
