"""What every relation extractor needs to know about one article, computed once."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from pipeline.extract.dates import DateMention, find_dates
from pipeline.extract.gazetteer import Hit
from pipeline.extract.partners import PartnerMention
from pipeline.extract.records import DateValue, Sentence
from pipeline.extract.vocab import PartnerEntry, Vocabulary

_BOTH_RE = re.compile(
    r"\b(?:both (?:sides|countries|nations|governments|leaders|parties|ministers)|the two (?:sides|countries|nations|governments|leaders|economies)|two countries|two nations|each other)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AbsoluteDate:
    start: int
    end: int
    value: DateValue | None
    text: str


@dataclass
class ArticleContext:
    text: str
    sentences: list[Sentence]
    published: dt.date | None
    vocab: Vocabulary
    entries: dict[str, PartnerEntry]  # vocabulary entries plus this article's pattern organisations
    mentions: list[PartnerMention]  # every partner name, rivals included
    places: list[tuple[Hit, int]]  # place names used as locations
    mineral_hits: list[Hit]
    person_spans: list[tuple[int, int, str | None]] = field(default_factory=list)  # start, end, country
    _dates: dict[int, list[AbsoluteDate]] = field(default_factory=dict)

    # ------------------------------------------------------------ partners

    def usable(self, m: PartnerMention) -> bool:
        return m.role == "partner" and self.entries[m.key].is_partner

    def partners_in(self, start: int, end: int) -> list[PartnerMention]:
        # Mentions come in text order: a bisect finds the first one, so a question costs what it returns.
        out = []
        for m in self.mentions[bisect_left(self._mention_starts, start) :]:
            if m.start >= end:
                break
            if m.end <= end and self.usable(m):
                out.append(m)
        return out

    def mentions_in_sentence(self, index: int) -> list[PartnerMention]:
        """Every partner name in sentence `index`, rivals and venues included."""
        return self._mentions_by_sentence.get(index, [])

    @cached_property
    def _mention_starts(self) -> list[int]:
        starts = [m.start for m in self.mentions]
        if starts != sorted(starts):
            raise ValueError("partner mentions must be in text order")
        return starts

    @cached_property
    def _mentions_by_sentence(self) -> dict[int, list[PartnerMention]]:
        out: dict[int, list[PartnerMention]] = {}
        for m in self.mentions:
            out.setdefault(m.sentence, []).append(m)
        return out

    # The mentions are fixed once the context is built, so these are computed once, not per question.
    @cached_property
    def country_counts(self) -> Counter[str]:
        return Counter(m.key for m in self.mentions if m.key.startswith("country:") and self.usable(m))

    @cached_property
    def home(self) -> str | None:
        """The article's own country: the one it names most (first named on a tie)."""
        counts = self.country_counts
        if not counts:
            return None
        best = max(counts.values())
        for m in self.mentions:
            if counts.get(m.key) == best:
                return m.key
        return None

    def top_countries(self, n: int = 2) -> list[str]:
        counts = self.country_counts
        order = {k: i for i, k in reversed(list(enumerate(m.key for m in self.mentions)))}
        return sorted(counts, key=lambda k: (-counts[k], order[k]))[:n]

    def both_sides(self, start: int, end: int) -> list[str]:
        """ "Both sides" / "the two countries" in [start, end): the article's two main countries."""
        if _BOTH_RE.search(self.text, start, end):
            return self.top_countries(2)
        return []

    def paragraph_topic(self, sentence_index: int) -> str | None:
        """The first foreign partner named in the sentence's paragraph, up to that sentence."""
        paragraph = self.sentences[sentence_index].paragraph
        home = self.home
        for m in self.mentions:
            s = self.sentences[m.sentence]
            if (
                s.paragraph == paragraph
                and m.sentence <= sentence_index
                and m.key != home
                and self.usable(m)
                and self.entries[m.key].partner_type in {"country", "bloc"}
            ):
                return m.key
        return None

    def sentence_countries(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for m in self.mentions:
            if m.key.startswith("country:") and self.usable(m):
                keys = out.setdefault(m.sentence, [])
                iso3 = m.key.split(":")[1]
                if iso3 not in keys:
                    keys.append(iso3)
        return out

    # ------------------------------------------------------------ minerals and dates

    def minerals_in(self, start: int, end: int) -> list[str]:
        out: list[str] = []
        for h in self.mineral_hits:
            if start <= h.start and h.end <= end:
                mineral_id = h.target.split(":", 1)[1]
                if mineral_id not in out:
                    out.append(mineral_id)
        return out

    def dates_in_sentence(self, index: int) -> list[AbsoluteDate]:
        if index not in self._dates:
            s = self.sentences[index]
            found: list[DateMention] = find_dates(self.text[s.start : s.end], self.published)
            self._dates[index] = [AbsoluteDate(s.start + d.start, s.start + d.end, d.date, d.text) for d in found]
        return self._dates[index]

    def nearest_date(self, index: int, start: int, end: int, lo: int, hi: int) -> DateValue | None:
        """The resolved date in [lo, hi) nearest to [start, end), the more precise on a tie."""
        rank = {"day": 0, "month": 1, "year": 2}
        best: tuple[int, int, DateValue] | None = None
        for d in self.dates_in_sentence(index):
            if d.value is None or d.start < lo or d.end > hi:
                continue
            distance = max(0, d.start - end, start - d.end)
            candidate = (distance // 40, rank[d.value.precision], d.value)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
        return best[2] if best else None
