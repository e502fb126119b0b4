"""Literal gates: a cue pattern is searched only where the literals its matches need occur.

A case-insensitive search costs several microseconds per sentence, whatever it finds; most
sentences hold none of the words a cue list needs. Every match of "signed|inked|sealed" holds
one of those words. So each cue pattern gets a gate: the literals one of which every match
holds. One Aho-Corasick pass over the lower-cased article finds where every gate's literals
occur; a search then runs only on a stretch holding one of its own, and from no earlier than a
match can start before the first of them: the matches are the same, only the misses are cheaper.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from functools import lru_cache
from re import _constants as _c
from re import _parser
from typing import Any

import ahocorasick

# The width the parser gives an unbounded pattern: MAXWIDTH where the parser has it (later 3.11 releases,
# 3.12 on), MAXREPEAT in earlier ones (Debian 12's Python 3.11.2).
_UNBOUNDED = getattr(_parser, "MAXWIDTH", _c.MAXREPEAT)


def fold(text: str) -> str | None:
    """`text` lower-cased, position for position; None when a case-insensitive pattern could match
    letters there that lower-casing does not turn into the pattern's own (Turkish dotted and dotless
    i, long s: "İ", "ı", "ſ"), or when lower-casing changes the length."""
    folded = text.lower()
    if text.isascii():
        return folded
    if len(folded) != len(text) or "ı" in text or "ſ" in text:
        return None
    return folded


def _usable(code: int) -> bool:
    """A literal character a gate may ask for: ASCII (whose case-insensitive matches all lower-case
    to it, but for "İ", "ı", "ſ", which `fold` refuses), or a character without case ("–", "’")."""
    return code < 128 or chr(code).lower() == chr(code).upper() == chr(code)


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-case strings one of which is part of every match of `pattern` (searched
    case-insensitively); None when there are none to speak of (a class, a look-around, ...)."""
    found = _requirement(pattern)
    return found[0] if found else None


def _requirement(pattern: str) -> tuple[frozenset[str], int | None] | None:
    """`required_literals`, and the most characters a match can have before the one it holds
    (None: no limit, as in "\\w+ ago")."""
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    return _required(list(parsed), parsed.state)


_Requirement = tuple[frozenset[str], int | None]


def _required(items: list, state: Any) -> _Requirement | None:
    """The best requirement of a parsed sequence: of the literal runs and the groups that every
    match goes through, the set whose shortest string is longest; with its offset."""
    candidates: list[_Requirement] = []
    run: list[str] = []
    run_offset: int | None = 0
    offset: int | None = 0  # the most characters a match can have before the current item
    for op, av in items:
        if op is _c.LITERAL and _usable(av):
            if not run:
                run_offset = offset
            run.append(chr(av).lower())
            offset = None if offset is None else offset + 1
            continue
        if run:
            candidates.append((frozenset({"".join(run)}), run_offset))
            run = []
        sub: _Requirement | None = None
        if op is _c.SUBPATTERN:
            sub = _required(list(av[-1]), state)
        elif op is _c.ATOMIC_GROUP:
            sub = _required(list(av), state)
        elif op is _c.BRANCH:
            branches = [_required(list(b), state) for b in av[1]]
            if all(b is not None for b in branches):
                inner = [b[1] for b in branches]
                sub = frozenset().union(*(b[0] for b in branches)), None if None in inner else max(inner)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = _required(list(av[2]), state)  # the first repetition holds it
        elif op is _c.IN and all(o is _c.LITERAL and _usable(a) for o, a in av):
            sub = frozenset(chr(a).lower() for _, a in av), 0  # "[–—]"
        if sub:
            candidates.append((sub[0], None if offset is None or sub[1] is None else offset + sub[1]))
        width = _parser.SubPattern(state, [(op, av)]).getwidth()[1]
        offset = None if offset is None or width >= _UNBOUNDED else offset + width
    if run:
        candidates.append((frozenset({"".join(run)}), run_offset))
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(len(s) for s in c[0]), -len(c[0])))


class _Literals:
    """Every gate's literals, each with a bit of its own, and their Aho-Corasick automaton."""

    bits: dict[str, int] = {}
    version = 0  # grows with every literal added: an index read with an older automaton is read again
    automaton: ahocorasick.Automaton | None = None

    @classmethod
    def mask(cls, literals: Iterable[str]) -> int:
        mask = 0
        for literal in literals:
            if literal not in cls.bits:
                cls.bits[literal] = 1 << len(cls.bits)
                cls.version += 1
                cls.automaton = None
            mask |= cls.bits[literal]
        return mask

    @classmethod
    def find(cls, folded: str) -> Iterator[tuple[int, tuple[int, int]]]:
        """(end index, (length, bit)) of every occurrence of every literal in `folded`."""
        if cls.automaton is None:
            automaton = ahocorasick.Automaton()
            for literal, bit in cls.bits.items():
                automaton.add_word(literal, (len(literal), bit))
            automaton.make_automaton()
            cls.automaton = automaton
        return cls.automaton.iter(folded) if cls.bits else iter(())


class LiteralIndex:
    """Where the gate literals occur in one text, and so which of them a stretch of it holds."""

    __slots__ = ("text", "version", "unreadable", "starts", "ends", "bits", "spans")

    def __init__(self, text: str):
        self.text = text
        self.version = -1  # not read yet

    def _read(self) -> None:
        folded = fold(self.text)
        found = sorted((end + 1 - length, end + 1, bit) for end, (length, bit) in _Literals.find(folded or ""))
        self.unreadable = folded is None  # then every gate stays open
        self.starts = [a for a, _, _ in found]
        self.ends = [b for _, b, _ in found]
        self.bits = [bit for _, _, bit in found]
        self.spans: dict[tuple[int, int], int] = {}
        self.version = _Literals.version

    def mask(self, lo: int, hi: int) -> int:
        """The bits of the literals that occur inside text[lo:hi] (-1, every bit, when unreadable)."""
        if self.version != _Literals.version:
            self._read()
        if self.unreadable:
            return -1
        mask = self.spans.get((lo, hi))
        if mask is None:
            mask = 0
            i = bisect_left(self.starts, lo)
            starts, ends, bits = self.starts, self.ends, self.bits
            while i < len(starts) and starts[i] < hi:
                if ends[i] <= hi:
                    mask |= bits[i]
                i += 1
            self.spans[(lo, hi)] = mask
        return mask

    def first(self, lo: int, hi: int, mask: int) -> int:
        """Where the first of the literals in `mask` starts inside text[lo:hi] (lo when unreadable;
        `mask(lo, hi)` has said that one is there)."""
        if self.unreadable:
            return lo
        i = bisect_left(self.starts, lo)
        starts, ends, bits = self.starts, self.ends, self.bits
        while i < len(starts) and starts[i] < hi:
            if ends[i] <= hi and bits[i] & mask:
                return starts[i]
            i += 1
        return lo


@lru_cache(maxsize=8)
def literal_index(text: str) -> LiteralIndex:
    """The literal index of a text (the article, read by every extractor in turn), made once."""
    return LiteralIndex(text)


class LiteralGate:
    """Whether a case-insensitive search for any of some patterns can match in a stretch of text:
    False only when the stretch holds none of the literals every match needs."""

    __slots__ = ("literals", "mask", "lead")

    def __init__(self, patterns: Iterable[str]):
        found: set[str] = set()
        leads: list[int | None] = []
        for p in patterns:
            required = _requirement(p)
            if required is None:
                self.literals: tuple[str, ...] | None = None  # a pattern without literals: always search
                self.mask = -1
                self.lead: int | None = None
                return
            found |= required[0]
            leads.append(required[1])
        # "sign" is in every text that holds "signed": the shorter literal is enough.
        self.literals = tuple(sorted(s for s in found if not any(t != s and t in s for t in found)))
        self.mask = _Literals.mask(self.literals)
        # The most a match holds before its literal; "declaration of intent" stands for "joint
        # declaration of intent" six characters in.
        shift = max((min(s.find(t) for t in self.literals if t in s) for s in found), default=0)
        self.lead = None if None in leads else max(leads, default=0) + shift

    def admits(self, text: str, lo: int = 0, hi: int = sys.maxsize) -> bool:
        """Whether a match may lie inside text[lo:hi]."""
        return self.mask == -1 or bool(literal_index(text).mask(lo, hi) & self.mask)

    def start(self, text: str, lo: int = 0, hi: int = sys.maxsize) -> int | None:
        """Where a search of text[lo:hi] may start and find every match: none starts more than `lead`
        characters before the first literal; None when no match can be there."""
        if self.mask == -1:
            return lo
        index = literal_index(text)
        if not index.mask(lo, hi) & self.mask:
            return None
        if self.lead is None:
            return lo
        return max(lo, index.first(lo, hi, self.mask) - self.lead)


class GatedPattern:
    """A compiled pattern behind a literal gate: `search` and `finditer` skip the regex when the
    searched stretch holds none of the literals its matches need.

    `alternatives`: patterns one of which every match of `pattern` also matches somewhere inside,
    such as its branches when it is an alternation (a cue list): read one by one, they give a closer
    gate than the whole pattern, whose branches the regex parser merges by common prefix
    ("signed|sealed" -> "s(?:igned|ealed)")."""

    __slots__ = ("pattern", "gate")

    def __init__(self, pattern: re.Pattern[str], alternatives: Iterable[str] | None = None):
        self.pattern = pattern
        self.gate = LiteralGate([pattern.pattern] if alternatives is None else alternatives)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        start = self.gate.start(text, pos, endpos)
        return None if start is None else self.pattern.search(text, start, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        start = self.gate.start(text, pos, endpos)
        return iter(()) if start is None else self.pattern.finditer(text, start, endpos)

    def search_alone(self, text: str, lo: int, hi: int) -> re.Match[str] | None:
        """`pattern.search(text[lo:hi])`: the stretch searched as a string of its own (where it opens a
        word even if cut from one, and "^" is its start), behind the gate of that stretch."""
        return self.pattern.search(text[lo:hi]) if self.gate.admits(text, lo, hi) else None
