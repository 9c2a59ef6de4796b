import ChaperoneTestSupport
import Testing

/// The refresh_token grant with one-use refresh tokens: each refresh rotates the token, and
/// presenting a used one again is refused and disables the chain.
@Suite(.timeLimit(.minutes(2))) struct RefreshTests {
    @Test(arguments: ["chaperone", "chaperone-post"])
    func aRefreshRotatesTheRefreshToken(clientID: String) throws {
        let glewlwyd = try Glewlwyd()
        let alice = glewlwyd.user("alice"), client = glewlwyd.client(clientID)
        let grant = try glewlwyd.firstGrant(for: alice, client: client)
        #expect(grant.scope == "openid read write")

        let next = try glewlwyd.oidc.refresh(client: client, refreshToken: grant.refreshToken)
            .grant()
        #expect(next.refreshToken != grant.refreshToken)
        #expect(next.accessToken != grant.accessToken)
        #expect(try UnverifiedJWT(next.accessToken).claim("sub") == alice.sub)
        let third = try glewlwyd.oidc.refresh(client: client, refreshToken: next.refreshToken)
            .grant()
        #expect(third.refreshToken != next.refreshToken)
    }

    @Test func aReplayedRefreshTokenGetsAnEmpty400AndEndsTheChain() throws {
        let glewlwyd = try Glewlwyd()
        let client = glewlwyd.client("chaperone")
        let grant = try glewlwyd.firstGrant(for: glewlwyd.user("bob"), client: client)
        let next = try glewlwyd.oidc.refresh(client: client, refreshToken: grant.refreshToken)
            .grant()

        let replay = try glewlwyd.oidc.refresh(client: client, refreshToken: grant.refreshToken)
        #expect(replay.status == 400)
        #expect(replay.body.isEmpty)
        let afterReplay = try glewlwyd.oidc.refresh(client: client, refreshToken: next.refreshToken)
        #expect(afterReplay.status == 400)
        #expect(afterReplay.accessToken == nil)
    }

    /// Narrowing a refresh cannot be observed at this authority.
    @Test func aRefreshIgnoresANarrowerScope() throws {
        let glewlwyd = try Glewlwyd()
        let client = glewlwyd.client("chaperone")
        let grant = try glewlwyd.firstGrant(for: glewlwyd.user("carol"), client: client)
        let next = try glewlwyd.oidc.refresh(client: client, refreshToken: grant.refreshToken,
                                             scope: "openid read").grant()
        #expect(next.scope == "openid read write")
    }
}
