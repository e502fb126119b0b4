"""Extraction quality against gold annotations, with floors that must hold."""

import pytest

from pipeline.evaluate import canonical_partner, evaluate

from .conftest import DEV_GOLD, GOLD

SEED_FLOORS = {"partners": 0.90, "minerals": 0.90, "people": 0.80, "agreements": 0.60, "events": 0.60}
# The development set was written by other hands than the rules and never tuned on
# sentence by sentence; its floors record where extraction stands and stop regressions.
DEV_FLOORS = {"partners": 0.60, "minerals": 0.90, "people": 0.85, "agreements": 0.45, "events": 0.55}


@pytest.mark.parametrize("table", SEED_FLOORS)
def test_seed_articles_meet_their_f1_floor(seed_tables, table):
    report = evaluate(GOLD, seed_tables)
    assert report.articles == 5
    assert report.scores[table].f1 >= SEED_FLOORS[table], report.format()


@pytest.mark.parametrize("table", DEV_FLOORS)
def test_development_articles_meet_their_f1_floor(dev_tables, table):
    report = evaluate(DEV_GOLD, dev_tables)
    assert report.articles >= 15
    assert report.scores[table].f1 >= DEV_FLOORS[table], report.format()


def test_partner_names_resolve_through_the_vocabulary():
    assert canonical_partner("KABIL") == canonical_partner("Khanij Bidesh India Limited")
    assert canonical_partner("European Union") == canonical_partner("EU")
    assert canonical_partner("Canada", "CAN") == "CAN"


def test_evaluation_can_fail(seed_tables):
    """A warehouse with the people removed scores zero recall on people."""
    tables = dict(seed_tables)
    tables["mentions"] = tables["mentions"][tables["mentions"]["entity_type"] != "person"]
    assert evaluate(GOLD, tables).scores["people"].recall == 0
