"""Secret detectors: what a credential looks like, by its shape or by the name it is stored under.

``redact`` decides where to look (headers, query, path segments, bodies, datastore calls) and
``_masks`` what replaces a secret; this module is the one list of *what counts as a secret*.
The rule set follows the families gitleaks and detect-secrets cover (vendor token prefixes,
private key blocks, JWTs, credentials in URLs, signed URLs, high-entropy strings), written for
traffic rather than source code:

* ``KNOWN_TOKEN`` — vendor tokens with a recognisable prefix (AWS access key ids, GitHub,
  GitLab, Stripe, Slack, Google, OpenAI/Anthropic, npm, PyPI, SendGrid, Shopify, Vault,
  DigitalOcean, Databricks, Twilio, Mailgun...). The prefix is kept in the placeholder.
* ``PEM_PRIVATE_KEY`` — ``-----BEGIN ... PRIVATE KEY-----`` blocks (RSA, EC, OpenSSH, PGP,
  PKCS#8, encrypted), with or without their ``END`` line.
* ``URL_CREDENTIALS`` — ``scheme://user:password@host`` anywhere in text (connection strings in
  JSON values, exception messages, logs).
* **names**: header names (``SECRET_HEADERS`` and name fragments such as ``signature``),
  key names (``SECRET_KEYS``, matched ignoring case, ``-`` and ``_``) and the extra names that
  are secret only as URL query or form parameters (``QUERY_KEYS``: ``sig``, ``key``,
  ``X-Amz-Signature``...; ``key`` in a JSON body is far too common to be one).
* ``high_entropy_segment`` — a URL path segment that looks like a random token (long, mixed
  character classes, high Shannon entropy; never a UUID, a number or a plain hex id: those are
  identifiers, whose *kind* belongs to ``kinds``).

Every pattern is bounded and anchored on a literal or a token boundary (linear time on hostile
input), and each comes with cheap substring ``*_HINTS`` so text that cannot match is never run
through the regex. Stdlib only: this runs inside production services.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

__all__ = [
    "KNOWN_TOKEN",
    "KNOWN_TOKEN_HINTS",
    "KNOWN_TOKEN_MIN_LEN",
    "PEM_PRIVATE_KEY",
    "QUERY_KEYS",
    "SECRET_HEADERS",
    "SECRET_HEADER_PARTS",
    "SECRET_KEYS",
    "SECRET_KEY_SUFFIXES",
    "URL_CREDENTIALS",
    "high_entropy_segment",
    "known_token_prefix",
    "may_hold_known_token",
    "sub_known_tokens",
]

# fmt: off
#: Headers whose values are credentials (matched lower-cased, ``_`` read as ``-``, exactly).
SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key",
    "x-auth-token", "x-access-token", "x-refresh-token", "x-csrf-token", "x-xsrf-token",
    "x-csrftoken", "x-amz-security-token", "x-goog-api-key", "x-client-secret", "x-session-id",
    # webhook signatures and vendor keys
    "stripe-signature", "x-hub-signature", "x-hub-signature-256", "x-slack-signature",
    "x-twilio-signature", "x-shopify-hmac-sha256", "x-square-signature", "x-gitlab-token",
    "ocp-apim-subscription-key", "x-functions-key", "private-token", "x-vault-token",
    "x-goog-iap-jwt-assertion", "x-amzn-oidc-data", "x-amzn-oidc-accesstoken",
    "x-ms-token-aad-id-token", "x-ms-token-aad-access-token", "x-hasura-admin-secret",
    "x-postmark-server-token", "x-figma-token", "x-consul-token", "x-nomad-token",
})
#: A header whose name contains one of these is secret too (``X-Webhook-Signature``,
#: ``X-Api_Key``...; matched like ``SECRET_HEADERS``).
SECRET_HEADER_PARTS = (
    "auth", "token", "secret", "api-key", "apikey", "session", "csrf", "xsrf", "password",
    "cookie", "signature", "credential", "subscription-key", "functions-key", "access-key",
    "private-key",
)
#: Secret key names (JSON keys, query/form parameters, ``key=value``, ``key: value`` and XML
#: elements in text); matching ignores case, ``-``, ``_`` and spaces (``apiKey`` = ``api_key`` =
#: ``API Key``).
SECRET_KEYS = frozenset({
    "password", "passwd", "pwd", "passphrase", "secret", "token", "access_token", "refresh_token",
    "id_token", "api_key", "apikey", "client_secret", "private_key", "authorization", "auth",
    "credentials", "session", "session_id", "sid", "cookie", "set_cookie", "ssn",
    "social_security_number", "card_number", "credit_card", "cc_number", "pan", "cvv", "cvv2",
    "cvc", "pin", "otp", "totp", "iban", "account_number", "routing_number", "csrf", "xsrf",
    "signature", "account_key", "accountkey", "shared_access_key", "sharedaccesskey",
    "connection_string", "dsn", "database_url", "webhook_secret", "signing_key",
    "secret_access_key", "aws_secret_access_key", "security_token", "session_token",
    "subscription_key", "functions_key", "x_api_key", "private_token", "pass", "jsessionid",
    "phpsessid",
})
#: Keys ending like these are secret too (``newPassword``, ``csrf_token``, ``stripe_secret``).
SECRET_KEY_SUFFIXES = (
    "password", "passwd", "passphrase", "secret", "token", "apikey", "privatekey", "accesskey",
    "signingkey", "secretkey", "credential", "credentials",
)
#: Secret only as URL query / form parameters: signed URLs (S3, GCS, Azure SAS, CloudFront),
#: Azure Functions' ``code``, Google's ``key=AIza...``. Normalised like ``SECRET_KEYS``.
QUERY_KEYS = frozenset({
    "sig", "signature", "key", "token", "code", "xamzsignature", "xamzcredential",
    "xamzsecuritytoken", "xgoogsignature", "xgoogcredential", "awsaccesskeyid",
    "googleaccessid", "keypairid", "policy", "accesstoken", "authtoken", "apikey", "secret",
    "clientsecret", "password", "pass", "sessiontoken", "securitytoken", "skoid", "sktid",
})
# fmt: on

#: Two hex digits naming a byte that cannot be part of a token (not ``[A-Za-z0-9_-]``): what a
#: ``%XX`` or ``\u00XX`` right before a token may encode without gluing it to a longer word.
_SEP_BYTE = (
    r"(?:[01][0-9A-Fa-f]|2[0-9A-Ca-cEFef]|3[A-Fa-f]|40|5[B-Eb-e]|60|7[B-Fb-f]"
    r"|[89A-Fa-f][0-9A-Fa-f])"
)
#: Token start: not inside a longer word; or right after an escape sequence written out in text
#: (``\n``, ``\t``... of a log line or an escaped string, ``\u00XX`` of a separator or a
#: ``\uXXXX`` past Latin-1) or after a percent-encoded separator byte (``a%3Dghp_...``). Each
#: look-behind has a fixed width: linear time as before.
_B = (
    r"(?:(?<![A-Za-z0-9_-])|(?<=\\[nrtbf])"
    rf"|(?<=%{_SEP_BYTE})|(?<=\\u00{_SEP_BYTE})"
    r"|(?<=\\u(?:0[1-9A-Fa-f]|[1-9A-Fa-f][0-9A-Fa-f])[0-9A-Fa-f]{2}))"
)
_E = r"(?![A-Za-z0-9_-])"  # token end

# (prefix)(rest): the prefix is kept in the placeholder, the rest replaced.
_TOKEN_RULES = (
    r"(?P<p>(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA))(?P<r>[A-Z0-9]{16})",
    r"(?P<p>gh[pousr]_)(?P<r>[A-Za-z0-9]{30,255})",
    r"(?P<p>github_pat_)(?P<r>[A-Za-z0-9_]{22,255})",
    r"(?P<p>glpat-)(?P<r>[A-Za-z0-9_-]{20,255})",
    r"(?P<p>(?:sk|rk)_(?:live|test)_)(?P<r>[A-Za-z0-9]{10,247})",
    r"(?P<p>whsec_)(?P<r>[A-Za-z0-9+/=]{16,255})",
    r"(?P<p>xox[abposre]-)(?P<r>[A-Za-z0-9-]{10,255})",
    r"(?P<p>xapp-)(?P<r>\d-[A-Za-z0-9-]{10,255})",
    r"(?P<p>AIza)(?P<r>[0-9A-Za-z_-]{35})",
    r"(?P<p>ya29\.)(?P<r>[0-9A-Za-z_-]{20,2048})",
    r"(?P<p>sk-(?:ant-|proj-)?)(?P<r>[A-Za-z0-9_-]{20,255})",
    r"(?P<p>npm_)(?P<r>[A-Za-z0-9]{36})",
    r"(?P<p>pypi-)(?P<r>AgE[A-Za-z0-9_-]{50,1024})",
    r"(?P<p>SG\.)(?P<r>[\w-]{16,32}\.[\w-]{16,64})",
    r"(?P<p>shp(?:at|ca|pa|ss)_)(?P<r>[a-fA-F0-9]{32})",
    r"(?P<p>hv[sb]\.)(?P<r>[\w-]{24,255})",
    r"(?P<p>dop_v1_)(?P<r>[a-f0-9]{64})",
    r"(?P<p>dapi)(?P<r>[a-f0-9]{32})",
    r"(?P<p>key-)(?P<r>[0-9a-zA-Z]{32})",
    r"(?P<p>SK)(?P<r>[0-9a-f]{32})",
    r"(?P<p>AGE-SECRET-KEY-1)(?P<r>[0-9A-Z]{58})",
)
#: Vendor tokens: each rule has two groups, the prefix and the body (``known_token_prefix``).
#: (One boundary test around all the rules: ``_B`` is read once per candidate, not per rule.)
KNOWN_TOKEN = re.compile(
    f"{_B}(?:{'|'.join(_TOKEN_RULES)}){_E}".replace("?P<p>", "").replace("?P<r>", "")
)
#: The literal start of every ``KNOWN_TOKEN`` rule: a token can only begin where one is found.
KNOWN_TOKEN_HINTS = (
    "A3T", "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "gh", "github_pat_",
    "glpat-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_", "xox", "xapp-", "AIza",
    "ya29.", "sk-", "npm_", "pypi-", "SG.", "shp", "hvs.", "hvb.", "dop_v1_", "dapi", "key-",
    "SK", "AGE-SECRET",
)  # fmt: skip

#: A private key block; group 1 the BEGIN line, 2 the body, 3 the END line (absent if cut).
PEM_PRIVATE_KEY = re.compile(
    r"(-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----)"
    r"((?:[^-]|-(?!----))(?:[^-]|-(?!----)){0,32767})"
    r"(-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----)?"
)
#: ``scheme://user:password@`` anywhere in text; groups: scheme+``://``, user, password.
#: The password runs to the last ``@`` before the first ``/`` (as ``urllib.parse`` splits an
#: authority: ``postgres://u:p@ss@db`` has the password ``p@ss``). Failing that, a password that
#: does not start like a port (``http://h:8080/a@b.c``) may hold raw ``/`` too: a secret written
#: unquoted into a URL (an AWS secret key in ``s3://KEY:SECRET@bucket``) is masked whole, even if
#: that takes in part of the path, rather than left in the clear.
URL_CREDENTIALS = re.compile(
    r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{1,31}://)"
    r"([^\s/?#@:\"'<>\\]{0,256}):"
    r"([^\s/?#\"'<>\\]{1,256}|(?!\d+/)[^\s?#\"'<>\\]{1,256})@(?=[A-Za-z0-9\[])"
)


_HINT = re.compile("|".join(re.escape(h) for h in KNOWN_TOKEN_HINTS))
#: The shortest text any ``KNOWN_TOKEN`` rule matches (``xoxb-`` and 10 characters).
KNOWN_TOKEN_MIN_LEN = 15


def _trie(words: tuple[str, ...]) -> str:
    """One regex for a set of literals, factored on common prefixes (``g(?:h|lpat-)``): the
    engine then tests one branch per position instead of one per literal."""
    heads: dict[str, list[str]] = {}
    for word in words:
        heads.setdefault(word[:1], []).append(word[1:])
    alts = []
    for head, tails in sorted(heads.items()):
        rest = [t for t in tails if t]
        body = _trie(tuple(rest)) if rest else ""
        if body and len(rest) < len(tails):  # one word ends here, longer ones go on
            body = f"(?:{body})?"
        alts.append(re.escape(head) + body)
    return alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"


_HINT_ANY = re.compile(_trie(KNOWN_TOKEN_HINTS))


def may_hold_known_token(text: str) -> bool:
    """Cheap test: could ``KNOWN_TOKEN`` match anywhere in ``text``? (One C-level scan.)"""
    return len(text) >= KNOWN_TOKEN_MIN_LEN and _HINT_ANY.search(text) is not None


def sub_known_tokens(text: str, replace: Callable[[re.Match[str]], str]) -> str:
    """``KNOWN_TOKEN.sub(replace, text)``, trying the rules only where a token can start.

    Every rule starts with one of ``KNOWN_TOKEN_HINTS``, so the alternation is run anchored at
    each hint found by one literal scan instead of at every position (a 1 MiB binary body: a
    few milliseconds instead of a second)."""
    parts: list[str] = []
    last = 0
    for hint in _HINT.finditer(text):
        if hint.start() < last:
            continue  # inside the token just replaced
        m = KNOWN_TOKEN.match(text, hint.start())
        if m is not None:
            parts += [text[last : m.start()], replace(m)]
            last = m.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def known_token_prefix(match: re.Match[str]) -> tuple[str, str]:
    """``(prefix, body)`` of a ``KNOWN_TOKEN`` match (whichever rule matched)."""
    groups = [g for g in match.groups() if g is not None]
    return groups[0], groups[1]


_SEGMENT = re.compile(r"[A-Za-z0-9_.~+=-]{20,512}")
_HEX_OR_DIGITS = re.compile(r"[0-9a-fA-F]+|[0-9]+")
_UUIDISH = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def high_entropy_segment(segment: str) -> bool:
    """Whether a URL path segment looks like a random token rather than a name or an id.

    At least 20 URL-safe characters, digits and both letter cases mixed (or letters and
    ``-``/``_`` runs typical of base64url), and at least 4 bits of Shannon entropy per
    character. UUIDs, numbers and hex ids are identifiers, not secrets; slugs (``my-first-
    blog-post``) are lower-case words and never qualify.
    """
    if len(segment) < 20 or not _SEGMENT.fullmatch(segment):
        return False
    if _HEX_OR_DIGITS.fullmatch(segment) or _UUIDISH.fullmatch(segment):
        return False
    upper = lower = digit = 0
    for ch in segment:
        if ch.isupper():
            upper += 1
        elif ch.islower():
            lower += 1
        elif ch.isdigit():
            digit += 1
    if not (upper and lower and digit) and not (upper >= 3 and lower >= 3):
        return False
    return _entropy(segment) >= 4.0


def _entropy(text: str) -> float:
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())
