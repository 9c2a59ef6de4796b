import ChaperoneTestSupport
import Foundation
import Testing

@testable import ChaperoneAudit

@Suite struct CanonicalEncodingTests {
    @Test func aRecordHasOneFixedText() {
        let record = AuditRecord(sequence: 1, content: sampleDraft(1))
        #expect(record.canonicalText == #"""
            {"v":1,"seq":1,"time":1796292000001,"request_id":"req-1","user":"alice",\#
            "actors":[{"sub":"agt_knox","profile":"ai_agent"}],"route":"list-issues",\#
            "method":"GET","path":"/github/repos/o/r/issues?state=&page=",\#
            "decision":"forwarded","reason":"ok","approval":null,"connection":"github",\#
            "credential":null,"status":200,"upstream_status":200,"duration_us":1001,\#
            "upstream_us":800,"approval_us":null}
            """#)
    }

    @Test func absentValuesAreNullAndEveryMemberIsPresent() {
        let draft = AuditRecordDraft(
            time: 5, requestID: "r", user: nil, actors: [], route: nil, method: "POST",
            path: "/nowhere", decision: .denied, reason: "no-route", status: 404,
            durationMicroseconds: 12)
        #expect(AuditRecord(sequence: 9, content: draft).canonicalText == #"""
            {"v":1,"seq":9,"time":5,"request_id":"r","user":null,"actors":[],"route":null,\#
            "method":"POST","path":"/nowhere","decision":"denied","reason":"no-route",\#
            "approval":null,"connection":null,"credential":null,"status":404,\#
            "upstream_status":null,"duration_us":12,"upstream_us":null,"approval_us":null}
            """#)
    }

    @Test func approvalsAndSeveralActorsAreWrittenInOrder() {
        var draft = sampleDraft(2, actors: [AuditActor(subject: "agt_a", profile: "ai_agent"),
                                            AuditActor(subject: "svc_b")])
        draft.approval = AuditApproval(id: "ciba-17", outcome: .approved)
        draft.approvalMicroseconds = 4_000_000
        let text = AuditRecord(sequence: 2, content: draft).canonicalText
        #expect(text.contains(#""actors":[{"sub":"agt_a","profile":"ai_agent"},"#
            + #"{"sub":"svc_b","profile":null}]"#))
        #expect(text.contains(#""approval":{"id":"ciba-17","outcome":"approved"}"#))
        #expect(text.hasSuffix(#""approval_us":4000000}"#))
    }

    @Test func stringsAreEscapedAsJCSDoes() {
        let draft = AuditRecordDraft(
            time: 1, requestID: "q\"b\\s/\u{08}\u{0C}\n\r\t\u{01}\u{1F}\u{7F}é😀", user: nil,
            actors: [], route: nil, method: "GET", path: "/", decision: .error,
            reason: "upstream-failed", status: 502, durationMicroseconds: 1)
        let text = AuditRecord(sequence: 1, content: draft).canonicalText
        #expect(text.contains(#""request_id":"q\"b\\s/\b\f\n\r\t\u0001\u001f"#
            + "\u{7F}é😀\""))
    }

    @Test(arguments: [
        sampleDraft(3),
        sampleDraft(4, user: nil, route: nil, actors: [],
                    credential: CredentialFingerprint(credential: "tok")),
        AuditRecordDraft(time: -1, requestID: "\u{00}\"\n", user: "ü", actors: [], route: nil,
                         method: "DELETE", path: "/a?x", decision: .error, reason: "r",
                         approval: AuditApproval(id: "a", outcome: .failed), status: 503,
                         durationMicroseconds: UInt64(Int64.max)),
    ])
    func theTextReadsBackAsTheSameRecord(_ draft: AuditRecordDraft) throws {
        let record = AuditRecord(sequence: 42, content: draft)
        #expect(try AuditRecord(canonicalText: record.canonicalText) == record)
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        (#"[1]"#, "not a JSON object"),
        (#"{"v":1}"#, "has 1 members"),
    ])
    func whatIsNotARecordIsRefused(_ text: String, _ reason: String) {
        #expect(throws: AuditFailure.self) { try AuditRecord(canonicalText: text) }
        do {
            _ = try AuditRecord(canonicalText: text)
        } catch {
            #expect(error.description.contains(reason))
        }
    }

    @Test func aRecordSpeltOtherwiseIsNotCanonical() throws {
        let text = AuditRecord(sequence: 1, content: sampleDraft(1)).canonicalText
        let variants = [
            text.replacing(#""seq":1,"time""#, with: #""seq": 1,"time""#),
            text.replacing(#"{"v":1,"seq":1,"#, with: #"{"seq":1,"v":1,"#),
            text.replacing("alice", with: #"\u0061lice"#),
        ]
        for variant in variants {
            #expect(throws: AuditFailure.malformed(
                "the text is not in canonical form (member order, spacing or escapes differ "
                    + "from what the log writes)")) { try AuditRecord(canonicalText: variant) }
        }
        let wrongTypes = [
            text.replacing(#""status":200"#, with: #""status":"200""#),
            text.replacing(#""v":1"#, with: #""v":2"#),
            text.replacing(#""decision":"forwarded""#, with: #""decision":"maybe""#),
            text.replacing(#""approval":null"#, with: #""approval":{"id":"x"}"#),
            text.replacing(#""seq":1"#, with: #""seq":0"#),
            text.replacing(#""approval_us":null}"#, with: #""approval_us":null,"x":1}"#),
        ]
        for variant in wrongTypes {
            #expect(throws: AuditFailure.self) { try AuditRecord(canonicalText: variant) }
        }
    }
}

@Suite struct QueryValueRedactionTests {
    @Test(arguments: [
        ("/a", "/a"),
        ("/a?", "/a?"),
        ("/a?x=1&y=two", "/a?x=&y="),
        ("/a?x=&y=", "/a?x=&y="),
        ("/a?flag&token=s3cr3t", "/a?flag&token="),
        ("/a?x=1=2&&y", "/a?x=&&y"),
        ("/a?q=caf%C3%A9&n=é", "/a?q=&n="),
        ("/a/b%20c?k=v?w", "/a/b%20c?k="),
        ("/search?q=a+b&api_key=XYZ#frag", "/search?q=&api_key="),
    ])
    func valuesGoNamesStay(_ target: String, _ logged: String) {
        #expect(AuditPath.redactingQueryValues(target) == logged)
        #expect(AuditPath.redactingQueryValues(logged) == logged)
    }

    @Test func aDraftRemovesValuesWhateverItIsGiven() {
        let draft = AuditRecordDraft(
            time: 0, requestID: "r", user: nil, actors: [], route: nil, method: "GET",
            path: "/x?access_token=eyJhbGciOi.secret", decision: .denied,
            reason: "invalid-token", status: 401, durationMicroseconds: 0)
        #expect(draft.path == "/x?access_token=")
    }
}

@Suite struct FingerprintTests {
    /// Python's hashlib computes the same fingerprint, from the documented definition.
    @Test func theFingerprintIsTheDocumentedHash() throws {
        let directory = try TemporaryDirectory()
        let credential = "gho_16C7e42F292c6912E7710c838347Ae178B4a"
        let script = """
            import hashlib, sys
            data = b"chaperone audit credential v1\\x00" + sys.argv[1].encode()
            print(hashlib.sha256(data).hexdigest()[:32])
            """
        let expected = try TestProcess.run("/usr/bin/python3", ["-c", script, credential],
                                           directory: directory, name: "python")
        let fingerprint = CredentialFingerprint(credential: credential)
        #expect(fingerprint.hex == expected.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(fingerprint.hex.count == 32)
        #expect(!fingerprint.hex.contains(credential.prefix(8).lowercased()))
        #expect(CredentialFingerprint(credential: credential + "x") != fingerprint)
        #expect(CredentialFingerprint(hex: fingerprint.hex) == fingerprint)
        #expect(CredentialFingerprint(hex: "XYZ") == nil)
    }
}
