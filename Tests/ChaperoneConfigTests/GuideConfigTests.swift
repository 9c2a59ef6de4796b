import ChaperoneTestSupport
import Foundation
import Testing

@testable import ChaperoneConfig

/// The configurations the guides in docs/guides show in full (every ```yaml block whose first
/// line is `version: 1`) load without an error or a warning, so a guide cannot drift from
/// what Chaperone accepts. Secrets and keys are stand-ins: what is checked is the file's
/// shape and meaning, not the values an operator supplies.
@Suite struct GuideConfigTests {
    static let guides = packageRoot + "/docs/guides"

    /// Base64 of 32 bytes: a valid client secret, API key and vault key alike.
    static let standIn = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

    /// Every variable is set and every file holds the stand-in, except the audit signing key,
    /// which does not exist yet, as on a new machine (the log generates it when it opens).
    static let secrets = SecretSource(
        environment: { _ in standIn },
        readFile: { path in
            path.hasSuffix("audit.key")
                ? .failure(FileReadError("No such file or directory"))
                : .success(Array(standIn.utf8))
        }
    )

    /// A fenced block of a guide, and the line its text starts on.
    struct Block: CustomStringConvertible {
        var guide: String
        var line: Int
        var text: String

        var description: String { "docs/guides/\(guide):\(line)" }
    }

    @Test func everyGuideShowsAWholeConfiguration() throws {
        let blocks = try Self.configurationBlocks()
        for guide in try Self.guideNames() {
            #expect(blocks.contains { $0.guide == guide },
                    "docs/guides/\(guide) shows no yaml block starting with version: 1")
        }
    }

    @Test func everyConfigurationInTheGuidesLoadsCleanly() throws {
        let blocks = try Self.configurationBlocks()
        #expect(!blocks.isEmpty)
        let loader = ConfigLoader(secrets: Self.secrets, defaultWorkers: 2)
        for block in blocks {
            do {
                let configuration = try loader.load(text: Array(block.text.utf8),
                                                    file: "proxy.yaml")
                let warnings = configuration.warnings.map(\.description)
                    .joined(separator: "\n")
                #expect(configuration.warnings.isEmpty,
                        "\(block) (lines count from the block's first line):\n\(warnings)")
            } catch {
                Issue.record("\(block) (lines count from the block's first line):\n\(error)")
            }
        }
    }

    /// The extraction itself: an indented fence, a block of another language and a yaml
    /// block that is only an excerpt are told apart.
    @Test func blocksAreFoundByTheirFirstLine() {
        let markdown = """
            Text.

            ```yaml
            version: 1
            listen: 127.0.0.1:8080
            ```

            ```yaml
            routes: []
            ```

            - a list item:

              ```yaml
              version: 1
              workers: 2
              ```

            ```sh
            version: 1
            ```
            """
        let blocks = Self.configurationBlocks(in: markdown, guide: "example.md")
        #expect(blocks.map(\.line) == [4, 15])
        #expect(blocks.map(\.text) == ["version: 1\nlisten: 127.0.0.1:8080\n",
                                       "version: 1\nworkers: 2\n"])
    }

    static func guideNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: guides)
            .filter { $0.hasSuffix(".md") }.sorted()
    }

    static func configurationBlocks() throws -> [Block] {
        try guideNames().flatMap { name in
            configurationBlocks(in: try String(contentsOfFile: guides + "/" + name,
                                               encoding: .utf8),
                                guide: name)
        }
    }

    /// The ```yaml blocks of `markdown` whose first line is `version: 1`, with the fence's
    /// indentation removed from every line.
    static func configurationBlocks(in markdown: String, guide: String) -> [Block] {
        var blocks: [Block] = []
        var current: (line: Int, indent: Int, lines: [String])?
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            let indent = line.prefix { $0 == " " }.count
            let fence = line.dropFirst(indent)
            if var open = current {
                if fence == "```" {
                    if open.lines.first == "version: 1" {
                        blocks.append(Block(guide: guide, line: open.line,
                                            text: open.lines.joined(separator: "\n") + "\n"))
                    }
                    current = nil
                } else {
                    open.lines.append(String(line.dropFirst(min(indent, open.indent))))
                    current = open
                }
            } else if fence == "```yaml" {
                current = (line: index + 2, indent: indent, lines: [])
            }
        }
        return blocks
    }
}
