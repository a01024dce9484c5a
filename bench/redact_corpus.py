"""The seeded corpus of ``bench/redact_equiv.py``: strings, JSON trees and exchanges.

Strings harvested from the redaction and detector tests and the planted-secrets e2e, generated
secrets of every kind and benign look-alikes, alone and glued together; JSON trees (secret keys
in every spelling, non-string keys, tuples, bytes, deep nesting), header maps, exchanges with
bodies of every kind and outbound calls, and near misses of the redactor's fast paths. The same
seed gives the same inputs in both runs of the comparison.
"""

from __future__ import annotations

import ast
import base64
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED_FILES = (
    "tests/unit/test_redact.py",
    "tests/unit/test_detectors.py",
    "tests/unit/test_har.py",
    "tests/unit/test_kinds.py",
    "tests/unit/test_hostile_inputs.py",
    "tests/e2e/planted.py",
)
#: (prefix, shortest body, whether that is the only length, body characters)
_TOKEN_PREFIXES = (
    ("AKIA", 16, 1, "A0"), ("ASIA", 16, 1, "A0"), ("ghp_", 30, 0, "aA0"), ("gho_", 30, 0, "aA0"),
    ("github_pat_", 22, 0, "aA0_"), ("glpat-", 20, 0, "aA0-"), ("sk_live_", 10, 0, "aA0"),
    ("rk_test_", 10, 0, "aA0"), ("whsec_", 16, 0, "aA0"), ("xoxb-", 10, 0, "a0-"),
    ("xapp-1-", 10, 0, "A0"), ("AIza", 35, 1, "aA0_-"), ("ya29.", 20, 0, "aA0_-"),
    ("sk-proj-", 20, 0, "aA0"), ("sk-", 20, 0, "aA0"), ("npm_", 36, 1, "aA0"),
    ("pypi-AgE", 50, 0, "aA0"), ("shpat_", 32, 1, "f0"), ("hvs.", 24, 0, "aA0"),
    ("dop_v1_", 64, 1, "f0"), ("dapi", 32, 1, "f0"), ("key-", 32, 1, "aA0"), ("SK", 32, 1, "f0"),
    ("AGE-SECRET-KEY-1", 58, 1, "A0"), ("SG.", 16, 0, "aA0"),
)  # fmt: skip
_CLASSES = {"a": "abcdefghijklmnopqrstuvwxyz", "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "0": "0123456789", "f": "0123456789abcdef", "_": "_", "-": "-"}  # fmt: skip
_KEYS = (
    "id", "name", "email", "note", "url", "next", "items", "data", "owner", "status", "tags",
    "password", "Password", "new_password", "newPassword", "pass-word", "api_key", "apiKey",
    "API-KEY", "x_api_key", "token", "csrf_token", "accessToken", "refresh_token", "secret",
    "client_secret", "stripe_secret", "auth", "authorization", "session", "sid", "pin", "cvv",
    "card_number", "ssn", "iban", "dsn", "database_url", "key", "sig", "code", "signature",
    "credentials", "tokenizer", "passport", "keyboard", "private_key", "reset-token", "amount",
)  # fmt: skip


def _luhn_digit(body: str) -> str:
    for d in "0123456789":
        total = 0
        for i, ch in enumerate(reversed(body + d)):
            n = int(ch)
            if i % 2:
                n = n * 2 - 9 if n > 4 else n * 2
            total += n
        if total % 10 == 0:
            return d
    return "0"


def _harvest() -> list[str]:
    """Every string constant of the redaction tests (their secrets, near misses, hostile text)."""
    found: set[str] = set()
    for rel in SEED_FILES:
        path = ROOT / rel
        if not path.is_file():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and 0 < len(value) <= 20_000:
                found.add(value)
    return sorted(found)


class Gen:
    """Seeded generator of strings, JSON trees and exchanges."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.harvest = _harvest()

    def chars(self, n: int, classes: str) -> str:
        alphabet = "".join(_CLASSES[c] for c in classes)
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def card(self) -> str:
        n = self.rng.choice((13, 15, 16, 19))
        body = self.rng.choice("23456") + self.chars(n - 2, "0")
        full = body + (_luhn_digit(body) if self.rng.random() < 0.8 else "7")
        if n == 16 and self.rng.random() < 0.5:
            sep = self.rng.choice(" -")
            full = sep.join(full[i : i + 4] for i in range(0, 16, 4))
        return full

    def jwt(self) -> str:
        def seg(obj: str) -> str:
            return base64.urlsafe_b64encode(obj.encode()).rstrip(b"=").decode()

        claims = self.rng.choice(
            (
                '{"sub":"u-%d","email":"bob%d@x.io","exp":1700000000}',
                '{"sub":"%d","roles":["admin"],"tenant":"t%d"}',
                '{"iss":"https://idp/%d","nested":{"k":%d}}',
                "not json %d %d",
            )
        ) % (self.rng.randrange(999), self.rng.randrange(999))
        head = seg('{"alg":"HS256"}')
        return f"{head}.{seg(claims)}.{self.chars(22, 'aA0_-')}"

    def secret(self) -> str:
        rng = self.rng
        kind = rng.randrange(14)
        if kind == 0:
            local = rng.choice(("bob", "a.b+c", f"user{rng.randrange(99)}", "x_y-z"))
            return f"{local}@{rng.choice(('example.com', 'mail.co.uk', 'x.io'))}"
        if kind == 1:
            return self.card()
        if kind == 2:
            return self.jwt()
        if kind == 3:
            prefix, n, exact, classes = rng.choice(_TOKEN_PREFIXES)
            if not exact:
                n += rng.choice((0, 0, 1, 3, 30))
            if rng.random() < 0.1:
                n -= 1  # one short: no token
            if prefix == "SG.":
                return f"SG.{self.chars(16, 'aA0')}.{self.chars(n, 'aA0')}"
            return prefix + self.chars(n, classes)
        if kind == 4:
            body = self.chars(64, "aA0")
            nl = rng.choice(("\n", "\\n"))
            end = "" if rng.random() < 0.2 else f"{nl}-----END RSA PRIVATE KEY-----"
            return f"-----BEGIN RSA PRIVATE KEY-----{nl}{body}{end}"
        if kind == 5:
            return f"postgres://app:{self.chars(12, 'aA0')}@db.internal:5432/app"
        if kind == 6:
            scheme = rng.choice(("Bearer", "bearer", "BEARER"))
            return f"{scheme} {self.chars(rng.choice((7, 8, 20, 40)), 'aA0')}"
        if kind == 7:
            user = rng.choice(("u", "user"))  # u:abcd is 8 base64 characters, the shortest
            creds = base64.b64encode(f"{user}:{self.chars(4, 'a0')}".encode()).decode()
            return f"{rng.choice(('Basic', 'basic', 'BASIC'))} {creds}"
        if kind == 8:
            return f"password={self.chars(10, 'aA0')}&name=bob&sig={self.chars(12, 'f')}"
        if kind == 9:
            return f'{{"token": "{self.chars(16, "aA0")}", "n": 5}}'
        if kind == 10:
            return f"/reset-token/{self.chars(24, 'aA0')}/x"
        if kind == 11:
            return f"https://h.example/{self.chars(28, 'aA0')}?key={self.chars(10, 'a')}"
        if kind == 12:
            return f'{{\\"password\\": \\"{self.chars(10, "aA0")}\\"}}'
        return "api_key: " + self.chars(20, "aA0")

    def benign(self) -> str:
        rng = self.rng
        kind = rng.randrange(12)
        if kind == 0:
            a, b, c, d, e = (rng.getrandbits(n) for n in (32, 16, 12, 12, 48))
            return f"{a:08x}-{b:04x}-4{c:03x}-a{d:03x}-{e:012x}"
        if kind == 1:
            return f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T12:00:0{rng.randint(0, 9)}Z"
        if kind == 2:
            return self.chars(rng.choice((8, 16, 32, 40)), "f")
        if kind == 3:
            return str(rng.randrange(10**12, 10**13))  # epoch milliseconds
        if kind == 4:
            return f"SKU-{rng.randint(1000, 9999)}"
        if kind == 5:
            return rng.choice(("my-first-post", "Springfield", "leave at door", "café ünïcode", ""))
        if kind == 6:
            return f"/api/v1/users/{rng.randrange(9999)}/orders"
        if kind == 7:
            return f"https://api.example.com/items?page={rng.randrange(50)}"
        if kind == 8:
            return "x" * rng.choice((255, 256, 257, 5000))
        if kind == 9:
            return 'quote " back \\ slash \t tab \u2028 ' + self.chars(5, "a")
        if kind == 10:
            return "git@github.com:org/repo.git"
        return str(rng.randrange(10**15, 10**19))

    def near_misses(self) -> Iterator[str]:
        """Strings at the edges of the fast paths' necessary conditions: card-like digit groups
        of every length and first digit (``CARD`` is 13-23 characters, starting 2-6), scheme
        words before every kind of whitespace, JWTs alone, after a scheme and in cookies."""
        rng = self.rng
        for n in range(10, 27):
            for first in "0123456789":
                digits = first + self.chars(n - 1, "0")
                yield digits
                for sep in (" ", "-", "_", "."):
                    for size in (4, 6, 3):
                        yield sep.join(digits[i : i + size] for i in range(0, n, size))
                body = first + self.chars(14, "0")
                yield body + _luhn_digit(body)
        for word in ("Bearer", "bearer", "BEARER", "Basic", "basic", "BASIC", "Bearers", "xBasic"):
            for space in (" ", "\t", "\n", "\u00a0", "\u2003", "\x0b", "  ", ""):
                creds = rng.choice((self.chars(12, "aA0"), self.jwt(), "dTpwYXNz", "short"))
                yield f"{word}{space}{creds}"
                yield f"x {word}{space}{creds} y"
        for _ in range(40):
            jwt = self.jwt()
            yield from (jwt, f"Bearer {jwt}", f"Token {jwt}", f"{jwt}; x=1", f"eyJ{jwt[3:9]}")

    def text(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            return rng.choice(self.harvest)
        parts = []
        for _ in range(rng.randint(1, 3)):
            parts.append(self.secret() if rng.random() < 0.5 else self.benign())
        return rng.choice((" ", ", ", "=", ":", "/", '"', "\n", "&", "")).join(parts)

    def key(self) -> Any:
        r = self.rng.random()
        if r < 0.02:
            return self.rng.choice((1, 2.5, None, True))
        if r < 0.1:
            return self.text()[:40]
        return self.rng.choice(_KEYS)

    def scalar(self) -> Any:
        r = self.rng.random()
        if r < 0.55:
            return self.text()
        if r < 0.75:
            return self.rng.choice((0, 7, -42, 1234, 4111111111111111, 2**70, 3.25, -0.5))
        return self.rng.choice((None, True, False))

    def tree(self, depth: int = 0, max_depth: int = 5) -> Any:
        rng = self.rng
        if depth >= max_depth or rng.random() < 0.3:
            return self.scalar()
        if rng.random() < 0.55:
            return {self.key(): self.tree(depth + 1, max_depth) for _ in range(rng.randint(0, 6))}
        items = [self.tree(depth + 1, max_depth) for _ in range(rng.randint(0, 5))]
        r = rng.random()
        if r < 0.05:
            return tuple(items)
        if r < 0.08:
            return self.text().encode("utf-8")
        return items

    def deep(self, n: int) -> Any:
        value: Any = {"email": "deep@x.io", "password": "p"}
        for i in range(n):
            value = [value, "a@b.io"] if i % 2 else {"k": value, "token": i}
        return value

    def headers(self) -> dict[str, list[str]]:
        rng = self.rng
        names = (
            "accept", "user-agent", "authorization", "cookie", "set-cookie", "x-api-key",
            "x-request-id", "stripe-signature", "x-webhook-signature", "www-authenticate",
            "referer", "x-custom", "proxy-authorization", "x-session-id", "x-forwarded-for",
        )  # fmt: skip
        out: dict[str, list[str]] = {}
        for name in rng.sample(names, rng.randint(2, 9)):
            if name == "cookie":
                value = f"session={self.chars(24, 'f')}; theme=dark; t={self.text()[:30]}"
            elif name == "set-cookie":
                value = f"sid={self.chars(16, 'aA0')}; Path=/; HttpOnly"
            elif name == "authorization":
                value = rng.choice((f"Bearer {self.jwt()}", self.secret(), self.jwt()))
            else:
                value = self.text()
            out[name] = [value] if rng.random() < 0.9 else [value, self.text()]
        return out

    def body_fields(self) -> dict[str, Any]:
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            return {"body": self.tree(), "content_type": "application/json"}
        if r < 0.6:
            text = "&".join(f"{self.key()}={self.text()[:40]}" for _ in range(3))
            return {"body_text": text, "content_type": "application/x-www-form-urlencoded"}
        if r < 0.7:
            b = "bnd42"
            text = (
                f'--{b}\r\nContent-Disposition: form-data; name="password"\r\n\r\n{self.text()}'
                f'\r\n--{b}\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n'
                f"{self.text()}\r\n--{b}--\r\n"
            )
            return {"body_text": text, "content_type": f"multipart/form-data; boundary={b}"}
        if r < 0.8:
            return {"body_text": json.dumps(self.tree(), default=str), "content_type": "text/plain"}
        if r < 0.9:
            return {"body_text": self.text(), "content_type": rng.choice(("text/plain", None))}
        raw = b"\x00\x01" + self.text().encode() + b"\xff " + self.secret().encode()
        ct = rng.choice(("application/octet-stream", "application/json", "image/png"))
        return {"body_b64": base64.b64encode(raw).decode(), "content_type": ct}

    def message(self, request: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"headers": self.headers()}
        if request:
            path = f"/api/{self.rng.choice(('users', 'reset-token', 'x'))}/{self.text()[:50]}"
            url = f"https://u:{self.chars(9, 'a')}@h.io{path}?a=1"
            out.update(method="POST", path=path, url=url)
            out["query"] = {str(self.key()): [self.text()[:60]]}
        else:
            out["status"] = 200
        out.update(self.body_fields())
        return out

    def exchange(self, i: int) -> dict[str, Any]:
        rng = self.rng
        outbound: list[dict[str, Any]] = []
        for seq in range(rng.randint(0, 3)):
            kind = rng.choice(("http", "redis", "postgres"))
            if kind == "http":
                call: dict[str, Any] = {
                    "request": self.message(True),
                    "response": self.message(False),
                }
            elif kind == "redis":
                cmd = rng.choice(
                    (
                        ["AUTH", "hunter2"],
                        ["SET", f"session:{self.text()[:20]}", self.text()],
                        ["GET", "k"],
                        ["HSET", "h", "password", "pw", "email", "a@b.io"],
                    )
                )
                call = {"command": cmd, "result": self.scalar()}
            else:
                call = {
                    "command": {
                        "sql": "SELECT * FROM t WHERE password = %s AND note = 'a@b.io'",
                        "params": [self.text()[:30], 3],
                    },
                    "result": {
                        "columns": ["email", "password", "api_token"],
                        "rows": [[self.text()[:30], "pw", self.secret()]],
                    },
                }
            outbound.append({"kind": kind, "seq": seq, **call})
        ex: dict[str, Any] = {
            "format": "driftdiff.exchange/1",
            "id": f"ex-{i}",
            "source": "sdk",
            "request": self.message(True),
            "response": self.message(False),
            "outbound": outbound,
        }
        if rng.random() < 0.2:
            ex["meta"] = {"error": f"OperationalError: {self.secret()}"}
        return ex
