"""Keys and access tokens for TokenVerificationBenchmark, made with PyJWT.

The benchmark times Chaperone's verification, so the tokens come from an independent
implementation: a token our own code signed could agree with our verifier on a mistake.
Fresh keys are generated on every run; nothing here is meant to be kept.

    /usr/bin/python3 mint.py [AGENT_TOKENS]

prints one JSON document on stdout:

    {"jwks": {"keys": [...]},
     "tokens": {"RS256": "...", "RS256-3072": "...", ...},
     "agent_tokens": ["...", ...]}

`tokens` holds one token per benchmarked algorithm and key size; `agent_tokens` holds
AGENT_TOKENS (default 0) EdDSA tokens that differ in subject, client and id, with which the
benchmark fills its cache of verified tokens as many agents would.

Needs PyJWT 2.6 or later and cryptography (Debian: python3-jwt, python3-cryptography).
"""

import json
import sys
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm
from jwt.utils import base64url_encode

ISSUER = "https://auth.example.com/"
AUDIENCE = "https://chaperone.example.com"
TEN_YEARS = 10 * 365 * 24 * 3600


def ec_jwk(private_key, size):
    # PyJWT 2.6's ECAlgorithm.to_jwk drops leading zero bytes of a coordinate, which
    # RFC 7518 section 6.2.1.2 forbids; one key in 128 would then be refused. Encode the
    # coordinates at full length instead.
    numbers = private_key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256" if size == 32 else "P-384",
        "x": base64url_encode(numbers.x.to_bytes(size, "big")).decode(),
        "y": base64url_encode(numbers.y.to_bytes(size, "big")).decode(),
    }


def signing_keys():
    """(token name, alg, kid, private key, public JWK) for each benchmarked case."""
    rsa_2048 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_3072 = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    pss_2048 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    p256 = ec.generate_private_key(ec.SECP256R1())
    p384 = ec.generate_private_key(ec.SECP384R1())
    ed = ed25519.Ed25519PrivateKey.generate()

    def rsa_jwk(key):
        return json.loads(RSAAlgorithm.to_jwk(key.public_key()))

    return [
        ("RS256", "RS256", "rsa-2048", rsa_2048, rsa_jwk(rsa_2048)),
        ("RS256-3072", "RS256", "rsa-3072", rsa_3072, rsa_jwk(rsa_3072)),
        ("PS256", "PS256", "pss-2048", pss_2048, rsa_jwk(pss_2048)),
        ("ES256", "ES256", "p-256", p256, ec_jwk(p256, 32)),
        ("ES384", "ES384", "p-384", p384, ec_jwk(p384, 48)),
        ("EdDSA", "EdDSA", "ed25519", ed, json.loads(OKPAlgorithm.to_jwk(ed.public_key()))),
    ]


def claims(now, user, agent, client):
    """An RFC 9068 access token issued to an agent acting for a user (RFC 8693 `act`)."""
    return {
        "iss": ISSUER,
        "sub": f"user:{user}",
        "aud": AUDIENCE,
        "exp": now + TEN_YEARS,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "client_id": client,
        "scope": "repo:read repo:write issues:read issues:write models:invoke",
        "act": {"sub": f"agent:{agent}", "sub_profile": "ai_agent"},
    }


def main():
    agent_tokens = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    now = int(time.time())
    keys = signing_keys()

    jwks = {"keys": []}
    tokens = {}
    for name, alg, kid, private_key, jwk in keys:
        jwks["keys"].append({**jwk, "kid": kid, "use": "sig", "alg": alg})
        payload = claims(now, "8d0f4c2e-5b1a-4e7f-9c3d-6a2b1f0e9d84", "code-review-assistant",
                         "agent-runtime-prod-eu-west-1")
        tokens[name] = jwt.encode(payload, private_key, algorithm=alg,
                                  headers={"kid": kid, "typ": "at+jwt"})

    ed = next(key for key in keys if key[0] == "EdDSA")
    agents = [
        jwt.encode(claims(now, uuid.uuid4(), f"assistant-{index:05d}",
                          f"agent-runtime-{index % 40:02d}"),
                   ed[3], algorithm="EdDSA", headers={"kid": ed[2], "typ": "at+jwt"})
        for index in range(agent_tokens)
    ]

    json.dump({"jwks": jwks, "tokens": tokens, "agent_tokens": agents}, sys.stdout)


if __name__ == "__main__":
    main()
