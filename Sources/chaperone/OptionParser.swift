/// A usage error: the message to print above the command's help; exits 64.
struct UsageError: Error {
    var message: String
}

/// `--name VALUE` and `--name=VALUE` options, each at most once, and `-h`/`--help`.
///
/// An argument that is not an option is refused without being repeated, and an unknown
/// option is named only by its name: what someone typed on a command line may be a
/// secret, and the error message lands in terminals and logs.
struct OptionParser {
    /// The options taken, such as `--config`.
    let names: [String]
    /// Those of them that take no value, such as `--json`; given, their value is "".
    var flags: [String] = []
    /// Short spellings, such as `["-c": "--config"]`.
    var aliases: [String: String] = ["-c": "--config"]

    enum Outcome {
        case help
        case values([String: String])
    }

    func parse(_ arguments: [String]) -> Result<Outcome, UsageError> {
        var values: [String: String] = [:]
        var rest = arguments[...]
        var position = 0
        while let argument = rest.popFirst() {
            position += 1
            if argument == "--help" || argument == "-h" { return .success(.help) }
            var name = argument
            var value: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard let option = canonical(name) else {
                return .failure(UsageError(message: Self.unexpected(name, position: position)))
            }
            if flags.contains(option) {
                guard value == nil else {
                    return .failure(UsageError(message: "\(option) takes no value"))
                }
                guard values[option] == nil else {
                    return .failure(UsageError(message: "\(option) is given twice"))
                }
                values[option] = ""
                continue
            }
            if value == nil {
                guard let next = rest.first, !next.hasPrefix("-") else {
                    return .failure(UsageError(message: "\(option) needs a value"))
                }
                value = rest.removeFirst()
            }
            guard let value, !value.isEmpty else {
                return .failure(UsageError(message: "\(option) needs a value"))
            }
            guard values[option] == nil else {
                return .failure(UsageError(message: "\(option) is given twice"))
            }
            values[option] = value
        }
        return .success(.values(values))
    }

    private func canonical(_ name: String) -> String? {
        if names.contains(name) { return name }
        return aliases[name].flatMap { names.contains($0) ? $0 : nil }
    }

    /// Names an option-shaped argument; anything else only by its position.
    private static func unexpected(_ name: String, position: Int) -> String {
        let body = name.drop { $0 == "-" }
        let optionShaped = name.hasPrefix("-") && !body.isEmpty && body.count <= 32
            && body.allSatisfy { $0.isASCII && ($0.isLowercase || $0 == "-") }
        return optionShaped
            ? "unknown option '\(name)'"
            : "unexpected argument at position \(position) (not repeated here)"
    }
}
