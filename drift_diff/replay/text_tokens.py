"""Text bodies (HTML, plain text, CSV...) compared token by token, the way JSON bodies are
compared value by value.

A page that says ``Queries took 7.55ms`` on one run says ``4.196ms`` on the next; a footer
carries the time it was rendered, a request id or the e-mail address that redaction masked in
the recording. Compared as whole strings, every such page is "changed" on every replay of the
very build that was recorded. Here both texts are cut into the same tokens (runs of characters
between blanks and markup or punctuation delimiters); they hold the same content when they have
the same tokens in the same order, except for tokens that differ only as values of one kind do
(``driftdiff_sdk.kinds.same_kind``: ids, times, placeholders and their live values, and numbers
or durations that follow a timing word such as ``took``). Anything else — one word more, one
word changed, a number outside a timing context — is a change, as before.
"""

from __future__ import annotations

import re

from driftdiff_sdk.kinds import same_kind

__all__ = ["same_text"]

#: Texts longer than this are compared whole (the token walk is linear, but a page this large
#: is not a contract anyone reads token by token).
MAX_CHARS = 2_000_000

# Delimiters: blanks, markup, quotes, and the punctuation that separates values in prose, CSV
# and query strings. Not ``:``, ``.``, ``-``, ``/``, ``@``, ``+``: they sit inside times,
# decimals, ids, paths and addresses, which must stay one token each.
_SPLIT = re.compile(r"(\s+|[<>\"'`=&;,|()\[\]{}])")
_NUMBER = re.compile(r"-?\d{1,30}(?:\.\d{1,30})?")


def same_text(before: str, after: str) -> bool:
    """Whether two texts hold the same tokens, up to values of a kind (see the module doc)."""
    if before == after:
        return True
    if len(before) > MAX_CHARS or len(after) > MAX_CHARS:
        return False
    a, b = _SPLIT.split(before), _SPLIT.split(after)
    if len(a) != len(b):
        return False
    word: str | None = None  # the last word before the token: the "field name" of a value
    for x, y in zip(a, b, strict=True):
        if x != y and not same_kind(_value(x), _value(y), word):
            return False
        if x and not _SPLIT.fullmatch(x) and _NUMBER.fullmatch(x) is None:
            word = x
    return True


def _value(token: str) -> str | int | float:
    """A token as the value it writes: a number as a number (so a timing word's numbers
    compare as numbers), anything else as the string."""
    if _NUMBER.fullmatch(token) is None:
        return token
    return float(token) if "." in token else int(token)
