import ChaperoneConfig
import ChaperoneVault

/// `chaperone vault put|list|revoke|rotate-key`: parses the command's options, loads the
/// configuration with its vault key, and runs the command against the vault's store.
/// Exits 0 when done, 1 when it failed, 64 on a usage error.
enum VaultCommand {
    enum Subcommand: String {
        case put, list, revoke
        case rotateKey = "rotate-key"

        var options: [String] {
            switch self {
            case .put: ["--config", "--user", "--connection", "--scopes"]
            case .list: ["--config", "--user", "--connection"]
            case .revoke: ["--config", "--user", "--connection"]
            case .rotateKey: ["--config", "--new-key-file", "--new-key-env"]
            }
        }

        var required: [String] {
            switch self {
            case .put, .revoke: ["--user", "--connection"]
            case .list, .rotateKey: []
            }
        }

        var help: String {
            switch self {
            case .put: VaultHelp.put
            case .list: VaultHelp.list
            case .revoke: VaultHelp.revoke
            case .rotateKey: VaultHelp.rotateKey
            }
        }
    }

    static func run(arguments: [String]) -> Int32 {
        let chosen = CommandGroup<Subcommand>(arguments, group: "vault", help: VaultHelp.group)
        guard case .run(let subcommand, let rest) = chosen else { return chosen.exitStatus }
        let name = subcommand.rawValue
        switch options(for: subcommand, rest) {
        case .failure(let error):
            var message = "chaperone vault \(name): \(error.message)"
            if subcommand == .put {
                message += "\n(the refresh token is read from standard input, never from "
                    + "an argument)"
            }
            CommandLineInterface.printError(message + "\n\n" + subcommand.help)
            return 64
        case .success(nil):
            print(subcommand.help)
            return 0
        case .success(let values?):
            return execute(subcommand, values)
        }
    }

    /// The options given, nil for `--help`, or why they are wrong.
    private static func options(for subcommand: Subcommand, _ arguments: [String])
        -> Result<[String: String]?, UsageError>
    {
        let parser = OptionParser(names: subcommand.options)
        switch parser.parse(arguments) {
        case .failure(let error):
            return .failure(error)
        case .success(.help):
            return .success(nil)
        case .success(.values(let values)):
            if let missing = subcommand.required.first(where: { values[$0] == nil }) {
                return .failure(UsageError(message: "\(missing) is required"))
            }
            if subcommand == .rotateKey,
               (values["--new-key-file"] == nil) == (values["--new-key-env"] == nil)
            {
                return .failure(UsageError(
                    message: "give the new key with exactly one of --new-key-file and "
                        + "--new-key-env"))
            }
            if let scopes = values["--scopes"], scopes.utf8.contains(where: {
                $0 < 0x20 || $0 > 0x7E || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
            }) {
                return .failure(UsageError(
                    message: "--scopes must be visible ASCII scopes separated by spaces"))
            }
            return .success(values)
        }
    }

    private static func execute(_ subcommand: Subcommand, _ values: [String: String]) -> Int32 {
        let configPath = values["--config"] ?? "proxy.yaml"
        let context: VaultContext
        do {
            context = try VaultContext(configPath: configPath)
        } catch {
            CommandLineInterface.printError(error.description)
            return 1
        }
        let actions = VaultActions(context: context, command: "chaperone vault "
            + subcommand.rawValue)
        switch subcommand {
        case .put:
            return actions.put(user: values["--user"]!, connection: values["--connection"]!,
                               scopes: values["--scopes"])
        case .list:
            return actions.list(user: values["--user"], connection: values["--connection"])
        case .revoke:
            return actions.revoke(user: values["--user"]!, connection: values["--connection"]!)
        case .rotateKey:
            let source: KeySource = values["--new-key-file"].map { .file($0) }
                ?? .environment(values["--new-key-env"]!)
            return actions.rotateKey(to: source)
        }
    }
}

/// The configuration loaded for a vault command, with the vault's key read.
struct VaultContext {
    let configPath: String
    let configuration: Configuration
    let key: VaultKey
    let storePath: String

    init(configPath: String) throws(ConfigErrors) {
        var loader = CheckCommand.loader()
        loader.requiresVault = true
        // Warnings are left to `chaperone check`: repeated here they would bury the result.
        configuration = try loader.load(path: configPath)
        // Loading with requiresVault reads the key or fails, so it is here.
        key = configuration.vault.key!
        switch configuration.vault.store {
        case .sqlite(let path): storePath = path
        }
        self.configPath = configPath
    }
}
