"""Vocabulary phrase lists compiled into one regular expression that stays fast.

Python's regex engine tries every branch of an alternation at every word boundary: a cue list
of eighty phrases costs eighty failed attempts per word. Grouping the branches by their first
character, behind a one-character lookahead, lets the engine skip a whole group at once; the
matches are the same, because two branches that start with different letters can never match
at the same position, and within a group the order of the branches is kept. With twenty groups
or so, runs of groups sit behind a look-ahead for all their first characters, so that most
characters are turned away by a handful of look-aheads rather than by one per group.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache, wraps
from re import _constants as _c
from re import _parser
from typing import Any, TypeVar

from pipeline.extract.literal_gates import GatedPattern

_PLAIN_START = re.compile(r"[A-Za-z0-9]")
_T = TypeVar("_T")


def cached_by_identity(build: Callable[[Any], _T]) -> Callable[[Any], _T]:
    """`build(obj)` computed once per object, for an unhashable object loaded once (the vocabulary):
    keying a cache on its cue lists instead hashes every phrase again at each call."""
    memo: dict[int, tuple[Any, _T]] = {}

    @wraps(build)
    def get(obj: Any) -> _T:
        entry = memo.get(id(obj))
        if entry is None or entry[0] is not obj:  # the stored reference keeps the id from being reused
            entry = memo[id(obj)] = (obj, build(obj))
        return entry[1]

    return get


def first_characters(pattern: str) -> frozenset[str] | None:
    """The characters a match of `pattern` can begin with, lower-cased; None when that is not a
    small set of ASCII letters and digits (a class like \\w, a negation, an empty match ...)."""
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    chars, can_be_empty = _first(list(parsed))
    if chars is None or can_be_empty:
        return None
    folded = frozenset(c.lower() for c in chars)
    return folded if all(_PLAIN_START.fullmatch(c) for c in folded) else None


def _first(items: list) -> tuple[set[str] | None, bool]:
    """First characters of a parsed sequence (None: unknown) and whether it can match nothing."""
    out: set[str] = set()
    for op, av in items:
        if op is _c.AT:
            continue  # \b, ^, $: they consume nothing
        if op is _c.LITERAL:
            return out | {chr(av)}, False
        if op is _c.IN:
            for o, a in av:
                if o is _c.LITERAL:
                    out.add(chr(a))
                elif o is _c.RANGE and a[1] - a[0] < 64:
                    out.update(chr(code) for code in range(a[0], a[1] + 1))
                else:
                    return None, False
            return out, False
        if op is _c.SUBPATTERN:
            chars, empty = _first(list(av[-1]))
        elif op is _c.BRANCH:
            chars, empty = set(), False
            for branch in av[1]:
                sub, sub_empty = _first(list(branch))
                if sub is None:
                    return None, False
                chars |= sub
                empty = empty or sub_empty
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, _high, sub_items = av
            chars, empty = _first(list(sub_items))
            empty = empty or low == 0
        else:
            return None, False
        if chars is None:
            return None, False
        out |= chars
        if not empty:
            return out, False
    return out, True


DISPATCH_FANOUT = 6  # groups behind one shared look-ahead (6 measured fastest on the cue lists, 4 and 8 slower)


def _cased(c: str) -> str:
    """A first character as a character class's members: both cases of a letter."""
    return c + c.upper() if c.isalpha() else c


def dispatch_alternation(branches: Iterable[str | tuple[str, str]]) -> str:
    """The branches as one alternation, grouped by (case-folded) first character. A branch given
    as (name, pattern) becomes the named group `(?P<name>pattern)`, so `match.lastgroup` says which.

    A branch that can begin with several letters ("(?:run|go) through") joins the group of each; a
    branch whose first characters are not a small set of letters and digits goes to a final
    catch-all group, after the others, so the result is always correct whatever the regex syntax.
    """
    groups: dict[str, list[str]] = {}
    rest: list[str] = []
    for branch in branches:
        name, pattern = branch if isinstance(branch, tuple) else (None, branch)
        starts = first_characters(pattern)
        emitted = f"(?P<{name}>{pattern})" if name else f"(?:{pattern})"
        if starts is None or (name and len(starts) > 1):
            rest.append(emitted)  # a group name may appear only once in a pattern
            continue
        for c in sorted(starts):
            groups.setdefault(c, []).append(emitted)
    letters = list(groups)
    parts = [f"(?=[{_cased(c)}])(?:{'|'.join(bs)})" for c, bs in groups.items()]
    if len(parts) > DISPATCH_FANOUT:
        # Two levels: a character that opens no branch of a run of groups fails one look-ahead, not one per group.
        runs = range(0, len(parts), DISPATCH_FANOUT)
        parts = [
            f"(?=[{''.join(map(_cased, letters[i : i + DISPATCH_FANOUT]))}])(?:{'|'.join(parts[i : i + DISPATCH_FANOUT])})"
            for i in runs
        ]
    if rest:
        parts.append(f"(?:{'|'.join(rest)})")
    return "|".join(parts) if parts else "(?!)"


def all_phrases(groups: Iterable[tuple[str, Iterable[str]]]) -> tuple[str, ...]:
    """Every phrase of every (name, phrases) group: one search then tells whether any group can match."""
    return tuple(p for _, phrases in groups for p in phrases)


@cache
def phrase_pattern(phrases: tuple[str, ...], right_boundary: str = r"\b") -> re.Pattern[str]:
    """`\\b(?:p1|p2|...)<right_boundary>`, case-insensitive, with first-character dispatch."""
    return re.compile(rf"\b(?:{dispatch_alternation(phrases)}){right_boundary}", re.IGNORECASE)


def gated_phrases(phrases: Iterable[str], right_boundary: str = r"\b") -> GatedPattern:
    """`phrase_pattern` behind the literal gate of its phrases."""
    phrases = tuple(phrases)
    return GatedPattern(phrase_pattern(phrases, right_boundary), phrases)


def _is_word_char(text: str, i: int) -> bool:
    """`\\w` at text[i] (the regex engine's: alphanumeric or "_"); False outside the text."""
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


def word_spans(text: str, word: str, unless_before: re.Pattern[str] | None = None) -> Iterator[tuple[int, int]]:
    """The spans of `re.finditer(rf"\\b{re.escape(word)}\\b(?!{unless_before})", text)`, without compiling a
    pattern for each word (a name of the article: the compiled patterns would push the fixed ones out
    of the re module's cache): str.find jumps to each occurrence, where the word boundaries and the
    look-ahead are checked."""
    pos = text.find(word)
    while pos >= 0:
        end = pos + len(word)
        if (
            _is_word_char(text, pos - 1) != _is_word_char(text, pos)
            and _is_word_char(text, end - 1) != _is_word_char(text, end)
            and (unless_before is None or unless_before.match(text, end) is None)
        ):
            yield pos, end
            pos = text.find(word, end)
        else:
            pos = text.find(word, pos + 1)
