/// Letters and digits only, so a secret reads the same in a URL, a form and a Basic header.
func randomSecret(length: Int = 32) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    return String((0..<length).map { _ in alphabet.randomElement()! })
}
