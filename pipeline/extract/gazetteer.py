"""Finding vocabulary names in text: Aho-Corasick automata, word boundaries, longest match.

pyahocorasick scans the text once for every alias of every vocabulary, in time linear in
the text, whatever the vocabulary's size; a regex alternation of thousands of names would
backtrack. Case-sensitive names (countries, acronyms) and case-insensitive ones
(minerals) use two automata over the original and the lower-cased text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

import ahocorasick

from pipeline.extract.vocab import Alias, Vocabulary, load_vocabulary


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    alias: Alias

    @property
    def target(self) -> str:
        return self.alias.target


def hits_starting_in(hits: list[Hit], start: int, end: int) -> list[Hit]:
    """The hits (a list in text order, as `select_longest` returns it) that start in [start, end), by bisect."""
    return hits[bisect_left(hits, start, key=_hit_start) : bisect_left(hits, end, key=_hit_start)]


def _hit_start(hit: Hit) -> int:
    return hit.start


class Coverage:
    """Whether an offset lies inside any of some hits, by bisect rather than a scan of every hit."""

    __slots__ = ("_starts", "_reach")

    def __init__(self, hits: Iterable[Hit]):
        ordered = sorted(hits, key=_hit_start)
        self._starts = [h.start for h in ordered]
        self._reach = list(accumulate((h.end for h in ordered), max))  # the furthest end up to each hit

    def covers(self, pos: int) -> bool:
        """Some hit has start <= pos < end: the furthest end of the hits starting at or before pos is past it."""
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and self._reach[i] > pos

    def contains(self, start: int, end: int) -> bool:
        """Some hit has hit.start <= start and end <= hit.end."""
        i = bisect_right(self._starts, start) - 1
        return i >= 0 and self._reach[i] >= end

    def overlaps(self, start: int, end: int) -> bool:
        """Some hit shares a character with [start, end): it starts before `end` and reaches past `start`."""
        i = bisect_left(self._starts, end) - 1
        return i >= 0 and self._reach[i] > start


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _build(aliases: list[Alias]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    by_surface: dict[str, list[Alias]] = {}
    for a in aliases:
        by_surface.setdefault(a.surface, []).append(a)
    # Hand-written aliases outrank library names for the same surface ("Congo" -> the DRC).
    rank = {"alias": 0, "acronym": 0, "metonym": 1, "name": 2, "demonym": 3, "adjective": 3, "capital": 4}
    for surface, options in by_surface.items():
        options.sort(key=lambda a: rank.get(a.form, 5))
        automaton.add_word(surface, (surface, tuple(options)))
    automaton.make_automaton()
    return automaton


@dataclass
class Gazetteer:
    vocabulary: Vocabulary
    sensitive: ahocorasick.Automaton
    insensitive: ahocorasick.Automaton

    def find(self, text: str) -> list[Hit]:
        """Every vocabulary name in `text` on word boundaries; overlaps resolved longest-first."""
        candidates: list[Hit] = []
        lowered = text.lower()
        if len(lowered) != len(text):  # rare Unicode whose lower case changes length
            lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
        for haystack, automaton in ((text, self.sensitive), (lowered, self.insensitive)):
            for end_index, (surface, options) in automaton.iter(haystack):
                start = end_index - len(surface) + 1
                end = end_index + 1
                if start > 0 and _is_word_char(text[start - 1]) and _is_word_char(surface[0]):
                    continue
                if end < len(text) and _is_word_char(text[end]) and _is_word_char(surface[-1]):
                    # allow plural/possessive-free boundaries only
                    continue
                candidates.append(Hit(start, end, options[0]))
        return select_longest(candidates)


def select_longest(hits: list[Hit]) -> list[Hit]:
    """Non-overlapping hits, preferring the longest, then the leftmost."""
    if not hits:
        return []
    chosen: list[Hit] = []
    occupied = bytearray(max(h.end for h in hits))  # one flag per character: linear, not quadratic
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if 1 in occupied[hit.start : hit.end]:
            continue
        chosen.append(hit)
        occupied[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
    return sorted(chosen, key=lambda h: h.start)


@cache
def load_gazetteer() -> Gazetteer:
    vocab = load_vocabulary()
    sensitive: list[Alias] = []
    insensitive: list[Alias] = []
    for a in vocab.aliases:
        if a.case_sensitive:
            sensitive.append(a)
            # A name opening a sentence or a headline word may be capitalised.
            if a.surface[:1].islower():
                sensitive.append(Alias(a.surface[:1].upper() + a.surface[1:], a.target, a.form, True))
        else:
            insensitive.append(Alias(a.surface.lower(), a.target, a.form, False))
    return Gazetteer(vocab, _build(sensitive), _build(insensitive))
