import Foundation

/// Glewlwyd's own web pages (the account page, login, the CIBA request and its verdict), as
/// the Debian package ships them, for a test that plays the user in a browser. Glewlwyd
/// serves them itself from `static_files_path`.
///
/// Not the package's folder as it stands: Glewlwyd answers 404 for any file reached through a
/// symbolic link, and the package's folder links its scripts and styles from elsewhere in
/// /usr/share, and its `config.json` to `/etc/glewlwyd/config-2.7.json`, which the package
/// installs as a directory. So each Glewlwyd gets a copy of the pages the user sees, links
/// resolved (about 3 MB), with the package's configuration template as `config.json`.
enum GlewlwydWebapp {
    static let packageDirectory = "/usr/share/glewlwyd/webapp"
    static let packageConfig = "/usr/share/glewlwyd/templates/config.json"
    /// The account page, the login page and what they load; not the administration pages.
    static let entries = ["profile.html", "profile.js", "login.html", "login.js", "favicon.ico",
                          "css", "fonts", "img", "js", "locales"]

    /// Lays the pages out at `path` and returns it; nil when the package ships no pages (its
    /// API works without them).
    static func prepare(at path: String, in directory: TemporaryDirectory) throws -> String? {
        let files = FileManager.default
        guard files.fileExists(atPath: packageDirectory + "/login.html"),
              files.fileExists(atPath: packageConfig)
        else { return nil }
        try files.createDirectory(atPath: path, withIntermediateDirectories: true)
        try TestProcess.run("/bin/cp", ["-RL"] + entries.map { packageDirectory + "/" + $0 }
                                + [path], directory: directory, name: "webapp")
        // `GlewlwydUrl: "./"` in the template: the pages find the API on their own origin.
        try files.copyItem(atPath: packageConfig, toPath: path + "/config.json")
        return path
    }
}
