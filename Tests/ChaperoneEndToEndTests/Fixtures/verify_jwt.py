#!/usr/bin/env python3
"""Verifies a JWT read from stdin against a JWKS URL with PyJWT, independently of the code
under test, and prints its claims as JSON. Exits 1 (with the reason on stderr) when the
signature or the issuer does not check out.

    verify_jwt.py JWKS_URL ISSUER < token
"""
import json
import sys

import jwt


def main():
    jwks_url, issuer = sys.argv[1], sys.argv[2]
    token = sys.stdin.read().strip()
    try:
        key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=["RS256"], issuer=issuer,
                            options={"verify_aud": False})
    except jwt.PyJWTError as error:
        print(f"not valid: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(claims))


if __name__ == "__main__":
    main()
