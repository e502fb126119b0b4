"""Entity resolution across articles: one row per real-world entity, stable ids, status history."""

from dataclasses import replace

import pytest

from pipeline.extract import extract_article
from pipeline.ingest import RawArticle, sha256_text
from pipeline.tables import build_tables


def tables_for(*texts: str):
    raws = [RawArticle(f"a{i}.txt", t, sha256_text(t)) for i, t in enumerate(texts)]
    return build_tables(raws, [], [extract_article(r.source_file, r.text) for r in raws])


FIRST = """ date 2026-02-02 Canada and India near minerals pact
Prime Minister of Canada Mark Carney said on Monday that Canada and India are negotiating a critical minerals agreement on lithium.
"""
SECOND = """ date 2026-03-05 India and Canada sign minerals pact
India and Canada signed a critical minerals agreement in New Delhi on Wednesday, Prime Minister Carney said.
"""


def _person_report(text: str, *people):
    """An article's records made by hand: the people given, nothing else."""
    from pipeline.extract.records import ArticleExtraction, PersonRecord, Sentence, Span

    records = []
    for name, surname_only in people:
        start = text.index(name)
        records.append(PersonRecord(name, "Prime Minister", None, "CAN", "surname" if surname_only else "title", 0.9,
                                    surname_only, [Span(start, start + len(name), 0)], model="person@0123456789"))  # fmt: skip
    return ArticleExtraction("", text, None, None, [Sentence(0, len(text), 0)], [], [], records, [], [])


def test_a_lone_surname_is_the_person_another_article_names_in_full_and_stays_itself_when_none_does():
    texts = ["Prime Minister Mark Carney met them.", "Prime Minister Carney said so.", "Prime Minister Albanese agreed."]
    reports = [_person_report(texts[0], ("Mark Carney", False)), _person_report(texts[1], ("Carney", True)),
               _person_report(texts[2], ("Albanese", True))]  # fmt: skip
    raws = []
    for i, (report, text) in enumerate(zip(reports, texts, strict=True)):
        report.source_file = f"a{i}.txt"
        raws.append(RawArticle(report.source_file, text, sha256_text(text)))
    t = build_tables(raws, [], reports)
    assert sorted(t["people"]["name"]) == ["Albanese", "Mark Carney"]  # "Biden" is "Biden" when no text says more
    carney = t["people"].set_index("name").loc["Mark Carney", "person_id"]
    surfaces = t["mentions"].loc[t["mentions"]["entity_id"] == carney, "surface"]
    assert sorted(surfaces) == ["Carney", "Mark Carney"]


def test_prime_minister_carney_is_mark_carney():
    people = tables_for(FIRST, SECOND)["people"]
    assert list(people["name"]) == ["Mark Carney"]
    assert people.iloc[0]["country_iso3"] == "CAN"


def test_the_same_agreement_in_two_articles_is_one_row_with_its_status_history():
    """The tables' promise, whatever the status model reads: the first article's status is set here."""
    raws = [RawArticle(f"a{i}.txt", t, sha256_text(t)) for i, t in enumerate((FIRST, SECOND))]
    extractions = [extract_article(r.source_file, r.text) for r in raws]
    extractions[0].agreements[:] = [replace(a, status="negotiating") for a in extractions[0].agreements]
    t = build_tables(raws, [], extractions)
    assert len(t["agreements"]) == 1
    agreement = t["agreements"].iloc[0]
    assert agreement["status"] == "signed"  # the later article's status
    history = t["agreement_statuses"].merge(t["articles"], on="article_id").sort_values("as_of_date")
    assert list(history["status"]) == ["negotiating", "signed"]
    parties = set(t["agreement_parties"].merge(t["partners"], on="partner_id")["iso3"])
    assert parties == {"CAN", "IND"}


# Open in issue #16: after the refit on 244 real articles the status model reads the first article's
# "are negotiating a critical minerals agreement" (headline "near minerals pact") as in force (0.36 against
# negotiating 0.30): two bare "agreement"/"pact" mentions weigh towards an existing agreement.
@pytest.mark.xfail(strict=True, reason="decided by the status model, which does not yet get this case right (issue #16)")
def test_an_agreement_the_sides_are_negotiating_is_negotiating():
    [agreement] = extract_article("a0.txt", FIRST).agreements
    assert agreement.status == "negotiating"


def test_ids_do_not_change_when_an_article_is_added():
    alone = tables_for(FIRST)
    both = tables_for(FIRST, SECOND)
    for table, key in [("partners", "partner_id"), ("people", "person_id"), ("agreements", "agreement_id")]:
        assert set(alone[table][key]) <= set(both[table][key]), table


def test_every_entity_row_names_the_model_that_decided_it_why_and_how_sure_it_is():
    from pipeline.extract.model import load_models

    versions = {m.tag for m in load_models().values()}
    t = tables_for(FIRST, SECOND)
    for table in ["partners", "minerals", "people", "agreements", "events"]:
        frame = t[table]
        assert len(frame), table
        assert frame["extraction_method"].isin(versions).all(), table  # "<model>@<version>" of a committed model file
        assert frame["confidence"].between(0, 1).all(), table
        assert (frame["decided_by"].str.len() > 0).all(), table
        assert frame.apply(lambda r: r["decided_by"].startswith(r["extraction_method"]), axis=1).all(), table


def test_an_entity_reported_twice_at_the_same_span_is_one_mention():
    raw = RawArticle("a0.txt", FIRST, sha256_text(FIRST))
    extraction = extract_article(raw.source_file, raw.text)
    extraction.partners.append(extraction.partners[0])  # the same partner, the same spans, once more
    tables = build_tables([raw], [], [extraction])
    mentions = tables["mentions"]
    assert mentions["mention_id"].is_unique
    assert len(mentions) == len(build_tables([raw], [], [extract_article(raw.source_file, raw.text)])["mentions"])


def test_mentions_come_article_by_article_in_reading_order_with_the_text_at_each_span():
    tables = tables_for(FIRST, SECOND)
    mentions = tables["mentions"]
    keys = list(zip(mentions["article_id"], mentions["char_start"], mentions["char_end"], strict=True))
    assert keys == sorted(keys) and mentions["mention_id"].is_unique
    by_file = {"a0.txt": FIRST, "a1.txt": SECOND}
    texts = {a.article_id: extract_article(a.source_file, by_file[a.source_file]).text for a in tables["articles"].itertuples()}
    for row in mentions.itertuples():
        assert texts[row.article_id][row.char_start : row.char_end] == row.surface
        assert row.surface in row.sentence


def test_a_surname_at_a_span_the_article_already_gave_that_person_is_one_mention():
    raw = RawArticle("a0.txt", FIRST, sha256_text(FIRST))
    extraction = extract_article(raw.source_file, raw.text)
    [carney] = [p for p in extraction.people if p.name == "Mark Carney"]
    extraction.people.append(replace(carney, name="Carney", surname_only=True))  # same spans, by surname
    mentions = build_tables([raw], [], [extraction])["mentions"]
    people = mentions[mentions["entity_type"] == "person"]
    assert len(people) == len(carney.spans) and mentions["mention_id"].is_unique


def test_a_party_that_is_not_a_partner_fails_the_foreign_key_check_naming_it():
    from pipeline.checks import foreign_key_failures

    tables = tables_for(FIRST, SECOND)
    assert foreign_key_failures("agreement_parties", tables).passed
    tables["agreement_parties"].loc[0, "partner_id"] = "ptr_000000000000"
    outcome = foreign_key_failures("agreement_parties", tables)
    assert not outcome.passed
    assert list(outcome.failures["value"]) == ["ptr_000000000000"]


def test_a_mention_of_an_entity_no_table_holds_and_a_missing_article_fail_the_foreign_key_check():
    from pipeline.checks import foreign_key_failures

    tables = tables_for(FIRST, SECOND)
    mentions = tables["mentions"]
    assert foreign_key_failures("mentions", tables).passed
    person = mentions.index[mentions["entity_type"] == "person"][0]
    mentions.loc[person, "entity_id"] = "per_000000000000"
    mentions.loc[0, "article_id"] = None
    outcome = foreign_key_failures("mentions", tables)
    assert sorted(outcome.failures["foreign_key"]) == ["article_id -> articles", "entity_id (person) -> people"]
    assert "per_000000000000" in set(outcome.failures["value"])


def _agreement_report(published: str | None, **fields):
    """An article that reports one agreement between Canada and India (records made by hand)."""
    import datetime as dt

    from pipeline.extract.records import AgreementRecord, ArticleExtraction, PartnerRecord, Sentence

    text = "Canada and India reported on their minerals agreement."
    partners = [
        PartnerRecord("country:CAN", "Canada", "country", "CAN", "CAN", "gazetteer", 0.95, model="partner@0123456789"),
        PartnerRecord("country:IND", "India", "country", "IND", "IND", "gazetteer", 0.95, model="partner@0123456789"),
    ]
    agreement = AgreementRecord(
        key="country:CAN+country:IND|critical minerals", status_evidence=0, parties=["country:CAN", "country:IND"],
        minerals=[], stages=[], confidence=0.8, model="agreement@0123456789", decided_by="agreement@0123456789: named +1.00", **fields
    )  # fmt: skip
    return ArticleExtraction(
        source_file="", text=text, title=None, published_date=dt.date.fromisoformat(published) if published else None,
        sentences=[Sentence(0, len(text), 0)], partners=partners, minerals=[], people=[], agreements=[agreement], events=[]
    )  # fmt: skip


def test_an_agreement_row_takes_the_latest_dated_status_the_named_instruments_name_and_the_most_common_type():
    import datetime as dt

    from pipeline.extract.records import DateValue

    reports = [
        _agreement_report("2026-01-10", name="minerals partnership", agreement_type="mou", status="negotiating",
                          date=None, method="instrument_phrase"),
        _agreement_report("2026-01-20", name="minerals agreement", agreement_type="cooperation_agreement", status="signed",
                          date=DateValue(dt.date(2026, 1, 15), "day"), method="instrument_phrase"),
        _agreement_report("2026-02-10", name="Canada-India Critical Minerals Agreement", agreement_type="mou",
                          status="signed", date=None, method="named_instrument"),
        _agreement_report(None, name="minerals pact", agreement_type="cooperation_agreement", status="in_force",
                          date=None, method="instrument_phrase"),  # undated: older than every dated report
    ]  # fmt: skip
    raws = []
    for i, report in enumerate(reports):
        report.text += f" Report {i}."  # each its own article
        report.source_file = f"a{i}.txt"
        raws.append(RawArticle(report.source_file, report.text, sha256_text(report.text)))
    t = build_tables(raws, [], reports)
    assert len(t["agreements"]) == 1
    row = t["agreements"].iloc[0]
    assert row["status"] == "signed"  # the latest dated report (10 Feb), not the undated "in force"
    assert row["status_date"] == dt.date(2026, 1, 15)  # the 10 Feb report gives no date: the first date reported with "signed"
    assert row["name"] == "Canada-India Critical Minerals Agreement"  # a named instrument's name beats descriptions
    assert row["agreement_type"] == "mou"  # two reports each: the type reported first wins the tie
    assert row["status_date_precision"] == "day"
    assert row["recognized_by"] == "named_instrument"
    assert row["extraction_method"] == "agreement@0123456789"
    assert len(t["agreement_statuses"]) == 4  # one status per report: the history stays


def test_lone_surname_rows_merge_into_their_articles_reading_order_as_a_full_sort_would_place_them():
    """The merge places each extra row where sorting the whole article by (start, end, type, id)
    would, an article's own row before an equal extra one, and the same mention once."""
    import random

    import numpy as np
    import pyarrow as pa

    from pipeline.corpus import gather_rows
    from pipeline.extract.facts import MENTIONS_SCHEMA, mention_id
    from pipeline.tables import _merged_segments

    rng = random.Random(5)
    for _ in range(200):
        articles = [f"art_{k:02d}" for k in range(rng.randint(1, 4))]

        def row(article):
            start = rng.randint(0, 6)
            end = start + rng.randint(1, 2)
            kind, entity = rng.choice([("partner", "ptr_a"), ("person", "per_b"), ("person", "per_c")])
            return (mention_id(article, kind, entity, start, end), article, kind, entity, start, end, "s", "sentence")

        def key(r, articles=articles):
            return (articles.index(r[1]), r[4], r[5], r[2].encode(), r[3].encode())

        own = []
        for article in articles:
            rows = {r[0]: r for r in (row(article) for _ in range(rng.randint(0, 6)))}  # an article's rows: unique ids
            own += sorted(rows.values(), key=key)
        extra = [row(rng.choice(articles)) for _ in range(rng.randint(1, 5))]
        expected, seen = [], set()
        for r in sorted([(key(r), 0, r) for r in own] + [(key(r), 1 + i, r) for i, r in enumerate(extra)]):
            if r[2][0] not in seen:
                seen.add(r[2][0])
                expected.append(r[2])

        def table(rows):
            return pa.Table.from_pylist([dict(zip(MENTIONS_SCHEMA.names, r, strict=True)) for r in rows], schema=MENTIONS_SCHEMA)

        counts = np.array([sum(r[1] == a for r in own) for a in articles], dtype=np.int64)
        own_table, extra_table = table(own), table(extra)
        segments = _merged_segments(
            own_table, np.cumsum(counts) - counts, counts, extra_table, [articles.index(r[1]) for r in extra]
        )
        merged = gather_rows([own_table, extra_table], *segments)
        assert merged.to_pylist() == table(expected).to_pylist()
