"""Place expressions an event could have taken place at: cities (GeoNames, cities.csv) and venues
(pipeline/vocab/venues.yaml), a venue resolved to its city.

Candidate generation, so it aims at recall: every city or venue name in the text is a place
candidate; which one, if any, is an event's location is decided by a model
(pipeline/extract/decide_events.py) from the words around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import ahocorasick

from pipeline.extract.text import sentence_index
from pipeline.extract.vocab import load_vocabulary, load_yaml

# City names that are far more often ordinary words or people's names in this kind of news.
_NOT_PLACES = frozenset(
    {"Of", "As", "Most", "Mobile", "Reading", "Nice", "Split", "Bath", "Union", "March", "May", "Marsa", "Bar", "Sale",
     "Male", "Mon", "Victoria", "Lincoln", "Wilson", "Washington Heights", "David", "Santa", "San", "Trump", "Biden",
     "Modi", "Carney", "Albanese", "Ishiba", "Takaichi", "King", "Hope", "Sanaa", "Tata", "Vale", "Rio", "Goyal",
     "Kumar", "Joshi", "Reddy", "Rao", "Singh", "Lee", "Kim", "Park", "Wang", "Li", "Ma"}
)  # fmt: skip


@dataclass(frozen=True)
class Venue:
    name: str
    city: str
    iso3: str


@dataclass(frozen=True)
class PlaceMention:
    """A city or venue named at text[start:end] in sentence `sentence`; `city` is where it is."""

    start: int
    end: int
    sentence: int
    city: str
    iso3: str | None
    kind: str  # city | venue
    capital: bool  # the city is a national capital (its name can stand for the government)


@cache
def venues() -> dict[str, Venue]:
    """Every venue name and alias -> the venue."""
    out: dict[str, Venue] = {}
    for v in load_yaml("venues.yaml")["venues"]:
        venue = Venue(v["name"], v["city"], v["country"])
        for surface in [v["name"], *v.get("aliases", [])]:
            out[surface] = venue
    return out


@cache
def _automaton() -> ahocorasick.Automaton:
    vocab = load_vocabulary()
    capitals = {a.surface for a in vocab.aliases if a.form == "capital"}
    automaton = ahocorasick.Automaton()
    for name, city in vocab.cities.items():
        if name not in _NOT_PLACES and len(name) > 2:
            automaton.add_word(name, (name, "city", city.name, city.iso3, name in capitals))
    for surface, venue in venues().items():
        automaton.add_word(surface, (surface, "venue", venue.city, venue.iso3, False))
    automaton.make_automaton()
    return automaton


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def find_places(text: str, sentences: list) -> list[PlaceMention]:
    """Every city and venue name in `text`, longest first where names overlap, in text order."""
    found: list[tuple[int, int, tuple]] = []
    for end_index, value in _automaton().iter(text):
        surface = value[0]
        end = end_index + 1
        start = end - len(surface)
        if (start > 0 and _word_char(text[start - 1])) or (end < len(text) and _word_char(text[end])):
            continue
        found.append((start, end, value))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[PlaceMention] = []
    reach = -1
    for start, end, (_, kind, city, iso3, capital) in found:
        if start < reach:
            continue
        index = sentence_index(sentences, start)
        if index is None:
            continue
        out.append(PlaceMention(start, end, index, city, iso3, kind, capital))
        reach = end
    return out
