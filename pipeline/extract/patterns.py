"""Vocabulary phrase lists compiled into one regular expression that stays fast.

Python's regex engine tries every branch of an alternation at every word boundary: a cue list
of eighty phrases costs eighty failed attempts per word. Grouping the branches by their first
character, behind a one-character lookahead, lets the engine skip a whole group at once; the
matches are the same, because two branches that start with different letters can never match
at the same position, and within a group the order of the branches is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

_PLAIN_START = re.compile(r"[A-Za-z0-9]")


def dispatch_alternation(branches: Iterable[str | tuple[str, str]]) -> str:
    """The branches as one alternation, grouped by (case-folded) first character. A branch given
    as (name, pattern) becomes the named group `(?P<name>pattern)`, so `match.lastgroup` says which.

    A branch that does not open with a plain letter or digit (a group, a class, an escape) goes to
    a final catch-all group, after the others (as does a branch with a `|` of its own), so the result never depends on parsing regex syntax.
    """
    groups: dict[str, list[str]] = {}
    rest: list[str] = []
    for branch in branches:
        name, pattern = branch if isinstance(branch, tuple) else (None, branch)
        emitted = f"(?P<{name}>{pattern})" if name else pattern
        head = pattern[:1]
        if _PLAIN_START.fullmatch(head) and "|" not in pattern and not (len(pattern) > 1 and pattern[1] in "?*{"):
            groups.setdefault(head.lower(), []).append(emitted)
        else:
            rest.append(emitted if name else f"(?:{pattern})")
    parts = [f"(?=[{c}{c.upper()}])(?:{'|'.join(bs)})" if c.isalpha() else f"(?={c})(?:{'|'.join(bs)})"
             for c, bs in groups.items()]  # fmt: skip
    if rest:
        parts.append(f"(?:{'|'.join(rest)})")
    return "|".join(parts) if parts else "(?!)"


@cache
def phrase_pattern(phrases: tuple[str, ...], right_boundary: str = r"\b") -> re.Pattern[str]:
    """`\\b(?:p1|p2|...)<right_boundary>`, case-insensitive, with first-character dispatch."""
    return re.compile(rf"\b(?:{dispatch_alternation(phrases)}){right_boundary}", re.IGNORECASE)
