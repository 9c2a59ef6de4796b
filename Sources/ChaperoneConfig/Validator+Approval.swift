import ChaperoneRouting

/// The `approval` section (the CIBA authority) and each route's `approval`.
extension Validator {
    mutating func approval(_ wire: WireApproval) -> ApprovalSettings? {
        let errorsBefore = diagnostics.problems.count
        let backchannel = required(wire.backchannelURL, wire, "backchannel_url").flatMap {
            authorityURL($0)
        }
        let tokenURL = required(wire.tokenURL, wire, "token_url").flatMap { authorityURL($0) }
        let (clientID, clientSecret, authentication) = client(wire.client, in: wire.location,
                                                              wire.path)
        let loginHint = loginHint(wire.loginHint)
        let timeout = duration(wire.timeout, in: .seconds(1)...(.seconds(86_400)))
            ?? .seconds(300)
        let characters = bindingCharacters(wire.bindingCharacters)
        let length = integer(wire.bindingLength, in: 1...1_024) ?? 64
        let details = authorizationDetails(wire.authorizationDetails)
        let caFile = wire.caFile.flatMap { readableFile($0) }
        guard !hasNewErrors(since: errorsBefore), let backchannel, let tokenURL, let clientID,
              let clientSecret, let loginHint
        else { return nil }
        return ApprovalSettings(
            backchannelURL: backchannel, tokenURL: tokenURL, clientID: clientID,
            clientSecret: clientSecret, authentication: authentication, loginHint: loginHint,
            timeout: timeout, bindingCharacters: characters, bindingLength: length,
            authorizationDetailsType: details, caFile: caFile)
    }

    /// A route's approval. It needs the authority and a verified user to ask.
    mutating func routeApproval(_ wire: WireRoute, template: PathTemplate?,
                                authority: ApprovalSettings?, hasAuthority: Bool,
                                policy: RoutePolicy,
                                credential: TokenInjection?) -> RouteApproval?
    {
        guard let approval = wire.approval else { return nil }
        let errorsBefore = diagnostics.problems.count
        if !hasAuthority {
            diagnostics.error(approval.location, approval.path,
                              "needs the top-level approval section, which names the CIBA "
                                  + "authority that asks the user")
        }
        if !policy.authenticate {
            diagnostics.error(approval.location, approval.path,
                              "needs a verified caller, to know which user to ask: the route "
                                  + "must authenticate (an identity section, and no "
                                  + "authenticate: false)")
        }
        let message = bindingMessage(approval, template: template, authority: authority)
        let scopes = names(approval.scopes)
        let audience = approval.audience.flatMap { nonEmpty($0) }
        let timeout = duration(approval.timeout, in: .seconds(1)...(.seconds(86_400)))
            ?? authority?.timeout ?? .seconds(300)
        var mode = RouteApproval.Mode.block
        if let wireMode = approval.mode {
            if let parsed = RouteApproval.Mode(rawValue: wireMode.value) {
                mode = parsed
            } else {
                diagnostics.error(wireMode.location, wireMode.path, "expected block or interrupt")
            }
        }
        guard !hasNewErrors(since: errorsBefore), let message else { return nil }
        return RouteApproval(bindingMessage: message, scopes: scopes, audience: audience,
                             timeout: timeout, mode: mode, credential: credential)
    }

    private mutating func bindingMessage(_ wire: WireRouteApproval, template: PathTemplate?,
                                         authority: ApprovalSettings?) -> BindingTemplate?
    {
        guard let text = wire.bindingMessage else {
            diagnostics.error(wire.location, wire.path + ".binding_message",
                              "is required: it is what the user sees when asked to approve")
            return nil
        }
        let parsed: BindingTemplate
        do {
            parsed = try BindingTemplate(parsing: text.value,
                                         parameters: template?.parameterNames ?? [])
        } catch {
            diagnostics.error(text.location, text.path, error.description)
            return nil
        }
        let characters = authority?.bindingCharacters ?? .default
        let dropped = Set(parsed.literalText.filter {
            $0.utf8.count != 1 || !characters.allows($0.utf8.first!)
        })
        if !dropped.isEmpty {
            diagnostics.warning(text.location, text.path,
                                "the message leaves out '\(String(dropped.sorted()))': "
                                    + "approval.binding_characters does not allow it")
        }
        return parsed
    }

    private mutating func loginHint(_ wire: Located<String>?) -> LoginHint? {
        guard let wire else { return .issuerAndSubject }
        switch wire.value {
        case "iss_sub": return .issuerAndSubject
        case "sub": return .subject
        default: break
        }
        var pieces: [LoginHint.TemplatePiece] = []
        var rest = Substring(wire.value)
        var literal = ""
        while let open = rest.firstIndex(of: "{") {
            let after = rest[open...]
            if after.hasPrefix("{sub}") || after.hasPrefix("{iss}") {
                literal += rest[..<open]
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = ""
                pieces.append(after.hasPrefix("{sub}") ? .subject : .issuer)
                rest = after.dropFirst(5)
            } else {
                literal += rest[...open]
                rest = after.dropFirst()
            }
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        guard pieces.contains(.subject) else {
            diagnostics.error(wire.location, wire.path,
                              "expected iss_sub, sub, or a template with {sub} such as "
                                  + "'{\"username\":\"{sub}\"}'")
            return nil
        }
        return .template(pieces)
    }

    private mutating func bindingCharacters(_ wire: Located<String>?) -> BindingCharacters {
        guard let wire else { return .default }
        guard !wire.value.isEmpty, wire.value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            diagnostics.error(wire.location, wire.path,
                              "expected the allowed characters written out, printable ASCII "
                                  + "only")
            return .default
        }
        return BindingCharacters(wire.value)
    }

    /// The RFC 9396 type the held request is described with, or nil for `false`.
    private mutating func authorizationDetails(_ wire: Located<String>?) -> String? {
        guard let wire else { return "chaperone_request" }
        if wire.value == "false" { return nil }
        // A name or a URN such as Auth0's `urn:auth0:schemas:authorization-details:…`.
        let valid = !wire.value.isEmpty && wire.value.utf8.count <= 255
            && wire.value.utf8.allSatisfy {
                Self.isAlphanumeric($0) || "-_.:/".utf8.contains($0)
            }
        guard valid else {
            diagnostics.error(wire.location, wire.path,
                              "expected a type name or URN (letters, digits, '-', '_', '.', "
                                  + "':', '/') or false")
            return nil
        }
        return wire.value
    }

    private mutating func authorityURL(_ value: Located<String>) -> UpstreamURL? {
        guard let parsed = url(value) else { return nil }
        if parsed.scheme == "http", !parsed.isLoopback {
            diagnostics.warning(value.location, value.path,
                                "the client secret and the approval's token would cross the "
                                    + "network in clear text: use https")
        }
        return parsed
    }

    private mutating func required(_ value: Located<String>?, _ wire: WireApproval,
                                   _ key: String) -> Located<String>?
    {
        if value == nil { diagnostics.error(wire.location, wire.path + "." + key, "is required") }
        return value
    }
}
