/// Glewlwyd's configuration for one test: the package's own file with the listener, the
/// external URL, the log, the database and the served web pages changed. Each of those lines
/// must be found, so a package whose file has changed shape fails here rather than serving
/// with a wrong setting.
enum GlewlwydConfigFile {
    static func text(from packageConfig: String, port: Int, logFile: String, database: String,
                     webapp: String?) throws -> String
    {
        // libconfig syntax. The package reads its database block from an included file.
        var replacements: [(prefix: String, line: String)] = [
            ("port=", "port=\(port)"),
            ("#bind_address=", #"bind_address="127.0.0.1""#),
            ("external_url=", #"external_url="http://127.0.0.1:\#(port)""#),
            ("log_mode=", #"log_mode="file""#),
            ("log_file=", #"log_file="\#(logFile)""#),
            (#"@include "/etc/glewlwyd/glewlwyd-db.conf""#,
             #"database = { type = "sqlite3"; path = "\#(database)"; };"#),
        ]
        // Commented out in the package: Glewlwyd serves no pages unless told where they are.
        if let webapp {
            replacements.append(("# static_files_path=", #"static_files_path="\#(webapp)/""#))
        }
        var found = Set<String>()
        let lines = packageConfig.split(separator: "\n", omittingEmptySubsequences: false).map {
            line in
            guard let match = replacements.first(where: { line.hasPrefix($0.prefix) }) else {
                return String(line)
            }
            found.insert(match.prefix)
            return match.line
        }
        let missing = replacements.map(\.prefix).filter { !found.contains($0) }
        guard missing.isEmpty else {
            throw TestFailure("the package's glewlwyd.conf has no line starting with "
                + missing.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
