"""Promises about what ONE event is, on sentences written for these tests (not the fixture articles)."""

import datetime as dt

from pipeline.extract import gather_candidates
from pipeline.extract.events import _accept, _cluster, _merge_same_day
from pipeline.extract.model import load_models
from pipeline.extract.records import DateValue, EventRecord, Span

TWO_ROUNDS = """ date 2026-06-12 Japan and Chile hold second minerals dialogue
Japan and Chile held the second round of their critical minerals dialogue in Tokyo on 10 June 2026.
The dialogue covered lithium and copper supply chains.
The first round of the dialogue was launched in Santiago in February 2026.
"""


class _AlwaysSame:
    """A same-event model that would merge everything: only the hard rules keep occurrences apart."""

    def probability(self, features: dict) -> float:
        return 0.99


def test_triggers_whose_dates_contradict_are_never_one_occurrence():
    c = gather_candidates("t.txt", TWO_ROUNDS)
    accepted = _accept(c.doc, c.triggers, load_models())
    clusters = _cluster(c.doc, accepted, _AlwaysSame())
    for cluster in clusters:
        dates = {m.date[1].value.iso() for m in cluster.members if m.date}
        assert len({d[:7] for d in dates}) <= 1, dates
    assert len(clusters) >= 2


def _signing(day: str, participants: list[str], location: str | None = None) -> EventRecord:
    return EventRecord("signing", "a signing", False, DateValue(dt.date.fromisoformat(day), "day"), location, None,
                       participants, 0.8, [Span(0, 6, 0)])  # fmt: skip


def test_occurrences_of_one_type_on_one_stated_day_are_one_event():
    # "Kenya and Japan signed a lithium memorandum in Nairobi on 4 May. The same day Kenya signed a cobalt
    # deal with Japanese buyers": two triggers, one signing.
    merged = _merge_same_day(
        [
            _signing("2026-05-04", ["country:KEN", "country:JPN"], "Nairobi"),
            _signing("2026-05-04", ["country:KEN"]),
            _signing("2026-05-06", ["country:KEN"]),
        ]  # fmt: skip
    )
    assert [r.date.iso() for r in merged] == ["2026-05-04", "2026-05-06"]
    assert merged[0].participants == ["country:KEN", "country:JPN"] and merged[0].location == "Nairobi"


def _trigger_types(sentence: str) -> dict[str, str]:
    c = gather_candidates("t.txt", f" date 2026-04-02\n{sentence} Both want secure supply of lithium and cobalt.")
    return {t.word: t.lexicon_type for t in c.triggers}


def test_a_standing_mechanism_is_a_dialogue_candidate():
    # The guide's settled call 43: a Dialogue, Working Group, Joint Committee or Commission is a `dialogue`.
    assert (
        _trigger_types("Peru and Kenya held the first meeting of their Joint Working Group on copper.")["joint working group"]
        == "dialogue"
    )
    assert _trigger_types("The Ghana-Japan joint commission met in Accra on Monday.")["joint commission"] == "dialogue"


def test_a_launch_or_unveiling_is_an_announcement_candidate():
    assert _trigger_types("Malawi launched its national critical minerals strategy on Monday.")["launched"] == "announcement"
    assert _trigger_types("The bloc unveils a list of strategic projects.")["unveils"] == "announcement"
