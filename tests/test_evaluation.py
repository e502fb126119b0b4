"""Extraction quality against gold annotations, with floors that must hold."""

import pytest

from pipeline.evaluate import canonical_partner, evaluate

from .conftest import DEV_GOLD, GOLD

# The dataset's promise (issue #3): F1 >= 0.90 for partners, minerals and people, >= 0.75 for
# agreements and events, and agreement-status accuracy >= 0.80. The seed articles meet it. The
# development set (48 articles written by other hands than the rules; 32 of them were first kept
# unseen as held-out sets and measured before anyone read them) does not yet meet it everywhere:
# its floors below are where extraction stands today, so that no change makes it worse; raising
# them to the promise is open work.
FLOORS = {"partners": 0.90, "minerals": 0.90, "people": 0.90, "agreements": 0.75, "events": 0.75}
DEV_FLOORS = {"partners": 0.90, "minerals": 0.96, "people": 0.96, "agreements": 0.75, "events": 0.76}
STATUS_ACCURACY_FLOOR = 0.80
DEV_STATUS_ACCURACY_FLOOR = 0.81


@pytest.mark.parametrize("table", FLOORS)
def test_seed_articles_meet_their_f1_floor(seed_tables, table):
    report = evaluate(GOLD, seed_tables)
    assert report.articles == 5
    assert report.scores[table].f1 >= FLOORS[table], report.format()


@pytest.mark.parametrize("table", DEV_FLOORS)
def test_development_articles_meet_their_f1_floor(dev_tables, table):
    report = evaluate(DEV_GOLD, dev_tables)
    assert report.articles >= 15
    assert report.scores[table].f1 >= DEV_FLOORS[table], report.format()


def test_agreement_status_accuracy_on_matched_agreements(seed_tables, dev_tables):
    for gold, tables, floor in ((GOLD, seed_tables, STATUS_ACCURACY_FLOOR), (DEV_GOLD, dev_tables, DEV_STATUS_ACCURACY_FLOOR)):
        report = evaluate(gold, tables)
        assert report.status_accuracy >= floor, report.format()


def test_partner_names_resolve_through_the_vocabulary():
    assert canonical_partner("KABIL") == canonical_partner("Khanij Bidesh India Limited")
    assert canonical_partner("European Union") == canonical_partner("EU")
    assert canonical_partner("Canada", "CAN") == "CAN"


def test_a_gold_name_with_its_acronym_resolves_through_either_part():
    assert canonical_partner("Japan Bank for International Cooperation (JBIC)") == canonical_partner("JBIC")
    assert canonical_partner("Acme Lithium Holdings (ALH)") == canonical_partner("Acme Lithium Holdings")


def test_evaluation_can_fail(seed_tables):
    """A warehouse with the people removed scores zero recall on people."""
    tables = dict(seed_tables)
    tables["mentions"] = tables["mentions"][tables["mentions"]["entity_type"] != "person"]
    assert evaluate(GOLD, tables).scores["people"].recall == 0


def test_no_entity_of_the_development_set_lacks_evidence(dev_tables):
    """Every partner, mineral, person, agreement and event row has a mention whose span is its surface."""
    mentions = dev_tables["mentions"]
    for entity_type, table, key in [
        ("partner", "partners", "partner_id"),
        ("mineral", "minerals", "mineral_id"),
        ("person", "people", "person_id"),
        ("agreement", "agreements", "agreement_id"),
        ("event", "events", "event_id"),
    ]:
        evidenced = set(mentions.loc[mentions["entity_type"] == entity_type, "entity_id"])
        assert set(dev_tables[table][key]) <= evidenced, table
    assert (mentions["char_end"] > mentions["char_start"]).all()
    assert mentions.apply(lambda r: r["surface"] in r["sentence"], axis=1).all()
