#!/usr/bin/env python3
"""Writes Fuzz/corpus/<target>/seeds/: small inputs from LegacyFixtures and hand-written edge cases.

Run from anywhere: python3 Fuzz/make_seeds.py. It replaces the seeds folders (never regressions/).
"""
import base64, glob, hashlib, json, os, shutil

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = os.path.join(root, "Fuzz", "corpus")
fixtures = os.path.join(root, "LegacyFixtures")


def seeds(target, items):
    folder = os.path.join(corpus, target, "seeds")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    os.makedirs(os.path.join(corpus, target, "regressions"), exist_ok=True)
    keep = os.path.join(corpus, target, "regressions", ".gitkeep")
    if not os.listdir(os.path.dirname(keep)):
        open(keep, "w").close()
    for name, data in items:
        if isinstance(data, str):
            data = data.encode()
        assert len(data) <= 8192, (target, name, len(data))
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


def files(pattern, limit=8192):
    out = []
    for path in sorted(glob.glob(os.path.join(fixtures, pattern), recursive=True)):
        data = open(path, "rb").read()
        if len(data) <= limit:
            rel = os.path.relpath(path, fixtures).replace("/", "_")
            out.append((rel, data))
    return out


laughs = 'a0: &a0 ["lol"]\n' + "".join(
    "a%d: &a%d [%s]\n" % (i, i, ",".join(["*a%d" % (i - 1)] * 9)) for i in range(1, 10))

yaml_edges = [
    ("empty", ""),
    ("null", "~\n"),
    ("scalar", "just text\n"),
    ("sequence", "- a\n- b\n"),
    ("aliases-small", "base: &b {k: v}\nother: *b\n"),
    ("aliases-bomb", laughs),
    ("deep-flow", "[" * 200 + "]" * 200 + "\n"),
    ("duplicate-key", "a: 1\na: 2\n"),
    ("tags", "!!binary aGVsbG8=\n"),
    ("merge-key", "base: &b {k: v}\nx:\n  <<: *b\n"),
    ("multi-doc", "a: 1\n---\nb: 2\n"),
    ("bom-crlf", "\ufeffa: 1\r\nb: 2\r\n"),
]

seeds("config-yaml", files("installations/**/config.yaml") + yaml_edges + [
    ("store-mysql", "store:\n  type: sql\n  url: mysql://u:p@h/db\nversion: 0.52.0\n"),
    ("store-rest", "store:\n  type: rest\n  url: http://127.0.0.1:8080\n"),
    ("profiles-sql", "activated_profile: p\nprofiles:\n  p:\n    store_type: sql\n    store_url: sqlite:///x.db\n"),
])
seeds("stacks-yaml", files("installations/**/stacks.yaml") + files("installations/synthetic-0.13-yaml/**/secrets_managers/*.yaml") + yaml_edges + [
    ("one-stack", "stack_components:\n  secrets_manager:\n    sm: local\nstacks:\n  s:\n    secrets_manager: sm\n"),
])
seeds("secrets-yaml", files("local/**/secrets.yaml") + files("installations/zenml-0.52.0/**/secrets.yaml") + yaml_edges + [
    ("nul-name", '"db\\0staging":\n  password: U1RBR0lORw==\n  zenml_schema_name: arbitrary\n'),
    ("escape-name", '"\\e[2J":\n  k: dg==\n  zenml_schema_name: arbitrary\n'),
    ("bad-base64", "s:\n  k: '!!!'\n  zenml_schema_name: arbitrary\n"),
    ("schema-aws", "s:\n  aws_access_key_id: YQ==\n  aws_secret_access_key: Yg==\n  zenml_schema_name: aws\n"),
])
seeds("stack-export", files("installations/**/exports/*.yaml") + files("installations/synthetic-exports/*.yaml") + yaml_edges + [
    ("minimal", "stack_name: x\ncomponents: {}\n"),
    ("bomb", laughs + "stack_name: x\ncomponents: {}\n"),
])
seeds("store-yaml", yaml_edges + [
    ("sql", "secrets_store:\n  type: sql\n  encryption_key: correct-horse-battery-staple\n"),
    ("gcp", "secrets_store:\n  type: gcp\n  auth_method: oauth2-token\n  auth_config:\n    project_id: p1\n    token: t\n"),
    ("aws", "secrets_store:\n  type: aws\n  region_name: eu-west-1\n  aws_access_key_id: AKIA\n  aws_secret_access_key: s\n"),
    ("hashicorp", "secrets_store:\n  type: hashicorp\n  vault_addr: http://127.0.0.1:8200\n  vault_token: t\n  max_versions: 3\n"),
    ("backup", "secrets_store:\n  type: sql\nbackup_secrets_store:\n  type: none\n"),
    ("unknown", "secret_store:\n  type: sql\n"),
])

values = {"password": "s3cr3t", "n": "1", "u": "\u00e9\u2603"}
encoded = json.dumps(values)
seeds("zenml-values", [
    ("json-object", encoded),
    ("json-nested", '{"a": [1, 2.5e3, -0, true, false, null, NaN, Infinity, -Infinity], "b": {"c": "\\ud83d\\ude00\\u0000"}}'),
    ("json-dupe", '{"a": 1, "a": 2}'),
    ("json-deep", "[" * 600 + "]" * 600),
    ("json-lone-surrogate", '{"a": "\\ud800"}'),
    ("base64-json", base64.b64encode(encoded.encode()).decode()),
    ("base64-urlsafe", base64.urlsafe_b64encode(b"\xfb\xff\xfe").decode()),
    ("base64-nopad", "YWJj\nZA"),
    ("timestamp", "2023-11-21T10:15:30.123456"),
    ("timestamp-tz", "2023-11-21 10:15:30+02:00"),
    ("uuid", "5e7f0000-0000-4000-8000-00000000010a"),
    ("uuid-hex", "5e7f00000000400080000000000000010a"),
])


def aesgcm(key, plaintext):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    nonce = bytes(range(12))
    sealed = AESGCM(hashlib.sha256(key.encode()).digest()).encrypt(nonce, plaintext, None)
    ciphertext, tag = sealed[:-16], sealed[-16:]
    return base64.b64encode(nonce + tag + ciphertext).decode()


seeds("zenml-row", [
    ("plain", base64.b64encode(encoded.encode()).decode()),
    ("plain-empty", base64.b64encode(b"{}").decode()),
    ("plain-not-json", base64.b64encode(b"not json").decode()),
    ("encrypted", aesgcm("fuzz-key", encoded.encode())),
    ("encrypted-short", base64.b64encode(b"\0" * 20).decode()),
    ("empty", ""),
])
seeds("secret-reference", [
    ("plain", "{{db.password}}"),
    ("spaced", "{{ db.password }}"),
    ("dotted-key", "{{a.b.c}}"),
    ("unclosed", "{{db.password"),
    ("nested", "{{{{x.y}}}}"),
    ("unicode", "{{s\u00e9cret.k\u00e9y}}"),
    ("empty-parts", "{{.}}"),
    ("not", "text"),
])
seeds("aws-ini", [
    ("credentials", "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n\n[other]\naws_access_key_id=A\naws_secret_access_key=B\naws_session_token=T\n"),
    ("config", "[default]\nregion = eu-west-1\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default\ns3 =\n  max_concurrent_requests = 10\n"),
    ("comments-crlf", "# c\r\n; c\r\n[default]\r\nkey: value # not a comment\r\n"),
    ("bad-header", "[default\nx=1\n"),
    ("before-section", "x = 1\n"),
    ("continuation-first", "  indented\n[a]\nk=v\n  more\n  more\n"),
])
seeds("http-response", [
    ("content-length", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"),
    ("chunked-trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n"),
    ("continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"),
    ("close-delimited", "HTTP/1.0 200 OK\r\n\r\nbody until close"),
    ("folded", "HTTP/1.1 400 Bad Request\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n"),
    ("bare-lf", "HTTP/1.1 404 Not Found\nContent-Length: 3\n\nabc"),
    ("bad-length", "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx"),
    ("te-and-cl", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
])
