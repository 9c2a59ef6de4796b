import Testing

@testable import ChaperoneRouting

@Suite struct PathTemplateTests {
    @Test func parsesLiteralsParametersAndRest() throws {
        let template = try PathTemplate(parsing: "/github/repos/{owner}/{repo}/issues")
        #expect(template.segments == [
            .literal("github"), .literal("repos"), .parameter("owner"), .parameter("repo"),
            .literal("issues"),
        ])
        #expect(!template.matchesRest)
        #expect(template.literalPrefixCount == 2)
        #expect(template.parameterNames == ["owner", "repo"])

        let rest = try PathTemplate(parsing: "/openai/v1/**")
        #expect(rest.segments == [.literal("openai"), .literal("v1")])
        #expect(rest.matchesRest)
        #expect(rest.literalPrefixCount == 2)
        #expect(try PathTemplate(parsing: "/**").segments.isEmpty)
        #expect(try PathTemplate(parsing: "/").segments == [.literal("")])
        #expect(try PathTemplate(parsing: "/a/").segments == [.literal("a"), .literal("")])
        #expect(try PathTemplate(parsing: "/%7euser").segments == [.literal("~user")])
    }

    @Test(arguments: [
        ("relative/path", "must start with '/'"),
        ("/a/**/b", "'**' may only be the last segment"),
        ("/a/*", "'*' is not a wildcard: use '{name}' or a trailing '**'"),
        ("/v{version}", "a parameter must be a whole segment, such as '{name}'"),
        ("/{a-b}", "parameter name 'a-b' must be letters, digits and '_'"),
        ("/{}", "parameter name '' must be letters, digits and '_'"),
        ("/{x}/{x}", "parameter '{x}' appears twice"),
        ("/a//b", "empty segment ('//')"),
        ("/a/../b", "dot segments ('.', '..') are not allowed"),
        ("/a%2Fb", "the template has an encoded slash (%2F), which is ambiguous"),
    ])
    func refusesMalformedTemplates(text: String, reason: String) {
        #expect(throws: TemplateError(reason)) { try PathTemplate(parsing: text) }
    }
}
