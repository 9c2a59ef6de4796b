import ChaperoneIdentity
import Dispatch
import Synchronization
import Testing

@Suite struct TokenVerifierTests {
    /// Every token minted by PyJWT gives exactly the outcome the fixture states.
    @Test(arguments: try MintedTokens.shared().cases)
    func mintedToken(_ minted: MintedCase) throws {
        let fixture = try MintedTokens.shared()
        let keys = try #require(fixture.keySets[minted.keySet])
        let result = TokenVerifier(rules: minted.rules)
            .verify(minted.token, keys: keys, now: fixture.now)

        switch result {
        case .success(let token):
            #expect(minted.expect == "ok", "\(minted.name) verified: \(minted.why)")
            if let check = minted.check { expect(token, matches: check, minted.name) }
            #expect(token.issuer == minted.rules.issuer)
        case .failure(let failure):
            #expect(failure.code == minted.expect,
                    "\(minted.name) failed as \(failure.code): \(minted.why)")
            #expect(failure.isUnknownKey == (minted.expect == "unknown-key"), "\(minted.name)")
        }
    }

    /// A failure's detail names the reason, never the token or what the attacker wrote in it.
    @Test func detailsNeverEchoTheToken() throws {
        let fixture = try MintedTokens.shared()
        var failures = 0
        for minted in fixture.cases where minted.expect != "ok" {
            let keys = try #require(fixture.keySets[minted.keySet])
            guard case .failure(let failure) = TokenVerifier(rules: minted.rules)
                .verify(minted.token, keys: keys, now: fixture.now)
            else { continue }
            failures += 1
            let detail = failure.detail
            #expect(!detail.contains("EVIL"), "\(minted.name): \(detail)")
            for part in minted.token.split(separator: ".") where part.count >= 8 {
                #expect(!detail.contains(part), "\(minted.name) repeats a part: \(detail)")
            }
            #expect(!detail.isEmpty && detail.count < 120, "\(minted.name): \(detail)")
        }
        #expect(failures >= 40)
    }

    /// `jku` and `x5u` point at a socket that is listening: verifying must never connect.
    @Test func keyURLsInTheHeaderAreNeverFetched() throws {
        let fixture = try MintedTokens.shared()
        let pointing = fixture.cases.filter { minted in
            guard let header = minted.token.split(separator: ".").first,
                  let bytes = referenceBase64URLDecode(String(header))
            else { return false }
            return String(decoding: bytes, as: UTF8.self).contains(fixture.trap.url)
        }
        #expect(pointing.count >= 3)
        let keys = try #require(fixture.keySets["main"])
        for minted in pointing {
            let verifier = TokenVerifier(rules: minted.rules)
            _ = verifier.verify(minted.token, keys: keys, now: fixture.now)
        }
        #expect(!fixture.trap.wasContacted)
    }

    /// One key set shared by several threads at once, as the proxy's event loops share it,
    /// gives every thread the same outcomes.
    @Test func verifiesConcurrentlyWithOneKeySet() throws {
        let fixture = try MintedTokens.shared()
        let keys = try #require(fixture.keySets["main"])
        let cases = fixture.cases.filter { $0.keySet == "main" && $0.token.utf8.count < 20_000 }
        let mismatches = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for minted in cases {
                let result = TokenVerifier(rules: minted.rules)
                    .verify(minted.token, keys: keys, now: fixture.now)
                let outcome = result.failure?.code ?? "ok"
                if outcome != minted.expect { mismatches.withLock { $0.append(minted.name) } }
            }
        }
        #expect(mismatches.withLock { $0 } == [])
    }

    @Test func sameTokenFromBytesAndFromString() throws {
        let fixture = try MintedTokens.shared()
        let minted = try #require(fixture.cases.first { $0.name == "valid-es256-ec-256" })
        let keys = try #require(fixture.keySets["main"])
        let verifier = TokenVerifier(rules: minted.rules)
        let fromBytes = try verifier.verify(Array(minted.token.utf8), keys: keys, now: fixture.now)
            .get()
        #expect(fromBytes.subject == "user-42")
        #expect(fromBytes.algorithm == .es256)
        #expect(throws: TokenFailure.expired(at: fixture.now + 600)) {
            try verifier.verify(minted.token, keys: keys, now: fixture.now + 630).get()
        }
    }

    @Test func refusesBeforeDecodingWhenTooLarge() throws {
        let fixture = try MintedTokens.shared()
        let minted = try #require(fixture.cases.first { $0.name == "valid-rs256-rsa-a" })
        var rules = minted.rules
        rules.maxTokenBytes = minted.token.utf8.count - 1
        let result = TokenVerifier(rules: rules)
            .verify(minted.token, keys: try #require(fixture.keySets["main"]), now: fixture.now)
        #expect(result.failure == .tooLarge)
    }

    private func expect(_ token: VerifiedToken, matches check: ExpectedClaims, _ name: String) {
        if let algorithm = check.algorithm {
            #expect(token.algorithm.rawValue == algorithm, "\(name)")
        }
        if let keyID = check.keyID { #expect(token.keyID == keyID, "\(name)") }
        if let subject = check.subject { #expect(token.subject == subject, "\(name)") }
        if let audiences = check.audiences { #expect(token.audiences == audiences, "\(name)") }
        if let scopes = check.scopes { #expect(token.scopes == scopes, "\(name)") }
        if let clientID = check.clientID { #expect(token.clientID == clientID, "\(name)") }
        if let expiresAt = check.expiresAt { #expect(token.expiresAt == expiresAt, "\(name)") }
        if let actors = check.actors { #expect(token.actors == actors, "\(name)") }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}
