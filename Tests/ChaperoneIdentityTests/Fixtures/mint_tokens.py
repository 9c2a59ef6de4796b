#!/usr/bin/python3
"""Mints the tokens that the ChaperoneIdentity tests verify, with PyJWT and cryptography.

Keys are fresh on every run. Prints one JSON document on stdout:
{"now", "key_sets": {name: JWKS text}, "rules", "cases": [{name, token, expect, why, ...}]}.
`expect` is "ok" or the failure code the verifier must report. A case may add "rules"
(overrides of the base rules), "key_set" (a key set other than "main") and, for "ok",
"check" (claims the verified token must carry).

Values an attacker chooses carry the marker EVIL so the tests can prove that no failure
detail repeats them.

Usage: mint_tokens.py TRAP_URL   (a URL nothing may ever fetch; used for jku and x5u)
"""

import datetime
import hashlib
import hmac
import json
import sys

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm, get_default_algorithms
from jwt.utils import base64url_decode, base64url_encode

TRAP_URL = sys.argv[1]
NOW = 1_780_000_000
ISSUER = "https://issuer.example/"
AUDIENCE = "https://chaperone.local"
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
ALGORITHMS = get_default_algorithms()


def rsa_key(bits):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


rsa_a = rsa_key(2048)
rsa_b = rsa_key(3072)
rsa_small = rsa_key(1024)
rsa_foreign = rsa_key(2048)
ec256 = ec.generate_private_key(ec.SECP256R1())
ec384 = ec.generate_private_key(ec.SECP384R1())
ec521 = ec.generate_private_key(ec.SECP521R1())
ec_foreign = ec.generate_private_key(ec.SECP256R1())
ed = ed25519.Ed25519PrivateKey.generate()
ed_foreign = ed25519.Ed25519PrivateKey.generate()


def text(data):
    return data.decode() if isinstance(data, bytes) else data


def jwk(algorithm_class, key, private=False, **members):
    """A JWK exported by PyJWT, with extra members."""
    exported = algorithm_class.to_jwk(key if private else key.public_key())
    result = json.loads(exported)
    if result.get("kty") == "EC":
        # PyJWT before 2.8 drops leading zero bytes of the coordinates, which RFC 7518
        # §6.2.1.2 forbids: about one key in 128 came out a byte short and was refused.
        length = (key.curve.key_size + 7) // 8
        for member in ("x", "y", "d"):
            if member in result:
                value = base64url_decode(result[member])
                result[member] = text(base64url_encode(value.rjust(length, b"\0")))
    result.update(members)
    return result


def off_curve(key, kid):
    """A P-256 JWK whose y is changed by one bit, so the point leaves the curve."""
    result = jwk(ECAlgorithm, key, kid=kid)
    y = bytearray(base64url_decode(result["y"]))
    y[-1] ^= 1
    result["y"] = text(base64url_encode(bytes(y)))
    return result


def exponent_one(key, kid):
    result = jwk(RSAAlgorithm, key, kid=kid)
    result["e"] = text(base64url_encode(b"\x01"))
    return result


main_keys = [
    jwk(RSAAlgorithm, rsa_a, kid="rsa-a", use="sig"),
    jwk(RSAAlgorithm, rsa_b, kid="rsa-b", alg="PS256"),
    jwk(ECAlgorithm, ec256, kid="ec-256", alg="ES256"),
    jwk(ECAlgorithm, ec384, kid="ec-384", key_ops=["verify"]),
    jwk(OKPAlgorithm, ed, kid="ed-1"),
    # Each of these must be skipped, never used.
    jwk(RSAAlgorithm, rsa_small, kid="rsa-small"),
    jwk(RSAAlgorithm, rsa_a, kid="rsa-enc", use="enc"),
    {"kty": "oct", "kid": "hmac-1", "k": text(base64url_encode(b"shared-secret-0123456789"))},
    jwk(ECAlgorithm, ec256, private=True, kid="ec-private"),
    off_curve(ec256, "ec-off-curve"),
    jwk(ECAlgorithm, ec521, kid="ec-521"),
    jwk(OKPAlgorithm, ed448.Ed448PrivateKey.generate(), kid="ed-448"),
    exponent_one(rsa_a, "rsa-e1"),
    jwk(ECAlgorithm, ec256, kid="ec-256-as-rsa", alg="RS256"),
]
KEY_SETS = {
    "main": {"keys": main_keys},
    "rsa-only": {"keys": [jwk(RSAAlgorithm, rsa_a, kid="rsa-a")]},
    "duplicate-kid": {"keys": [jwk(RSAAlgorithm, rsa_a, kid="rsa-a"),
                               jwk(RSAAlgorithm, rsa_foreign, kid="rsa-a")]},
}

BASE_RULES = {
    "issuer": ISSUER,
    "audience": AUDIENCE,
    "algorithms": ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"],
    "leeway": 30,
    "required_type": None,
    "actor_required": False,
    "max_actor_depth": 3,
    "max_token_bytes": 16384,
}
NARROW = {"algorithms": ["RS256", "ES256", "EdDSA"]}
AT_JWT = {"required_type": "at+jwt"}

DROP = object()


def claims(**changes):
    result = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-42", "exp": NOW + 600,
              "iat": NOW - 10, "nbf": NOW - 10, "scope": "repo read:user"}
    for name, value in changes.items():
        name = name.rstrip("_")
        if value is DROP:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def mint(algorithm="RS256", key=rsa_a, kid="rsa-a", payload=None, **headers):
    """A token signed by PyJWT; typ defaults to at+jwt, typ=None leaves it out."""
    header = {"typ": "at+jwt"}
    if kid is not None:
        header["kid"] = kid
    header.update(headers)
    return jwt.encode(claims() if payload is None else payload, key, algorithm=algorithm,
                      headers=header)


def b64(data):
    return text(base64url_encode(data if isinstance(data, bytes) else data.encode()))


def sign_segments(header_segment, payload_segment, algorithm="RS256", key=rsa_a):
    """Signs the given segments exactly as they are, whatever they contain."""
    implementation = ALGORITHMS[algorithm]
    signing_input = f"{header_segment}.{payload_segment}".encode()
    signature = implementation.sign(signing_input, implementation.prepare_key(key))
    return f"{header_segment}.{payload_segment}.{b64(signature)}"


def sign_raw(header_bytes, payload_bytes, algorithm="RS256", key=rsa_a):
    return sign_segments(b64(header_bytes), b64(payload_bytes), algorithm, key)


def json_bytes(value):
    return json.dumps(value, separators=(",", ":")).encode()


RS256_HEADER = {"alg": "RS256", "kid": "rsa-a", "typ": "at+jwt"}


def with_signature(token, signature):
    return token.rsplit(".", 1)[0] + "." + b64(signature)


def signing_input(token):
    return token.rsplit(".", 1)[0].encode()


def hmac_token(secret, kid="rsa-a"):
    header = b64(json_bytes({"alg": "HS256", "kid": kid, "typ": "at+jwt"}))
    payload = b64(json_bytes(claims()))
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def es256_with(r, s):
    token = mint("ES256", ec256, "ec-256")
    return with_signature(token, r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def es256_parts(token):
    signature = base64url_decode(token.rsplit(".", 1)[1])
    return int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")


def segment_with(character, build):
    """A payload segment containing `character`, by varying a filler claim's length."""
    for length in range(64):
        segment = b64(json_bytes(build("?" * length + ">" * length)))
        if character in segment:
            return segment
    raise AssertionError("no filler produced " + character)


def aligned_payload(remainder):
    """Payload bytes whose base64url length leaves `remainder` characters over a multiple of 4."""
    for length in range(3):
        data = json_bytes(claims(pad="x" * length))
        if len(b64(data)) % 4 == remainder:
            return data
    raise AssertionError("no alignment")


def noncanonical(segment):
    """The same segment with a non-zero bit among the unused bits of its last character."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert len(segment) % 4 in (2, 3)
    last = alphabet.index(segment[-1])
    return segment[:-1] + alphabet[last | 1]


def self_signed_certificate(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EVIL")])
    start = datetime.datetime(2026, 1, 1)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(1)
                   .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=365))
                   .sign(key, hashes.SHA256()))
    return base64url_encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def pss_signature(token, salt_length, mgf_hash=hashes.SHA256()):
    return rsa_a.sign(signing_input(token), padding.PSS(mgf=padding.MGF1(mgf_hash),
                      salt_length=salt_length), hashes.SHA256())


def nested_actors(depth):
    actor = None
    for level in range(depth, 0, -1):
        actor = {"sub": f"agent-{level}", "sub_profile": "ai_agent"} | (
            {"act": actor} if actor else {})
    return actor


cases = []


def case(name, token, expect, why, **extra):
    cases.append({"name": name, "token": token, "expect": expect, "why": why} | extra)


# Tokens that must verify.
for algorithm, key, kid in [("RS256", rsa_a, "rsa-a"), ("RS384", rsa_a, "rsa-a"),
                            ("RS512", rsa_a, "rsa-a"), ("PS256", rsa_a, "rsa-a"),
                            ("PS256", rsa_b, "rsa-b"), ("ES256", ec256, "ec-256"),
                            ("ES384", ec384, "ec-384"), ("EdDSA", ed, "ed-1")]:
    case(f"valid-{algorithm.lower()}-{kid}", mint(algorithm, key, kid), "ok",
         f"{algorithm} from PyJWT with the published key {kid}",
         check={"alg": algorithm, "kid": kid, "subject": "user-42", "audiences": [AUDIENCE],
                "scopes": ["read:user", "repo"], "expires_at": NOW + 600, "actors": []})
case("valid-aud-array", mint(payload=claims(aud=["https://other.example", AUDIENCE])), "ok",
     "aud may be an array that contains the audience",
     check={"audiences": ["https://other.example", AUDIENCE]})
case("valid-scp-array", mint(payload=claims(scope=DROP, scp=["repo", "gist"])), "ok",
     "scp as an array of strings", check={"scopes": ["gist", "repo"]})
case("valid-scp-string", mint(payload=claims(scope=DROP, scp="repo  gist")), "ok",
     "scp as a space-separated string, as some issuers send it", check={"scopes": ["gist", "repo"]})
case("valid-scope-and-scp", mint(payload=claims(scope="repo", scp=["gist"])), "ok",
     "scope and scp together give their union", check={"scopes": ["gist", "repo"]})
case("valid-no-scope", mint(payload=claims(scope=DROP)), "ok", "scopes are optional",
     check={"scopes": []})
case("valid-client-id", mint(payload=claims(client_id="agent-app", azp="other")), "ok",
     "client_id wins over azp", check={"client_id": "agent-app"})
case("valid-azp", mint(payload=claims(azp="agent-app")), "ok",
     "azp stands in for a missing client_id", check={"client_id": "agent-app"})
case("valid-act-depth-2", mint(payload=claims(act={
        "sub": "agt_knox", "sub_profile": "ai_agent",
        "act": {"sub": "svc-orchestrator", "sub_profile": "service"}})), "ok",
     "the outermost act is the current actor",
     check={"actors": [["agt_knox", "ai_agent"], ["svc-orchestrator", "service"]]})
case("valid-act-profile-list",
     mint(payload=claims(act={"sub": "a", "sub_profile": "ai_agent service"})), "ok",
     "a space-separated sub_profile is kept as sent",
     check={"actors": [["a", "ai_agent service"]]})
case("valid-act-without-profile", mint(payload=claims(act={"sub": "a", "iss": "x"})), "ok",
     "sub_profile is optional", check={"actors": [["a", None]]})
case("valid-act-at-max-depth", mint(payload=claims(act=nested_actors(3))), "ok",
     "a chain exactly as deep as max_actor_depth (3)",
     check={"actors": [[f"agent-{n}", "ai_agent"] for n in (1, 2, 3)]})
case("valid-actor-required", mint(payload=claims(act={"sub": "a"})), "ok",
     "actor_required is met by an act claim", rules={"actor_required": True})
for typ in ["application/at+jwt", "at+jwt", "AT+JWT", "Application/At+Jwt"]:
    case(f"valid-typ-{typ.replace('/', '-')}", mint(typ=typ), "ok",
         "typ matches at+jwt ignoring case and an application/ prefix", rules=AT_JWT)
case("valid-typ-not-required", mint(typ="JWT"), "ok", "typ is ignored unless required")
case("valid-expired-within-leeway", mint(payload=claims(exp=NOW - 29)), "ok",
     "exp 29 s ago is within the 30 s leeway")
case("valid-nbf-within-leeway", mint(payload=claims(nbf=NOW + 30)), "ok",
     "nbf 30 s ahead is within the leeway")
case("valid-iat-within-leeway", mint(payload=claims(iat=NOW + 30)), "ok",
     "iat 30 s ahead is within the leeway")
case("valid-no-nbf-no-iat", mint(payload=claims(nbf=DROP, iat=DROP)), "ok",
     "nbf and iat are optional")
case("valid-fractional-exp", mint(payload=claims(exp=NOW + 100.75)), "ok",
     "a fractional exp is rounded down", check={"expires_at": NOW + 100})
case("valid-no-kid-single-key", mint("EdDSA", ed, None), "ok",
     "without kid, the one Ed25519 key in the set is used", check={"kid": "ed-1"})
case("valid-no-kid-rs256", mint(kid=None), "ok",
     "without kid: rsa-a is the only key for RS256 (rsa-b is PS256 only)", check={"kid": "rsa-a"})
case("valid-ignored-key-urls", mint(jku=TRAP_URL + "/jwks", x5u=TRAP_URL + "/cert"), "ok",
     "jku and x5u are ignored, the published key verifies")
case("valid-extra-header-members", mint(cty="at+jwt", x_custom={"a": [1, 2]}), "ok",
     "unknown header members are ignored")

# Algorithm confusion and unsigned tokens.
case("alg-none-unsigned", jwt.encode(claims(), None, algorithm="none"), "unsupported-algorithm",
     "alg none is never accepted")
case("alg-none-with-signature", with_signature(jwt.encode(claims(), None, algorithm="none"),
     base64url_decode(mint().split(".")[2])), "unsupported-algorithm",
     "alg none with a signature attached")
for spelling in ["None", "NONE", "nOnE"]:
    header = b64(json_bytes({"alg": spelling, "typ": "at+jwt"}))
    case(f"alg-{spelling}", f"{header}.{b64(json_bytes(claims()))}.", "unsupported-algorithm",
         "alg names are case-sensitive: no spelling of none passes")
public_pem = rsa_a.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
case("hs256-rsa-public-pem", hmac_token(public_pem), "unsupported-algorithm",
     "HMAC keyed with the RSA public key PEM: the classic key confusion")
case("hs256-jwk-modulus", hmac_token(base64url_decode(main_keys[0]["n"])), "unsupported-algorithm",
     "HMAC keyed with the JWK's n bytes")
case("hs256-published-oct-key", hmac_token(b"shared-secret-0123456789", "hmac-1"),
     "unsupported-algorithm", "HMAC with the oct key from the JWKS")
case("alg-missing", sign_raw(json_bytes({"kid": "rsa-a"}), json_bytes(claims())),
     "unsupported-algorithm", "a header without alg")
case("alg-not-a-string", sign_raw(json_bytes({"alg": 256, "kid": "rsa-a"}), json_bytes(claims())),
     "unsupported-algorithm", "alg must be a string")
case("alg-lowercase", sign_raw(json_bytes({"alg": "rs256", "kid": "rsa-a"}), json_bytes(claims())),
     "unsupported-algorithm", "rs256 is not RS256")
case("alg-trailing-space", sign_raw(json_bytes({"alg": "RS256 ", "kid": "rsa-a"}),
                                    json_bytes(claims())),
     "unsupported-algorithm", "alg is compared exactly")
case("alg-es512", mint("ES512", ec521, "ec-521"), "unsupported-algorithm",
     "ES512 is not supported")
case("alg-ps256-not-allowed", mint("PS256"), "algorithm-not-allowed",
     "PS256 is outside the narrow allow-list", rules=NARROW)
case("alg-rs512-not-allowed", mint("RS512"), "algorithm-not-allowed",
     "RS512 is outside the narrow allow-list", rules=NARROW)
case("alg-es384-not-allowed", mint("ES384", ec384, "ec-384"), "algorithm-not-allowed",
     "ES384 is outside the narrow allow-list", rules=NARROW)

# The key must fit the algorithm.
case("rs256-with-ec-key-id", mint(kid="ec-256"), "key-mismatch",
     "an RSA algorithm naming an EC key")
case("es256-with-p384-key-id", mint("ES256", ec256, "ec-384"), "key-mismatch",
     "ES256 needs a P-256 key")
case("es384-with-p256-key-id", mint("ES384", ec384, "ec-256"), "key-mismatch",
     "ES384 needs a P-384 key")
case("rs256-with-ps256-only-key", mint(kid="rsa-b"), "key-mismatch",
     "rsa-b's JWK says alg PS256")
case("eddsa-with-rsa-key-id", mint("EdDSA", ed, "rsa-a"), "key-mismatch",
     "EdDSA needs an Ed25519 key")
case("es256-with-ed25519-key-id", mint("ES256", ec256, "ed-1"), "key-mismatch",
     "ES256 with an OKP key")
case("ps256-without-kid", mint("PS256", kid=None), "ambiguous-key",
     "without kid, two keys could verify PS256")
case("eddsa-without-kid-no-key", mint("EdDSA", ed, None), "no-matching-key",
     "without kid and no Ed25519 key in the set", key_set="rsa-only")
case("duplicate-kid-in-set", mint(), "ambiguous-key",
     "the set holds two RS256 keys named rsa-a", key_set="duplicate-kid")

# Keys the set does not hold, or holds but must not use.
case("kid-unknown", mint(kid="EVIL-kid"), "unknown-key", "no key has this kid")
case("kid-not-a-string", sign_raw(json_bytes({"alg": "RS256", "kid": 7}), json_bytes(claims())),
     "invalid-key-id", "kid must be a string")
case("kid-of-1024-bit-key", mint(key=rsa_small, kid="rsa-small"), "unknown-key",
     "the 1024-bit key was skipped when the set was read")
case("kid-of-encryption-key", mint(kid="rsa-enc"), "unknown-key",
     "a use=enc key is skipped")
case("kid-of-hmac-key", mint(kid="hmac-1"), "unknown-key", "oct keys are skipped")
case("kid-of-private-key", mint("ES256", ec256, "ec-private"), "unknown-key",
     "a JWK with private material is skipped")
case("kid-of-off-curve-key", mint("ES256", ec256, "ec-off-curve"), "unknown-key",
     "a point off the curve is skipped")
case("kid-of-exponent-one-key", mint(kid="rsa-e1"), "unknown-key",
     "an RSA key with e = 1 is skipped")
case("kid-of-key-with-unfit-alg", mint("ES256", ec256, "ec-256-as-rsa"), "unknown-key",
     "an EC JWK claiming alg RS256 is skipped")
case("eddsa-kid-missing-from-set", mint("EdDSA", ed, "ed-1"), "unknown-key",
     "ed-1 is not in this set", key_set="rsa-only")

# Keys the token brings or points to must never be used.
attacker_jwk = jwk(RSAAlgorithm, rsa_foreign)
case("jku-attacker-unknown-kid", mint(key=rsa_foreign, kid="EVIL-1", jku=TRAP_URL + "/jwks"),
     "unknown-key", "jku is never fetched: the kid stays unknown")
case("x5u-attacker-unknown-kid", mint(key=rsa_foreign, kid="EVIL-2", x5u=TRAP_URL + "/cert"),
     "unknown-key", "x5u is never fetched")
case("jku-attacker-known-kid", mint(key=rsa_foreign, jku=TRAP_URL + "/jwks"),
     "signature-mismatch", "jku ignored: the published rsa-a is used and fails")
case("jwk-embedded-no-kid", mint(key=rsa_foreign, kid=None, jwk=attacker_jwk),
     "signature-mismatch", "the embedded jwk is ignored; rsa-a is the only RS256 key")
case("jwk-embedded-own-kid",
     mint(key=rsa_foreign, kid="EVIL-3", jwk=attacker_jwk | {"kid": "EVIL-3"}),
     "unknown-key", "the embedded jwk's kid is not in the set")
case("x5c-attacker-certificate", mint(key=rsa_foreign, x5c=[self_signed_certificate(rsa_foreign)]),
     "signature-mismatch", "x5c is ignored")

# Signatures.
case("rs256-foreign-key-same-kid", mint(key=rsa_foreign), "signature-mismatch",
     "signed by another RSA key under the published kid")
case("es256-foreign-key-same-kid", mint("ES256", ec_foreign, "ec-256"), "signature-mismatch",
     "signed by another P-256 key")
case("eddsa-foreign-key-same-kid", mint("EdDSA", ed_foreign, "ed-1"), "signature-mismatch",
     "signed by another Ed25519 key")
good = mint()
header_segment, payload_segment, signature_segment = good.split(".")
case("tampered-payload", f"{header_segment}.{b64(json_bytes(claims(sub='EVIL-admin')))}."
     f"{signature_segment}", "signature-mismatch", "sub changed after signing")
tampered_header = b64(json_bytes(RS256_HEADER | {"x": "EVIL"}))
case("tampered-header", f"{tampered_header}.{payload_segment}.{signature_segment}",
     "signature-mismatch", "a header member added after signing")
other_signature = mint(payload=claims(sub="x")).split(".")[2]
case("signature-swapped", f"{header_segment}.{payload_segment}.{other_signature}",
     "signature-mismatch", "a signature from another token")
case("rs256-signature-truncated", with_signature(good, base64url_decode(signature_segment)[:-1]),
     "malformed-signature", "one byte short of the modulus length")
case("rs256-signature-extended", with_signature(good, base64url_decode(signature_segment) + b"\0"),
     "malformed-signature", "one byte longer than the modulus")
case("empty-signature", good.rsplit(".", 1)[0] + ".", "malformed-signature",
     "an empty signature part")
ps = mint("PS256")
case("ps256-salt-length-zero", with_signature(ps, pss_signature(ps, 0)), "signature-mismatch",
     "PS256 requires a 32-byte salt")
case("ps256-salt-length-max", with_signature(ps, pss_signature(ps, padding.PSS.MAX_LENGTH)),
     "signature-mismatch", "PS256 requires exactly a 32-byte salt")
case("ps256-mgf1-sha1", with_signature(ps, pss_signature(ps, 32, hashes.SHA1())),
     "signature-mismatch", "PS256 requires MGF1 with SHA-256")
case("rs256-signature-on-ps256-token", with_signature(ps, rsa_a.sign(
        signing_input(ps), padding.PKCS1v15(), hashes.SHA256())), "signature-mismatch",
     "a PKCS#1 v1.5 signature where PSS is declared")
es = mint("ES256", ec256, "ec-256")
r, s = es256_parts(es)
case("es256-all-zero", with_signature(es, bytes(64)), "malformed-signature",
     "r = s = 0 must never verify")
case("es256-r-zero", es256_with(0, s), "malformed-signature", "r = 0 is out of range")
case("es256-s-zero", es256_with(r, 0), "malformed-signature", "s = 0 is out of range")
case("es256-s-equals-order", es256_with(r, P256_ORDER), "malformed-signature",
     "s = n is out of range")
case("es256-r-equals-order", es256_with(P256_ORDER, s), "malformed-signature",
     "r = n is out of range")
case("es256-r-all-ones", es256_with(2**256 - 1, s), "malformed-signature", "r = 2^256 - 1 > n")
case("es256-r-order-minus-one", es256_with(P256_ORDER - 1, s), "signature-mismatch",
     "r = n - 1 is in range but not the signature")
case("es256-der-signature", with_signature(es, ec256.sign(signing_input(es),
                                                           ec.ECDSA(hashes.SHA256()))),
     "malformed-signature", "a DER signature instead of r || s")
es384 = mint("ES384", ec384, "ec-384")
case("es384-signature-64-bytes", with_signature(es384, base64url_decode(es384.split(".")[2])[:64]),
     "malformed-signature", "ES384 needs 96 bytes")
eddsa = mint("EdDSA", ed, "ed-1")
case("eddsa-signature-63-bytes", with_signature(eddsa, base64url_decode(eddsa.split(".")[2])[:63]),
     "malformed-signature", "Ed25519 signatures are 64 bytes")

# Structure and encoding.
case("token-1-megabyte", mint(payload=claims(pad="A" * 1_000_000)), "too-large",
     "refused on length before decoding")


def token_near_limit(over):
    """An RS256 token within a few bytes of 16384: just over it when `over`, else at most it."""
    for length in range(11000, 13000):
        token = mint(payload=claims(pad="A" * length))
        if (16384 < len(token) <= 16390) if over else (16380 <= len(token) <= 16384):
            return token
    raise AssertionError("no length fits")


case("token-just-over-limit", token_near_limit(True), "too-large", "a few bytes over 16 KiB")
case("valid-token-at-limit", token_near_limit(False), "ok", "16 KiB or a few bytes under")
case("four-parts", good + ".e30", "not-compact", "four parts")
case("two-parts", good.rsplit(".", 1)[0], "not-compact", "two parts")
case("one-part", header_segment, "not-compact", "no dots")
case("empty-token", "", "not-compact", "nothing at all")
case("six-parts", good + ".a.b.c", "not-compact", "six parts")
jwe_header = b64(json_bytes({"alg": "RSA-OAEP", "enc": "A256GCM", "kid": "rsa-a"}))
case("jwe-five-parts", f"{jwe_header}.{b64(bytes(256))}.{b64(bytes(12))}.{b64(b'EVIL')}."
     f"{b64(bytes(16))}", "encrypted", "JWE compact serialization")
case("three-empty-parts", "..", "invalid-json:header", "an empty header is not JSON")
case("padding-in-header",
     sign_segments(b64(json_bytes(RS256_HEADER) + b" ") + "=", payload_segment),
     "invalid-encoding:header", "= padding is not base64url")
case("padding-in-signature", good + "==", "invalid-encoding:signature", "padded signature")
spaced = b64(json_bytes(claims()))
case("space-in-payload", sign_segments(header_segment, spaced[:10] + " " + spaced[10:]),
     "invalid-encoding:payload", "whitespace inside a part, signed as sent")
case("newline-after-token", good + "\n", "invalid-encoding:signature", "a trailing newline")
case("space-before-token", " " + good, "invalid-encoding:header", "a leading space")
case("plus-in-payload", sign_segments(header_segment,
                                      segment_with("-", lambda f: claims(f=f)).replace("-", "+")),
     "invalid-encoding:payload", "standard base64 '+' instead of '-'")
case("slash-in-payload", sign_segments(header_segment,
                                       segment_with("_", lambda f: claims(f=f)).replace("_", "/")),
     "invalid-encoding:payload", "standard base64 '/' instead of '_'")
odd_header = json_bytes(RS256_HEADER)
while len(b64(odd_header)) % 4 == 0:
    odd_header += b" "
case("noncanonical-header-bits", sign_segments(noncanonical(b64(odd_header)), payload_segment),
     "invalid-encoding:header", "non-zero unused bits in the header's last character")
case("noncanonical-payload-bits",
     sign_segments(header_segment, noncanonical(b64(aligned_payload(2)))),
     "invalid-encoding:payload", "non-zero unused bits in the payload's last character")
es_header, es_payload, es_signature = es.split(".")
case("noncanonical-signature-bits", f"{es_header}.{es_payload}.{noncanonical(es_signature)}",
     "invalid-encoding:signature", "the 64-byte signature decodes the same with a stray bit")
case("payload-length-one-over", sign_segments(header_segment, b64(aligned_payload(0)) + "A"),
     "invalid-encoding:payload", "a length of 4n + 1 cannot be base64")
case("utf8-bom-header", sign_raw(b"\xef\xbb\xbf" + json_bytes(RS256_HEADER), json_bytes(claims())),
     "invalid-json:header", "a byte order mark is not JSON")

# JSON.
case("header-is-array", sign_raw(b'["alg","RS256"]', json_bytes(claims())), "not-an-object:header",
     "the header must be an object")
case("header-is-string", sign_raw(b'"RS256"', json_bytes(claims())), "not-an-object:header",
     "the header must be an object")
case("header-not-json", sign_raw(b'{"alg":"RS256",', json_bytes(claims())), "invalid-json:header",
     "truncated header JSON")
case("header-duplicate-alg", sign_raw(b'{"alg":"RS256","kid":"rsa-a","alg":"none"}',
                                      json_bytes(claims())),
     "duplicate-member:header", "two alg members")
case("header-nul-in-alg", sign_raw(b'{"alg":"RS256\\u0000","kid":"rsa-a"}', json_bytes(claims())),
     "invalid-json:header", "a NUL escape is refused")
case("payload-not-json", sign_raw(json_bytes(RS256_HEADER), b"EVIL not json"),
     "invalid-json:payload", "the payload must be JSON")
case("payload-is-array", sign_raw(json_bytes(RS256_HEADER), b"[1,2]"), "not-an-object:payload",
     "the payload must be an object")
case("payload-trailing-bytes", sign_raw(json_bytes(RS256_HEADER), json_bytes(claims()) + b"x"),
     "invalid-json:payload", "bytes after the object")
case("payload-invalid-utf8", sign_raw(json_bytes(RS256_HEADER),
                                      json_bytes(claims()).replace(b"user-42", b"user-\xff\xfe")),
     "invalid-json:payload", "invalid UTF-8")
case("payload-overlong-utf8", sign_raw(json_bytes(RS256_HEADER),
                                       json_bytes(claims()).replace(b"user-42", b"user\xc0\xaf")),
     "invalid-json:payload", "an overlong UTF-8 encoding")
duplicate_sub = json_bytes(claims())[:-1] + b',"sub":"EVIL-admin"}'
case("payload-duplicate-sub", sign_raw(json_bytes(RS256_HEADER), duplicate_sub),
     "duplicate-member:payload", "two sub members")
nested_duplicate = json_bytes(claims(act={"sub": "a"})).replace(b'{"sub":"a"}',
                                                                 b'{"sub":"a","sub":"EVIL"}')
case("payload-duplicate-in-act", sign_raw(json_bytes(RS256_HEADER), nested_duplicate),
     "duplicate-member:payload", "duplicates are refused at any depth")
case("payload-nul-in-key", sign_raw(json_bytes(RS256_HEADER),
                                    json_bytes(claims())[:-1] + b',"sub\\u0000x":"EVIL"}'),
     "invalid-json:payload", "a NUL inside a member name")
deep = json_bytes(claims())[:-1] + b',"deep":' + b"[" * 3000 + b"]" * 3000 + b"}"
case("payload-nesting-3000", sign_raw(json_bytes(RS256_HEADER), deep), "invalid-json:payload",
     "nesting beyond the parser's bound")
case("payload-integer-beyond-64-bits",
     sign_raw(json_bytes(RS256_HEADER), json_bytes(claims())[:-1] + b',"x":99999999999999999999}'),
     "invalid-json:payload", "Jansson refuses integers beyond 64 bits")

# Header members.
case("crit-unknown", mint(crit=["exp"], exp=NOW), "critical-extension",
     "no extension is understood")
case("crit-empty", mint(crit=[]), "critical-extension", "an empty crit is invalid too")
case("crit-b64", mint(crit=["b64"], b64=True), "critical-extension",
     "even b64 (RFC 7797) is refused")
case("typ-jwt-when-at-jwt-required", mint(typ="JWT"), "type-mismatch", "typ JWT is not at+jwt",
     rules=AT_JWT)
case("typ-missing-when-required", mint(typ=None), "type-mismatch", "typ is required",
     rules=AT_JWT)
case("typ-other-prefix", mint(typ="text/at+jwt"), "type-mismatch",
     "only application/ may be left out", rules=AT_JWT)
case("typ-not-a-string", mint(typ=["at+jwt"]), "type-mismatch", "typ must be a string",
     rules=AT_JWT)
case("typ-suffix", mint(typ="at+jwt-EVIL"), "type-mismatch", "typ is compared whole",
     rules=AT_JWT)

# Claims.
case("expired", mint(payload=claims(exp=NOW - 31)), "expired", "31 s past, beyond the leeway")
case("expired-at-leeway", mint(payload=claims(exp=NOW - 30)), "expired",
     "exp must be after now - leeway")
case("expired-fraction-rounds-down", mint(payload=claims(exp=NOW - 29.5)), "expired",
     "exp is rounded down to now - 30")
case("expired-long-ago", mint(payload=claims(exp=0)), "expired", "exp at the epoch")
case("nbf-in-future", mint(payload=claims(nbf=NOW + 31)), "not-yet-valid",
     "nbf beyond the leeway")
case("iat-in-future", mint(payload=claims(iat=NOW + 31)), "issued-in-future",
     "iat beyond the leeway")
case("exp-missing", mint(payload=claims(exp=DROP)), "missing-claim:exp", "exp is required")
case("exp-string", mint(payload=claims(exp=str(NOW + 600))), "invalid-claim:exp",
     "exp must be a number")
case("exp-null", mint(payload=claims(exp=None)), "invalid-claim:exp", "null is not a date")
case("exp-true", mint(payload=claims(exp=True)), "invalid-claim:exp", "true is not a date")
case("exp-huge-real", mint(payload=claims(exp=1e300)), "invalid-claim:exp",
     "beyond 64-bit seconds")
case("nbf-string", mint(payload=claims(nbf="now")), "invalid-claim:nbf", "nbf must be a number")
case("iat-string", mint(payload=claims(iat="EVIL")), "invalid-claim:iat", "iat must be a number")
case("iss-wrong", mint(payload=claims(iss="https://EVIL.example/")), "issuer-mismatch",
     "another issuer")
case("iss-without-slash", mint(payload=claims(iss="https://issuer.example")), "issuer-mismatch",
     "iss is compared exactly")
case("iss-unicode-equivalent", mint(payload=claims(iss="https://issue\u0301r.example/")),
     "issuer-mismatch", "canonically equivalent is not the same bytes",
     rules={"issuer": "https://issu\u00e9r.example/"})
case("iss-missing", mint(payload=claims(iss=DROP)), "missing-claim:iss", "iss is required")
case("iss-number", mint(payload=claims(iss=1)), "invalid-claim:iss", "iss must be a string")
case("aud-wrong", mint(payload=claims(aud="https://EVIL.example")), "audience-mismatch",
     "another audience")
case("aud-case", mint(payload=claims(aud=AUDIENCE.upper())), "audience-mismatch",
     "aud is compared exactly")
case("aud-array-without-ours", mint(payload=claims(aud=["https://a.example", "EVIL"])),
     "audience-mismatch", "the array lacks the audience")
case("aud-empty-array", mint(payload=claims(aud=[])), "audience-mismatch", "an empty aud")
case("aud-array-with-number", mint(payload=claims(aud=[AUDIENCE, 7])), "invalid-claim:aud",
     "every aud entry must be a string")
case("aud-object", mint(payload=claims(aud={"aud": AUDIENCE})), "invalid-claim:aud",
     "aud must be a string or an array")
case("aud-missing", mint(payload=claims(aud=DROP)), "missing-claim:aud", "aud is required")
case("sub-missing", mint(payload=claims(sub=DROP)), "missing-claim:sub", "sub is required")
case("sub-empty", mint(payload=claims(sub="")), "invalid-claim:sub", "sub must not be empty")
case("sub-number", mint(payload=claims(sub=42)), "invalid-claim:sub", "sub must be a string")
case("scope-number", mint(payload=claims(scope=7)), "invalid-claim:scope",
     "scope must be a string")
case("scp-number-element", mint(payload=claims(scp=["repo", 1])), "invalid-claim:scp",
     "scp entries must be strings")
case("scp-object", mint(payload=claims(scp={"repo": True})), "invalid-claim:scp",
     "scp must be a string or an array")
case("client-id-number", mint(payload=claims(client_id=5)), "invalid-claim:client_id",
     "client_id must be a string")
case("azp-array", mint(payload=claims(azp=["EVIL"])), "invalid-claim:azp",
     "azp must be a string")

# Actors.
case("act-string", mint(payload=claims(act="EVIL-agent")), "invalid-claim:act",
     "act must be an object")
case("act-array", mint(payload=claims(act=[{"sub": "a"}])), "invalid-claim:act",
     "act must be an object, not an array")
case("act-null", mint(payload=claims(act=None)), "invalid-claim:act", "null is not an actor")
case("act-without-sub", mint(payload=claims(act={"sub_profile": "ai_agent"})), "invalid-claim:act",
     "an actor needs sub")
case("act-empty-sub", mint(payload=claims(act={"sub": ""})), "invalid-claim:act",
     "an actor's sub must not be empty")
case("act-sub-number", mint(payload=claims(act={"sub": 7})), "invalid-claim:act",
     "an actor's sub must be a string")
case("act-nested-without-sub",
     mint(payload=claims(act={"sub": "a", "act": {"sub_profile": "user"}})),
     "invalid-claim:act", "every level needs sub")
case("act-nested-string", mint(payload=claims(act={"sub": "a", "act": "EVIL"})),
     "invalid-claim:act", "a nested act must be an object too")
case("act-profile-not-string", mint(payload=claims(act={"sub": "a", "sub_profile": ["ai_agent"]})),
     "invalid-claim:act", "sub_profile must be a string")
case("act-too-deep", mint(payload=claims(act=nested_actors(4))), "actor-chain-too-deep",
     "depth 4 with max_actor_depth 3")
case("act-far-too-deep", mint(payload=claims(act=nested_actors(40))), "actor-chain-too-deep",
     "depth 40")
case("act-depth-1-with-max-0", mint(payload=claims(act={"sub": "a"})), "actor-chain-too-deep",
     "max_actor_depth 0 allows no actor", rules={"max_actor_depth": 0})
case("actor-required-none", mint(), "actor-required", "actor_required and no act",
     rules={"actor_required": True})

json.dump({"now": NOW, "rules": BASE_RULES, "cases": cases,
           "key_sets": {name: json.dumps(keys) for name, keys in KEY_SETS.items()}},
          sys.stdout)
