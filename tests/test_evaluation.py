"""Extraction quality on real articles, with floors that must hold.

The figures that count are cross-validated: each fifth of the real articles (grouped by story) is
scored by models fitted on the other four fifths. The floors below are where extraction stands,
a little under the measured figures (README, *Quality*), so that no change makes it worse; the
issue's targets (partners 0.90, minerals 0.92, people 0.95, agreements 0.85, events 0.80, status
0.92) are above most of them, and reaching them is open work.
"""

import pytest

from pipeline.evaluate import canonical_partner, evaluate

from .conftest import GOLD

# Measured 2026-12-02 on 244 real articles (5 folds by story): partners 0.807, minerals 0.972, people
# 0.919, agreements 0.509, events 0.538, status accuracy 0.712, ECE 0.017; candidate recall partners
# 0.927, minerals 0.977, people 0.898, agreements 0.803, events 0.866. The event floors sit lower than
# before because the measure grew by 21 new real articles the rules had never seen: the code before
# that day's changes, refitted on the 244, scored events 0.530 (0.552 on the 223 it was written on),
# not because extraction got worse.
CV_FLOORS = {"partners": 0.80, "minerals": 0.95, "people": 0.90, "agreements": 0.50, "events": 0.53}
CV_STATUS_ACCURACY_FLOOR = 0.70
CV_ECE_CEILING = 0.05  # the calibration error of `confidence` over every published row
CANDIDATE_RECALL_FLOORS = {"partners": 0.92, "minerals": 0.97, "people": 0.89, "agreements": 0.80, "events": 0.86}
# The seed articles are among those the models were fitted on: these are in-sample figures.
# Measured 2026-12-02: agreements 0.550, events 0.706.
SEED_FLOORS = {"partners": 0.90, "minerals": 0.90, "people": 0.90, "agreements": 0.50, "events": 0.55}


@pytest.mark.slow
@pytest.mark.parametrize("table", CV_FLOORS)
def test_unseen_folds_of_the_real_articles_meet_their_f1_floor(real_cross_validation, table):
    report = real_cross_validation.report
    assert report.articles >= 120
    assert report.scores[table].f1 >= CV_FLOORS[table], report.format()


@pytest.mark.slow
def test_unseen_folds_meet_the_status_accuracy_floor_and_confidence_is_calibrated(real_cross_validation):
    report = real_cross_validation.report
    assert report.status_accuracy >= CV_STATUS_ACCURACY_FLOOR, report.format()
    assert report.ece() <= CV_ECE_CEILING, report.format()


@pytest.mark.slow
@pytest.mark.parametrize("table", CANDIDATE_RECALL_FLOORS)
def test_candidates_reach_the_gold_items(real_cross_validation, table):
    assert real_cross_validation.recall.recall(table) >= CANDIDATE_RECALL_FLOORS[table]


@pytest.mark.slow
def test_folds_keep_stories_together(real_cross_validation):
    from pipeline.train.corpus import load_training_set, story_folds

    from .conftest import REAL

    articles = load_training_set(REAL)
    folds = story_folds(articles, 5)
    fold_of: dict[str, int] = {}
    for a, f in zip(articles, folds, strict=True):
        assert fold_of.setdefault(a.story, f) == f, a.story
    assert real_cross_validation.stories == len(fold_of) < len(articles)  # some stories have several articles


@pytest.mark.parametrize("table", SEED_FLOORS)
def test_seed_articles_meet_their_f1_floor(seed_tables, table):
    report = evaluate(GOLD, seed_tables)
    assert report.articles == 5
    assert report.scores[table].f1 >= SEED_FLOORS[table], report.format()


def test_partner_names_resolve_through_the_vocabulary():
    assert canonical_partner("KABIL") == canonical_partner("Khanij Bidesh India Limited")
    assert canonical_partner("European Union") == canonical_partner("EU")
    assert canonical_partner("Canada", "CAN") == "CAN"


def test_a_gold_name_with_its_acronym_resolves_through_either_part():
    assert canonical_partner("Japan Bank for International Cooperation (JBIC)") == canonical_partner("JBIC")
    assert canonical_partner("Acme Lithium Holdings (ALH)") == canonical_partner("Acme Lithium Holdings")


def test_a_legal_form_or_a_plural_ending_does_not_make_another_body():
    assert canonical_partner("Camyen SE") == canonical_partner("CAMYEN")
    assert canonical_partner("International Resources Holdings") == canonical_partner("International Resources Holding")


def test_evaluation_can_fail(seed_tables):
    """A warehouse with the people removed scores zero recall on people."""
    tables = dict(seed_tables)
    tables["mentions"] = tables["mentions"][tables["mentions"]["entity_type"] != "person"]
    assert evaluate(GOLD, tables).scores["people"].recall == 0


def test_no_entity_of_the_real_articles_lacks_evidence(real_tables):
    """Every partner, mineral, person, agreement and event row has a mention whose span is its surface."""
    mentions = real_tables["mentions"]
    for entity_type, table, key in [
        ("partner", "partners", "partner_id"),
        ("mineral", "minerals", "mineral_id"),
        ("person", "people", "person_id"),
        ("agreement", "agreements", "agreement_id"),
        ("event", "events", "event_id"),
    ]:
        evidenced = set(mentions.loc[mentions["entity_type"] == entity_type, "entity_id"])
        assert set(real_tables[table][key]) <= evidenced, table
    assert (mentions["char_end"] > mentions["char_start"]).all()
    assert mentions.apply(lambda r: r["surface"] in r["sentence"], axis=1).all()


def test_the_same_text_is_never_two_stories_so_no_fold_scores_what_another_trained_on():
    import hashlib

    from pipeline.extract.text import normalize_text
    from pipeline.train.corpus import read_stories

    from .conftest import REAL

    stories = read_stories(REAL)
    story_of_text: dict[str, str] = {}
    for path in sorted((REAL / "raw").glob("*.txt")):
        text = hashlib.sha256(normalize_text(path.read_text(encoding="utf-8")).strip().encode()).hexdigest()
        assert story_of_text.setdefault(text, stories[path.name]) == stories[path.name], path.name
