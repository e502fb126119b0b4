"""Promises about what ONE event is, on sentences written for these tests (not the fixture articles)."""

from pipeline.extract import gather_candidates
from pipeline.extract.events import _accept, _cluster
from pipeline.extract.model import load_models

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
