/// A route's path pattern: literal segments, `{name}` segments that match any one
/// non-empty segment, and an optional trailing `**` that matches the rest of the path
/// (including nothing).
public struct PathTemplate: Sendable, Equatable, CustomStringConvertible {
    public enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// The segments before any trailing `**`, literals in canonical form.
    public let segments: [Segment]
    public let matchesRest: Bool
    public let description: String

    /// How many segments at the start are literals: the prefix a `..` may not climb above,
    /// and the most that `strip_prefix` may remove.
    public var literalPrefixCount: Int {
        segments.firstIndex { if case .parameter = $0 { true } else { false } } ?? segments.count
    }

    public var parameterNames: [String] {
        segments.compactMap { if case .parameter(let name) = $0 { name } else { nil } }
    }

    /// Parses a template such as `/repos/{owner}/{repo}/issues` or `/openai/v1/**`.
    /// Throws a sentence naming the first thing wrong.
    public init(parsing text: String) throws(TemplateError) {
        guard text.hasPrefix("/") else { throw TemplateError("must start with '/'") }
        var raw = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        var rest = false
        if raw.last == "**" {
            rest = true
            raw.removeLast()
        }
        var parsed: [Segment] = []
        var names: Set<String> = []
        for (index, piece) in raw.enumerated() {
            let isLast = index == raw.count - 1
            parsed.append(try Self.segment(piece, isLast: isLast && !rest, names: &names))
        }
        self.segments = parsed
        self.matchesRest = rest
        self.description = text
    }

    private static func segment(_ piece: Substring, isLast: Bool, names: inout Set<String>)
        throws(TemplateError) -> Segment
    {
        if piece == "**" { throw TemplateError("'**' may only be the last segment") }
        if piece.hasPrefix("{") && piece.hasSuffix("}") && piece.count >= 2 {
            let name = String(piece.dropFirst().dropLast())
            guard Self.isIdentifier(name) else {
                throw TemplateError("parameter name '\(name)' must be letters, digits and '_'")
            }
            guard names.insert(name).inserted else {
                throw TemplateError("parameter '{\(name)}' appears twice")
            }
            return .parameter(name)
        }
        if piece.contains("{") || piece.contains("}") {
            throw TemplateError("a parameter must be a whole segment, such as '{name}'")
        }
        if piece.contains("*") {
            throw TemplateError("'*' is not a wildcard: use '{name}' or a trailing '**'")
        }
        if piece.isEmpty {
            guard isLast else { throw TemplateError("empty segment ('//')") }
            return .literal("")
        }
        var bytes = Array(piece.utf8)
        let canonical: String
        do {
            canonical = try bytes.withUnsafeMutableBufferPointer { (buffer) throws(PathError) in
                try PathNormalizer.canonicalSegment(UnsafeBufferPointer(buffer))
            }
        } catch {
            throw TemplateError(error.reason.replacingPathWording())
        }
        if canonical == "." || canonical == ".." {
            throw TemplateError("dot segments ('.', '..') are not allowed")
        }
        return .literal(canonical)
    }

    private static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, first < 0x80, !(0x30...0x39).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy {
            (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
                || (0x61...0x7A).contains($0) || $0 == UInt8(ascii: "_")
        }
    }
}

/// A template that does not parse, with the reason.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

extension String {
    fileprivate func replacingPathWording() -> String {
        hasPrefix("the path") ? "the template" + dropFirst("the path".count) : self
    }
}
