import ChaperoneConfig
import ChaperoneServer
#if canImport(Glibc)
import Glibc
#endif

/// `chaperone dev token`: an on-behalf-of token from the development issuer, for trying
/// Chaperone without an identity provider. Only for a configuration that says
/// `development: true`. Exits 0 with the token on standard output, 1 when refused, 64 on a
/// usage error.
enum DevCommand {
    static let help = """
        Usage: chaperone dev token --user USER [--agent AGENT] [--profile PROFILE]
                                   [--scope "A B"] [--ttl DURATION] [--config PATH]

        Prints an on-behalf-of access token signed by the development issuer: USER as its
        subject, AGENT (default agent-1) as the current actor in its act claim, with
        sub_profile PROFILE (default ai_agent), the scopes given, and the identity
        section's audience. It lives for DURATION (default 1h, at most 24h).

        Only for a configuration with development: true; the issuer's key is kept in
        .chaperone/dev-issuer.pem beside it, and `chaperone serve` publishes the public key
        on the admin listener at /dev/jwks.json. Point the identity section there:

          development: true
          admin: {listen: 127.0.0.1:9090}
          identity:
            issuer: chaperone-dev
            jwks_url: http://127.0.0.1:9090/dev/jwks.json
            audience: chaperone-demo

        Example:
          TOKEN=$(chaperone dev token --user alice --agent shopping-agent --scope "read")
          curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/messages
        """

    static func run(arguments: [String]) -> Int32 {
        guard let first = arguments.first, first != "-h", first != "--help" else {
            if arguments.isEmpty { CommandLineInterface.printError(help) } else { print(help) }
            return arguments.isEmpty ? 64 : 0
        }
        guard first == "token" else {
            CommandLineInterface.printError("chaperone dev: the only command is token\n\n" + help)
            return 64
        }
        let parser = OptionParser(names: ["--config", "--user", "--agent", "--profile",
                                          "--scope", "--ttl"])
        let values: [String: String]
        switch parser.parse(Array(arguments.dropFirst())) {
        case .failure(let error):
            CommandLineInterface.printError("chaperone dev token: \(error.message)\n\n" + help)
            return 64
        case .success(.help):
            print(help)
            return 0
        case .success(.values(let given)):
            values = given
        }
        guard let user = values["--user"] else {
            CommandLineInterface.printError("chaperone dev token: --user is required\n\n" + help)
            return 64
        }
        guard let lifetime = Units.duration(values["--ttl"] ?? "1h"),
              lifetime >= .seconds(1), lifetime <= .seconds(86_400)
        else {
            CommandLineInterface.printError("chaperone dev token: --ttl must be a duration "
                + "from 1s to 24h, such as 30m\n\n" + help)
            return 64
        }
        return mint(user: user, values: values, lifetime: lifetime.components.seconds)
    }

    private static func mint(user: String, values: [String: String], lifetime: Int64) -> Int32 {
        let configPath = values["--config"] ?? "proxy.yaml"
        let configuration: Configuration
        do {
            configuration = try CheckCommand.loader().load(path: configPath)
        } catch {
            for problem in error.problems where problem.severity == .error {
                CommandLineInterface.printError(problem.description)
            }
            if let hint = DemoStateHint.text(configPath: configPath, problems: error.problems) {
                CommandLineInterface.printError(hint)
            }
            return 1
        }
        guard configuration.development else {
            CommandLineInterface.printError("chaperone dev token: \(configPath) does not say "
                + "development: true; development tokens are for trying Chaperone, never for "
                + "a deployment")
            return 1
        }
        guard let identity = configuration.identity else {
            CommandLineInterface.printError("chaperone dev token: \(configPath) has no "
                + "identity section, so no token is checked and none is needed")
            return 1
        }
        do {
            let issuer = try DevelopmentIssuer.open(configuration)
            print(try issuer.token(
                user: user, agent: values["--agent"] ?? "agent-1",
                profile: values["--profile"] ?? "ai_agent", scope: values["--scope"],
                audience: identity.audience, lifetime: lifetime, now: Int64(time(nil))))
            return 0
        } catch {
            CommandLineInterface.printError("chaperone dev token: \(error)")
            return 1
        }
    }
}
