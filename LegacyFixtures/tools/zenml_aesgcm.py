#!/usr/bin/env python3
"""Encrypt/decrypt a value with the exact engine ZenML's SQL secrets store uses.

    printf '%s' '{"a": "1"}' | /work/venvs/zenml052/bin/python \
        LegacyFixtures/tools/zenml_aesgcm.py encrypt --key 'my key'
    printf '%s' 'BASE64...' | /work/venvs/zenml052/bin/python \
        LegacyFixtures/tools/zenml_aesgcm.py decrypt --key 'my key'

Engine: sqlalchemy_utils.types.encrypted.encrypted_type.AesGcmEngine (the
sqlalchemy_utils version pinned by zenml 0.52.0), set up exactly like
`SqlSecretsStore._initialize`: `engine = AesGcmEngine(); engine._update_key(key)`.

I/O conventions (byte-exact, so CI can compare):
  * encrypt: stdin is read completely and decoded as UTF-8; it is encrypted as
    is (a trailing newline is part of the plaintext -- use printf '%s', not
    echo).  stdout: the base64 token followed by one "\n".
  * decrypt: stdin is the base64 token; surrounding ASCII whitespace is
    stripped.  stdout: the UTF-8 plaintext exactly, with NO newline added.
  * Errors (bad token, wrong key -> InvalidCiphertextError): message on stderr,
    exit code 1.  Usage errors: exit code 2.
"""

import argparse
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description="ZenML AesGcmEngine encrypt/decrypt")
    parser.add_argument("op", choices=["encrypt", "decrypt"])
    parser.add_argument("--key", required=True, help="the secrets-store encryption key (str)")
    args = parser.parse_args()
    if args.key == "":
        # ZenML only sets up the engine when the key is non-empty.
        print("zenml_aesgcm: empty key (ZenML would not encrypt at all)", file=sys.stderr)
        return 2

    from sqlalchemy_utils.types.encrypted.encrypted_type import (
        AesGcmEngine,
        InvalidCiphertextError,
    )

    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print(f"zenml_aesgcm: stdin is not UTF-8: {e}", file=sys.stderr)
        return 2

    engine = AesGcmEngine()
    engine._update_key(args.key)
    try:
        if args.op == "encrypt":
            out = engine.encrypt(text) + "\n"
        else:
            out = engine.decrypt(text.strip(" \t\r\n"))
    except (InvalidCiphertextError, ValueError) as e:  # binascii.Error is a ValueError
        detail = str(e) or "wrong key, corrupted or truncated token"
        print(f"zenml_aesgcm: {type(e).__name__}: {detail}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
