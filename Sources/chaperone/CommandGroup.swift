/// The first argument of a command group (`chaperone vault`, `chaperone audit`): which of
/// its subcommands to run.
enum CommandGroup<Subcommand: RawRepresentable> where Subcommand.RawValue == String {
    /// Run this subcommand with the arguments after it.
    case run(Subcommand, [String])
    /// Help or a usage error has been printed: exit with this status.
    case exit(Int32)

    /// `group` names the group in messages; `help` is its usage text.
    init(_ arguments: [String], group: String, help: String) {
        guard let name = arguments.first else {
            CommandLineInterface.printError("chaperone \(group): missing command\n\n" + help)
            self = .exit(64)
            return
        }
        if ["-h", "--help", "help"].contains(name) {
            print(help)
            self = .exit(0)
            return
        }
        guard let subcommand = Subcommand(rawValue: name) else {
            // What was typed may be a token pasted in the wrong place: not echoed then.
            let shown = name.count <= 32 && name.allSatisfy { $0.isLetter || $0 == "-" }
                ? "'\(name)'" : "(not repeated here)"
            CommandLineInterface.printError(
                "chaperone \(group): unknown command \(shown)\n\n" + help)
            self = .exit(64)
            return
        }
        self = .run(subcommand, Array(arguments.dropFirst()))
    }

    /// The status to exit with, when no subcommand is to run.
    var exitStatus: Int32 {
        if case .exit(let status) = self { status } else { 0 }
    }
}
