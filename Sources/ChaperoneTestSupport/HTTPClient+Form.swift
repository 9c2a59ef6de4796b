import Foundation

extension HTTPClient {
    /// POSTs `fields` as `application/x-www-form-urlencoded`, in the order given.
    public static func postForm(_ url: String, _ fields: [(String, String)],
                                headers: [String] = [], timeout: Double = 20) throws -> HTTPResponse
    {
        try request(url, method: "POST",
                    headers: ["Content-Type: application/x-www-form-urlencoded"] + headers,
                    body: Array(formEncoded(fields).utf8), timeout: timeout)
    }

    /// Sends `object` as a JSON body.
    public static func sendJSON(_ url: String, method: String = "POST", _ object: Any,
                                headers: [String] = []) throws -> HTTPResponse
    {
        let body = try JSONSerialization.data(withJSONObject: object)
        return try request(url, method: method,
                           headers: ["Content-Type: application/json"] + headers,
                           body: Array(body))
    }

    /// `name=value&...` with every byte outside the unreserved set percent-encoded.
    public static func formEncoded(_ fields: [(String, String)]) -> String {
        fields.map { "\(formEscaped($0.0))=\(formEscaped($0.1))" }.joined(separator: "&")
    }

    public static func formEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    // Spelled out: CharacterSet.alphanumerics also holds non-ASCII letters.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

extension HTTPResponse {
    /// The `name=value` part of every `Set-Cookie` header, ready to send back in `Cookie`.
    public var cookies: [String] {
        headers.filter { $0.name.lowercased() == "set-cookie" }.compactMap { header in
            header.value.split(separator: ";").first
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }
}
