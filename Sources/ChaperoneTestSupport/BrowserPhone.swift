import Foundation

/// The user answering a CIBA request the way a person does: in a browser, at Glewlwyd's own
/// pages. Headless Chromium (Debian's) driven by Selenium runs
/// `Fixtures/glewlwyd_browser.py`: it opens the account page, signs in on the login page with
/// the user's password, follows the pending request's link from the account page's list,
/// and approves on the request's page, or denies with the cancel link. `GlewlwydPhone` does
/// the same through the HTTP API, in milliseconds; this one proves that the pages a user
/// sees lead to the same answer.
///
/// Every step leaves a screenshot in `.build/screenshots/<test>/NN-step.png`, whose paths
/// the test's output lists, so a failure shows what the user saw.
///
///     let browser = glewlwyd.browser(for: alice)
///     let report = try browser.approve(bindingMessage: "Approve purchase of item-42?")
///     #expect(report.message == "The request is complete")
public struct BrowserPhone: Sendable {
    public static let python = "/usr/bin/python3"
    public static let script = packageRoot
        + "/Sources/ChaperoneTestSupport/Fixtures/glewlwyd_browser.py"
    static let programs = ["/usr/bin/chromium", "/usr/bin/chromedriver"]

    public let username: String
    private let password: String
    public let baseURL: String
    /// Where the screenshots go; emptied when the browser starts.
    public let screenshots: String
    /// How long each page may take to show what the next step needs, in seconds.
    public var stepTimeout: Double = 15

    /// The user signing in with `username` and `password` at the Glewlwyd serving its pages
    /// at `baseURL`, such as one a test did not start itself. `test` names the screenshots'
    /// directory: by default the calling test's function.
    public init(baseURL: String, username: String, password: String,
                test: String = #function)
    {
        self.baseURL = baseURL
        self.username = username
        self.password = password
        let name = test.prefix { $0 != "(" }
        screenshots = packageRoot + "/.build/screenshots/" + name
    }

    public init(baseURL: String, user: GlewlwydUser, test: String = #function) {
        self.init(baseURL: baseURL, username: user.name, password: user.password, test: test)
    }

    /// Approves the request reading `bindingMessage`; throws unless Glewlwyd's last page said
    /// the request is complete.
    @discardableResult
    public func approve(bindingMessage: String, timeout: Double = 90) throws -> BrowserReport {
        try answer(bindingMessage, approve: true, timeout: timeout)
    }

    /// Denies the request reading `bindingMessage` with its cancel link; throws unless
    /// Glewlwyd's last page said the request was cancelled.
    @discardableResult
    public func deny(bindingMessage: String, timeout: Double = 90) throws -> BrowserReport {
        try answer(bindingMessage, approve: false, timeout: timeout)
    }

    private func answer(_ bindingMessage: String, approve: Bool,
                        timeout: Double) throws -> BrowserReport
    {
        for program in Self.programs where !FileManager.default.isExecutableFile(atPath: program) {
            throw TestFailure("\(program) is missing: "
                + "scripts/install-packages chromium chromium-driver python3-selenium")
        }
        guard FileManager.default.fileExists(atPath: GlewlwydWebapp.packageDirectory) else {
            throw TestFailure("Glewlwyd's web pages are missing: "
                + "scripts/install-packages glewlwyd-common")
        }
        try? FileManager.default.removeItem(atPath: screenshots)
        let directory = try TemporaryDirectory()
        let process = try TestProcess(
            Self.python,
            [Self.script, "--base", baseURL, "--username", username,
             "--binding-message", bindingMessage, "--answer", approve ? "approve" : "deny",
             "--screenshots", screenshots, "--timeout", "\(stepTimeout)"],
            directory: directory, name: "browser", input: Array((password + "\n").utf8))
        let status = process.waitForExit(timeout: timeout)
        if status == nil {
            // Chromium and its driver are in the script's process group.
            kill(-process.pid, SIGKILL)
            _ = process.waitForExit(timeout: 5)
        }
        let report = BrowserReport(output: process.stdout)
        for step in report.steps { print("screenshot \(step.name): \(step.screenshot)") }
        guard status == 0, let outcome = report.cibaMessage else {
            let reason = status == nil ? "still ran after \(timeout)s" : "failed (\(status!))"
            throw TestFailure("the browser \(reason): \(report.error ?? process.stderr)\n"
                + "screenshots: \(screenshots)")
        }
        let expected = approve ? "complete" : "cancelled"
        guard outcome == expected else {
            throw TestFailure("Glewlwyd's page said ciba_message=\(outcome) "
                + "(\"\(report.message ?? "")\"), not \(expected); screenshots: \(screenshots)")
        }
        return report
    }
}

extension Glewlwyd {
    /// The user at this authority's pages in a headless browser.
    public func browser(for user: GlewlwydUser, test: String = #function) -> BrowserPhone {
        BrowserPhone(baseURL: baseURL, user: user, test: test)
    }
}

/// What the browser went through and what Glewlwyd's last page said.
public struct BrowserReport: Sendable {
    public struct Step: Sendable {
        public let name: String
        public let url: String
        public let screenshot: String
        /// The page's visible text.
        public let text: String
    }

    public var steps: [Step] = []
    /// The verdict page's address says `ciba_message=complete` or `cancelled`.
    public var cibaMessage: String?
    /// The verdict page's heading and message, such as "The request is complete".
    public var title: String?
    public var message: String?
    /// Whether the request's page showed its binding message (approvals only).
    public var bindingMessageShown: Bool?
    /// Why the script gave up, when it did.
    public var error: String?

    /// Reads the script's JSON lines.
    init(output: String) {
        for line in output.split(separator: "\n") {
            guard let json = try? JSONSerialization.jsonObject(with: Data(line.utf8))
                as? [String: Any]
            else { continue }
            if let name = json["step"] as? String {
                steps.append(Step(name: name, url: json["url"] as? String ?? "",
                                  screenshot: json["screenshot"] as? String ?? "",
                                  text: json["text"] as? String ?? ""))
            } else if let outcome = json["outcome"] as? [String: Any] {
                cibaMessage = outcome["ciba_message"] as? String
                title = outcome["title"] as? String
                message = outcome["message"] as? String
                bindingMessageShown = outcome["binding_message_shown"] as? Bool
            } else if let error = json["error"] as? String {
                self.error = error
            }
        }
    }
}
