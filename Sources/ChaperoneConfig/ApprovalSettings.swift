/// The authority that asks users to approve held requests: OpenID Connect Client-Initiated
/// Backchannel Authentication (CIBA) in poll mode.
public struct ApprovalSettings: Sendable {
    /// Where a backchannel authentication request starts.
    public var backchannelURL: UpstreamURL
    /// Where the CIBA grant is polled.
    public var tokenURL: UpstreamURL
    public var clientID: String
    public var clientSecret: Secret
    public var authentication: ConnectionSettings.ClientAuthentication
    public var loginHint: LoginHint
    /// How long a request is held when its route does not say.
    public var timeout: Duration
    /// Which characters of a request's values may appear in a binding message.
    public var bindingCharacters: BindingCharacters
    /// The most characters a rendered binding message keeps.
    public var bindingLength: Int
    /// RFC 9396 `authorization_details` of this type describe the held request; nil sends
    /// none (for authorities that reject types they do not know).
    public var authorizationDetailsType: String?
    /// CA bundle for the authority's certificate; nil means the system bundle.
    public var caFile: String?
}

/// How the verified user is named to the authority (`login_hint`).
public enum LoginHint: Sendable, Equatable {
    /// `{"format":"iss_sub","iss":ISSUER,"sub":SUBJECT}`, as Auth0 expects.
    case issuerAndSubject
    /// The subject alone.
    case subject
    /// A template with `{sub}` and `{iss}` placeholders; each value is written JSON-escaped
    /// (the template is usually JSON, such as `{"username":"{sub}"}`).
    case template([TemplatePiece])

    public enum TemplatePiece: Sendable, Equatable {
        case literal(String)
        case subject
        case issuer
    }
}

/// The characters a binding message may carry. The default is Auth0's CIBA rule: letters,
/// digits, space and `+-_.,:#`.
public struct BindingCharacters: Sendable, Equatable {
    private var allowed: [Bool]

    public static let `default` = BindingCharacters(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 +-_.,:#")

    /// Printable ASCII characters only; others in `characters` are ignored.
    public init(_ characters: String) {
        allowed = Array(repeating: false, count: 128)
        for byte in characters.utf8 where byte >= 0x20 && byte < 0x7F { allowed[Int(byte)] = true }
    }

    public func allows(_ byte: UInt8) -> Bool { byte < 128 && allowed[Int(byte)] }
}

/// A route's approval: what the user is asked, and how the request is held.
public struct RouteApproval: Sendable {
    public enum Mode: String, Sendable {
        /// The agent's connection is held until the user answers.
        case block
        /// The agent is answered 202 at once and polls a status URL.
        case interrupt
    }

    public var bindingMessage: BindingTemplate
    /// Asked of the authority besides `openid`; with `credential: approval` the token
    /// forwarded carries them.
    public var scopes: [String]
    public var audience: String?
    public var timeout: Duration
    public var mode: Mode
    /// With `credential: approval`: how the token the approval returned is sent upstream.
    public var credential: TokenInjection?
}

/// A header that carries a token, with the token's place in its value.
public struct TokenInjection: Sendable, Equatable {
    public var header: String
    /// Contains `{token}` once, such as `Bearer {token}`.
    public var format: String
}

/// A binding message with placeholders for values of the request being approved:
/// `{path.NAME}` (a template parameter), `{query.NAME}` and `{body.FIELD}` (a JSON body,
/// dotted for nested members).
public struct BindingTemplate: Sendable, Equatable, CustomStringConvertible {
    public enum Piece: Sendable, Equatable {
        case literal(String)
        /// The route template's parameter: its position among them, and its name.
        case path(Int, name: String)
        case query(String)
        case body([String])
    }

    public let pieces: [Piece]
    public let description: String

    /// Parses `text` for a route whose template has `parameters`. Throws a sentence naming
    /// the first thing wrong.
    public init(parsing text: String, parameters: [String]) throws(TemplateProblem) {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw TemplateProblem("'{' at '\(rest[open...].prefix(20))' is never closed")
            }
            let name = rest[rest.index(after: open)..<close]
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
            pieces.append(try Self.placeholder(name, parameters: parameters))
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if literal.contains("}") { throw TemplateProblem("'}' without '{'") }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
        description = text
    }

    private static func placeholder(_ name: Substring, parameters: [String])
        throws(TemplateProblem) -> Piece
    {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts.dropFirst().allSatisfy({ !$0.isEmpty }) else {
            throw TemplateProblem("'{\(name)}' is not a placeholder: use {path.NAME}, "
                + "{query.NAME} or {body.FIELD}")
        }
        switch parts[0] {
        case "path":
            guard parts.count == 2, let index = parameters.firstIndex(of: parts[1]) else {
                let known = parameters.isEmpty ? "the route's path has no parameters"
                    : "its parameters: " + parameters.joined(separator: ", ")
                throw TemplateProblem("'{\(name)}' names no parameter of the route's path "
                    + "(\(known))")
            }
            return .path(index, name: parts[1])
        case "query":
            guard parts.count == 2 else {
                throw TemplateProblem("'{\(name)}': a query parameter has no dotted parts")
            }
            return .query(parts[1])
        case "body":
            return .body(Array(parts.dropFirst()))
        default:
            throw TemplateProblem("'{\(name)}' is not a placeholder: use {path.NAME}, "
                + "{query.NAME} or {body.FIELD}")
        }
    }

    /// The literal text, for checking it against the allowed characters.
    public var literalText: String {
        pieces.map { if case .literal(let text) = $0 { text } else { "" } }.joined()
    }
}

public struct TemplateProblem: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

extension BindingTemplate {
    /// The message for one request: each placeholder replaced by `value(piece)`, every
    /// character outside `characters` dropped (literal text too, so the authority never
    /// refuses it), and the result cut to `length` characters. Nil names the first
    /// placeholder the request has no value for.
    public func render(characters: BindingCharacters, length: Int,
                       value: (Piece) -> String?) -> Result<String, TemplateProblem>
    {
        var message: [UInt8] = []
        for piece in pieces {
            let text: String
            if case .literal(let literal) = piece {
                text = literal
            } else if let found = value(piece) {
                text = found
            } else {
                return .failure(TemplateProblem("the request has no value for "
                    + placeholderName(piece)))
            }
            for byte in text.utf8 where characters.allows(byte) && message.count < length {
                message.append(byte)
            }
        }
        return .success(String(decoding: message, as: UTF8.self))
    }

    private func placeholderName(_ piece: Piece) -> String {
        switch piece {
        case .literal: "text"
        case .path(_, let name): "{path.\(name)}"
        case .query(let name): "{query.\(name)}"
        case .body(let path): "{body.\(path.joined(separator: "."))}"
        }
    }
}
