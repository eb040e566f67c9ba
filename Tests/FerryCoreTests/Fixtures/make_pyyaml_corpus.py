#!/usr/bin/env python3
"""Generate pyyaml-corpus.json: inputs and the exact output of PyYAML's yaml.dump.

Each case is {"input": <str or nested dict of str>, "sort_keys": bool,
"output": yaml.dump(input, sort_keys=sort_keys)}. The output is deterministic
(fixed seed). The JSON is written with ensure_ascii=True so the file itself is
plain ASCII; dict order in the file is the dict's insertion order, which
matters for the sort_keys=False cases.

Usage: python3 make_pyyaml_corpus.py [output-path]
"""

import base64
import json
import os
import random
import sys

import yaml

assert yaml.__version__.startswith("6."), yaml.__version__

SEED = 20240611
rng = random.Random(SEED)
cases = []


def add(data, sort_keys=True):
    out = yaml.dump(data, sort_keys=sort_keys)
    cases.append({"input": data, "sort_keys": sort_keys, "output": out})


# ---------------------------------------------------------------- ZenML shape

ZENML_SAMPLE = {
    "awscreds": {
        "aws_access_key_id": "QUtJQTEyMw==",
        "aws_secret_access_key": "YWJjL2RlZitnaGk=",
        "zenml_schema_name": "aws",
    },
    "mysecret": {
        "password": "QGxpdGVyYWw=",
        "token": "bGluZTEKbGluZTI=",
        "username": "YWRtaW4=",
        "zenml_schema_name": "arbitrary",
    },
}
add(ZENML_SAMPLE)
add({"mysecret": dict(reversed(list(ZENML_SAMPLE["mysecret"].items()))),
     "awscreds": ZENML_SAMPLE["awscreds"]}, sort_keys=False)
add({})
add({"empty_secret": {}})
add({"a": {}, "b": {"zenml_schema_name": "arbitrary"}, "c": {}})

# ------------------------------------------------ strings the resolver claims

RESOLVER_STRINGS = [
    # null
    "", "~", "null", "Null", "NULL", "nULL", "nul", "none", "None",
    # bool
    "yes", "Yes", "YES", "yEs", "no", "No", "NO", "nO", "true", "True", "TRUE",
    "tRUE", "false", "False", "FALSE", "on", "On", "ON", "oN", "off", "Off",
    "OFF", "y", "Y", "n", "N", "t", "f", "yes ", " yes",
    # int
    "0", "00", "1", "123", "-1", "+1", "-0", "+0", "1_000", "1__", "_1",
    "0b101", "0b", "0b2", "-0b1_0", "0777", "0o17", "08", "09", "0_", "-07",
    "0x1F", "0x", "0xg", "0X1F", "-0xdead_BEEF", "+0x0", "1:20", "1:2:3",
    "190:20:30", "1:60", "1:5_", "0:20", "-1:20", "1:200", "12345678901234567890",
    "1,000", "1 000", "٣", "１２３",
    # float
    "1.5", "1.", ".5", "._", ".", "..", "...", "1.0e+5", "1.0e5", "1.0E-5",
    "1e5", "1e+5", ".5e+3", "+.5", "-.5", "+1.5", "1_0.0_1", "1:20.5",
    "190:20:30.15", "1:20:", ".inf", ".Inf", ".INF", "-.inf", "+.INF", ".iNf",
    "inf", ".nan", ".NaN", ".NAN", "-.nan", ".nAn", "nan", "1.5.5", "1.5e+",
    # timestamp
    "2001-12-14", "2001-12-1", "2001-1-14", "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5", "2001-12-15T02:59:43.1Z", "2002-12-14",
    "2001-1-1 1:00:00", "2001-1-1\t\t1:00:00", "2001-12-14 21:59:43.10 Z",
    "2001-12-14 21:59:43 +05:30", "2001-12-14 21:59:43+0530",
    "2001-12-14 21:59:43 ", "2001-12-14T21:59", "20011-12-14", "2001/12/14",
    "2001-12-14T21:59:43.", "2001-12-14T21:59:433", "2001-12-14T1:59:43+1",
    # merge / value / yaml
    "<<", "<", "<<<", "=", "==", "!", "&", "*", "!!", "&a", "*a",
    # trailing newline: Python's `$` matches before a final "\n"
    "true\n", "123\n", "~\n", "1.5\n", "2001-12-14\n", "<<\n", "123\n\n",
    "\n", "\n123", "null\n",
]
for s in RESOLVER_STRINGS:
    add({"value": s})
    add({s: "key"})

# ------------------------------------------------- scalar analysis / styles

ANALYSIS_STRINGS = [
    "plain", "two words", " leading", "trailing ", "  ", " ", "a  b",
    "a:b", "a:", "a: b", "a :b", "a:\tb", "key: value", "http://x.y/z",
    "a#b", "a #b", "a\t#b", "#a", "# a", "a#",
    "-", "-a", "- a", "--", "---", "--- a", "---a", "...", "...a", "....",
    "?", "?a", "? a", ":", ":a", ": a", "a?", "a?b", "a,b", "a[b", "a]b",
    "a{b", "a}b", "[a]", "{a}", ",a", "&anchor", "*alias", "!tag", "|lit",
    ">fold", "'q", '"q', "%pct", "@at", "`bt", "a'b", 'a"b', "it's", "''",
    "a\\b", "\\", "a|b", "a>b", "a&b", "a*b", "a!b", "a%b", "a@b", "a`b",
    "a\tb", "\t", "a\rb", "a\r\nb", "\r\n", "\x00", "a\x00b", "\x07\x08\x0b\x0c\x1b",
    "\x7f", "\x01\x02\x03\x1f", "a\x85b", "\x85", "a\u2028b", "a\u2029b",
    "\ufeff", "a\ufeffb", "\xa0", "a\xa0b", "\u00e9", "caf\u00e9", "\u65e5\u672c",
    "\U0001f510", "key \U0001f510 lock", "\U0010ffff", "\U0010fffe", "\ufffe",
    "\uffff", "\ufffd", "\ue000", "\ud7ff", "e\u0301", "\u0301", "\x80",
    "\x9f", "\xff", "\u0100", "\U00010000",
    # line breaks
    "a\nb", "a\n\nb", "\na", "a\n", "\n\n", "a \nb", "a\n b", "a\n\n b",
    " a\nb", "a\nb ", "line1\nline2\nline3", "a\n\n\n", "'\n'", "a\n'b'",
    "a\x85\nb", "a\n\x85b", "-\n-", "# x\ny", "a\tb\nc", "x\u2028\ny",
]
for s in ANALYSIS_STRINGS:
    add({"value": s})
    add({s: "key"})

# ----------------------------------------------------- long strings / widths


def words(n, alphabet="abcdefghijklmnopqrstuvwxyz", lo=1, hi=12, sep=" "):
    return sep.join(
        "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))
        for _ in range(n))


LONG = []
for length in (79, 80, 81, 82, 100, 121, 122, 123, 124, 127, 128, 129, 200, 500):
    LONG.append("x" * length)
    LONG.append(("ab " * length)[:length])
    LONG.append(base64.b64encode(bytes(rng.randrange(256) for _ in range(length))).decode()[:length])
for n in (10, 14, 20, 40, 80):
    LONG.append(words(n))
    LONG.append(words(n, sep="  "))
    LONG.append("- " + words(n))            # single-quoted folding
    LONG.append(words(n) + ": x")            # single-quoted folding
    LONG.append(words(n) + "\t")             # double-quoted folding
    LONG.append("\u00e9 " + words(n))        # double-quoted folding after escape
    LONG.append(words(n, alphabet="ab\u00e9\u65e5\U0001f510\\\""))
    LONG.append(words(n, alphabet="abc\n"))
    LONG.append(words(n) + "\n" + words(n))
    LONG.append(words(n, lo=0, hi=3))
    LONG.append("\n" + words(n) + "\n")
    LONG.append(words(n, sep=" \n "))
LONG.append("a" * 79 + " b")
LONG.append("a" * 80 + " b")
LONG.append("a" * 81 + " b")
LONG.append("a" * 78 + "  b c")
LONG.append(" " * 100)
LONG.append("\u00e9" * 100)
LONG.append("\U0001f510" * 40)
LONG.append("a" * 70 + "\u00e9" * 10 + " " + "b" * 10 + " c")
LONG.append("x" * 75 + " \u00e9\u00e9 " + "y" * 10 + " z")
LONG.append("\t" * 90 + " a")
LONG.append(("a\u00e9 " * 40).strip())
LONG.append("word " * 30 + "\n" + "next " * 30)
for s in LONG:
    add({"value": s})
    add({s: "key"})
    add({"outer": {s: s}})

# ------------------------------------------------------------ random unicode

POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    " " * 8,
    "\n",
    "-?:,[]{}#&*!|>'\"%@`.=<~+_/\\",
    "\t\r\x00\x1b\x7f\x85\xa0\u2028\u2029\ufeff",
]


def random_char():
    r = rng.random()
    if r < 0.55:
        return rng.choice(POOLS[0])
    if r < 0.68:
        return rng.choice(POOLS[1])
    if r < 0.71:
        return rng.choice(POOLS[2])
    if r < 0.82:
        return rng.choice(POOLS[3])
    if r < 0.85:
        return rng.choice(POOLS[4])
    if r < 0.93:
        return chr(rng.randrange(0x80, 0x800))
    if r < 0.97:
        cp = rng.randrange(0x800, 0x10000)
        while 0xD800 <= cp <= 0xDFFF:
            cp = rng.randrange(0x800, 0x10000)
        return chr(cp)
    return chr(rng.randrange(0x10000, 0x110000))


def random_string(max_len):
    return "".join(random_char() for _ in range(rng.randint(0, max_len)))


for _ in range(120):
    add({random_string(20): random_string(40)})
for _ in range(60):
    add({"value": random_string(200)})
for _ in range(40):
    add({random_string(150): random_string(10)})
# Pure ASCII noise built from the resolver's alphabet.
for _ in range(60):
    s = "".join(rng.choice("0123456789-+.:_eEbxXoT Z\tyn") for _ in range(rng.randint(1, 12)))
    add({"v": s})

# ------------------------------------------- nested ZenML-like secret files

SCHEMAS = ["arbitrary", "aws", "gcp", "azure", "mysql", "github", "t\u00e9st", "1.0", "yes"]


def random_secret_file(n_secrets, unicode_keys=False):
    data = {}
    for _ in range(n_secrets):
        name = words(1, alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789", lo=1, hi=16)
        if unicode_keys and rng.random() < 0.4:
            name = random_string(12)
        secret = {}
        for _ in range(rng.randint(0, 5)):
            key = words(1, alphabet="abcdefghijklmnopqrstuvwxyz_", lo=1, hi=20)
            if unicode_keys and rng.random() < 0.3:
                key = random_string(15)
            raw = random_string(rng.choice([5, 30, 120])).encode("utf-8")
            secret[key] = base64.b64encode(raw).decode("ascii")
        secret["zenml_schema_name"] = rng.choice(SCHEMAS)
        data[name] = secret
    return data


for i in range(40):
    add(random_secret_file(rng.randint(1, 6), unicode_keys=(i % 3 == 0)), sort_keys=(i % 4 != 0))

# --------------------------------------------------------------- key order

ORDER_KEYS = ["b", "B", "a", "A", "_", "-", "0", "~", "z", "Z", "\u00e9", "e\u0301",
              "e", "\uff41", "\U0001f600", "\U00010000", "\uffff", "\ud7ff", "aa",
              "a ", "a\n", "", "\u00c5", "A\u030a", "\u212b"]
add({k: "v" for k in ORDER_KEYS})
shuffled = ORDER_KEYS[:]
rng.shuffle(shuffled)
add({k: "v" for k in shuffled})
add({k: "v" for k in shuffled}, sort_keys=False)
add({"z": {"b": "1", "a": "2"}, "a": {"d": {}, "c": "3"}}, sort_keys=False)
add({"z": {"b": "1", "a": "2"}, "a": {"d": {}, "c": "3"}})

# ---------------------------------------------- complex keys with mappings

add({"": {"a": "b", "c": "d"}})
add({"a\nb": {"x": "y"}, "k" * 130: {"x": {}}, "c": {"": ""}})
add({"outer": {"a\nb": "c", "k" * 125: "v" * 100}})

# ------------------------------------------------------------ root scalars

for s in ["abc", "", "123", "a b", "a\nb", "x" * 100, "\u00e9", "word " * 30]:
    add(s)

out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "pyyaml-corpus.json")
with open(out_path, "w", encoding="ascii", newline="\n") as f:
    # One case per line keeps diffs of the fixture readable.
    f.write("[\n")
    f.write(",\n".join(json.dumps(c, ensure_ascii=True) for c in cases))
    f.write("\n]\n")
print(f"wrote {len(cases)} cases to {out_path}")
