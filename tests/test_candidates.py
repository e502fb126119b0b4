"""What the candidate stage promises: every name, date and place a decision could need is found
and read the way the annotation guide reads it. (Sentences written for these tests.)"""

import datetime as dt

from pipeline.extract import gather_candidates
from pipeline.extract.dates import find_dates
from pipeline.extract.instruments import list_groups

PAD = " Both countries want secure supply chains for critical minerals such as lithium and cobalt."


def candidates(body: str, published: str = "2025-03-05"):
    return gather_candidates("t.txt", f" date {published}\n{body}{PAD}")


def test_a_signing_on_monday_in_an_article_of_wednesday_5_march_2025_is_dated_3_march():
    [found] = find_dates("The two ministers signed the memorandum on Monday.", dt.date(2025, 3, 5))
    assert found.date.value == dt.date(2025, 3, 3) and found.date.precision == "day"
    [signed] = [t for t in candidates("The two ministers signed the memorandum on Monday.").triggers if t.word == "signed"]
    assert [d.value.value for d in signed.dates] == [dt.date(2025, 3, 3)]


def test_a_meeting_on_the_publication_weekday_is_that_day_and_a_future_one_the_next():
    assert find_dates("They met on Wednesday.", dt.date(2025, 3, 5))[0].date.value == dt.date(2025, 3, 5)
    assert find_dates("They will meet on Friday.", dt.date(2025, 3, 5))[0].date.value == dt.date(2025, 3, 7)


def test_a_venue_is_a_place_in_its_city():
    c = candidates("Prime Minister Modi met the visiting chancellor at Hyderabad House on Tuesday.")
    [venue] = [p for p in c.doc.places if p.kind == "venue"]
    assert (venue.city, venue.iso3) == ("New Delhi", "IND")
    c = candidates("The two presidents signed the framework at the White House.")
    assert [(p.city, p.iso3) for p in c.doc.places if p.kind == "venue"] == [("Washington", "USA")]


def test_a_dateline_city_is_a_place_every_event_of_the_article_may_take():
    c = gather_candidates("t.txt", " date 2025-03-05\nTOKYO (Reuters) - Japan and Chile held talks on lithium on Monday." + PAD)
    [talks] = [t for t in c.triggers if t.word == "talks"]
    assert ("Tokyo", "dateline") in {(p.city, source) for p, source in talks.places}


def test_a_government_body_is_a_mention_of_its_country():
    c = candidates("Australia's Department of Industry signed a memorandum with KABIL on lithium.")
    assert any(m.key == "country:AUS" and m.form == "government" for m in c.doc.mentions)
    assert not any(c.doc.entry(m.key).name.startswith("Department") for m in c.doc.mentions)


def test_a_geological_survey_or_high_commission_is_a_mention_of_its_country():
    c = candidates("The Tanzania Geological Survey and the British High Commission backed the lithium pact.")
    assert {(m.key, m.form) for m in c.doc.mentions} >= {("country:TZA", "government"), ("country:GBR", "government")}
    assert not any(m.key.startswith("org:") for m in c.doc.mentions)


def test_a_place_joined_by_and_to_a_company_name_is_not_part_of_the_name():
    c = candidates("The EU and Volta Minerals Corp signed an offtake deal, and Kenya and Nordic Lithium Ltd followed.")
    names = {c.doc.entry(m.key).name for m in c.doc.mentions}
    assert {"Volta Minerals Corp", "Nordic Lithium Ltd"} <= names
    assert not any(" and " in n for n in names)


def test_an_unknown_acronym_is_an_organisation_candidate_and_a_dateline_is_not():
    c = gather_candidates(
        "t.txt", " date 2025-03-05\nBUENOS AIRES, March 4 - KABIL signed an agreement with KORVAL on lithium." + PAD
    )
    names = {c.doc.entry(m.key).name for m in c.doc.mentions if m.key.startswith("org:")}
    assert "KORVAL" in names and not {"BUENOS", "AIRES"} & names


def test_a_persons_name_is_never_an_organisation_candidate():
    c = candidates("Lifezone Metals said managing partner Chris Showalter signed the framework with Burundi.")
    assert "Chris Showalter" in {p.name for p in c.people}
    assert not any("Showalter" in c.doc.entry(m.key).name for m in c.doc.mentions)


def test_names_are_read_without_their_forms_of_address():
    c = candidates("The agreement was signed by the Vice Governor of Catamarca, Eng. Ruben Dusso, and HE Khalid Al-Falih.")
    names = {p.name for p in c.people}
    assert {"Ruben Dusso", "Khalid Al-Falih"} <= names and not any(n.startswith(("Eng", "HE ")) for n in names)


def test_short_titles_of_office_and_trade_open_a_name():
    for sentence, name in [
        ("Greenrock chief Tomas Ekdahl said the copper plan was sound.", "Tomas Ekdahl"),
        ("Norvale Metals MD Priya Castellan welcomed the lithium offtake.", "Priya Castellan"),
        ("At the signing, US Charge d’Affaires Helen Marsh called it a milestone.", "Helen Marsh"),
        ("President-elect Lucas Ferrand has threatened new tariffs on cobalt.", "Lucas Ferrand"),
        ("The president and first lady Ana Ferrand arrived in Lima on Sunday.", "Ana Ferrand"),
    ]:
        assert name in {p.name for p in candidates(sentence).people}, sentence


def test_a_portfolio_ending_in_a_place_or_a_list_still_reaches_its_name():
    for sentence, name in [
        ("The envoy met Ghana's Minister for Lands and Northern Ghana, Ama Boateng, in Accra.", "Ama Boateng"),
        ("It was witnessed by Chile's Minister of Mining, Energy, and Trade Rosa Pardo on Friday.", "Rosa Pardo"),
        ("Also present was the Deputy Secretary for West Africa and Market Access, Tom Reyes.", "Tom Reyes"),
    ]:
        assert name in {p.name for p in candidates(sentence).people}, sentence


def test_a_plural_title_names_each_person_it_lists():
    c = candidates("The lithium fund was launched by Foreign Ministers Ana Ruiz, Li Wei and Tom Berg in Oslo.")
    assert {"Ana Ruiz", "Li Wei", "Tom Berg"} <= {p.name for p in c.people}
    c = candidates("The miner is backed by US billionaires Carl Nash and Joan Pike.")
    assert {"Carl Nash", "Joan Pike"} <= {p.name for p in c.people}


def test_a_surname_joined_to_its_particle_by_a_hyphen_is_part_of_the_name():
    c = candidates("The envoy met Oman's Energy and Minerals Minister, Salim al-Harthy, in Muscat.")
    assert "Salim al-Harthy" in {p.name for p in c.people}


def test_a_leader_named_only_through_their_government_is_a_person_candidate():
    c = candidates("The Trump administration is negotiating a critical minerals deal with Kyiv.")
    assert [(p.name, p.surname_only) for p in c.people] == [("Trump", True)]


def test_a_list_after_an_instrument_is_read_one_agreement_per_name_a_list_before_it_is_not():
    c = candidates("India has signed memorandums with Malawi, Mali and Zambia.")
    members = sorted(cand.member.split(":")[1] for cand in c.instruments if cand.member)
    assert members == ["MLI", "MWI", "ZMB"]
    c = candidates("The United States and Japan have signed a framework on rare earths.")
    assert not any(cand.member for cand in c.instruments)
    assert list_groups(c.doc, 0) == [("country:USA", "country:JPN")]


def test_new_members_of_a_bloc_each_join_it():
    c = candidates("The partners welcomed Ecuador, Serbia and Zambia as new members of the Minerals Security Partnership.")
    joins = [cand for cand in c.instruments if cand.cue == "membership"]
    assert {cand.fixed_party for cand in joins} == {"bloc:msp"}
    assert sorted(cand.member.split(":")[1] for cand in joins if cand.member) == ["ECU", "SRB", "ZMB"]


def test_an_article_in_another_language_yields_no_candidates():
    c = gather_candidates(
        "t.txt",
        " date 2025-03-05\nLa India y Chile firmaron un memorando de entendimiento sobre el litio y el cobre en Santiago el lunes.",
    )
    assert c.doc.language != "en" and not (c.partners or c.instruments or c.triggers or c.people)


def test_a_government_measure_or_adoption_is_a_cabinet_decision_trigger():
    for sentence, word in (
        ("Malawi suspended raw graphite exports on Tuesday.", "suspended raw graphite exports"),
        ("Peru halted the export of copper concentrate last month.", "halted the export"),
        ("Ghana will extend its manganese export ban.", "export ban"),
        ("The Commission adopted the minerals action plan on Monday.", "adopted"),
    ):
        found = [t for t in candidates(sentence).triggers if t.lexicon_type == "cabinet_decision"]
        assert [t.word for t in found] == [word], sentence
    assert not any(t.lexicon_type == "cabinet_decision" for t in candidates("Peru exports copper to Malawi.").triggers)


def test_the_companies_a_deal_is_made_with_are_organisation_candidates():
    c = candidates(
        "Tanzania signed agreements with Peak Ores, Evolution Graphite and Ecorix. "
        "A joint venture between Korean firms Hanil and Daebo withdrew. Norland Mining plans to acquire Andora."
    )
    assert {"org:peak_ores", "org:evolution_graphite", "org:ecorix", "org:hanil", "org:daebo", "org:andora"} <= set(
        c.doc.pattern_orgs
    )
    c = candidates("Chile signed an agreement with Saudi Arabia and with the Government of Peru, Mr Lee said.")
    assert not c.doc.pattern_orgs


def test_a_strategy_is_a_policy_not_an_instrument():
    c = candidates("Kenya launched its national green minerals strategy, and the US updated its Indo-Pacific Strategy.")
    assert not [cand for cand in c.instruments if "strateg" in cand.word]
    [plan] = [cand for cand in candidates("The two countries adopted a joint action plan.").instruments]
    assert plan.kind == "framework"


def test_a_deal_reported_only_by_its_verb_is_an_agreement_candidate():
    for sentence, word, kind in (
        ("Nordic Cobalt Holdings Ltd will buy Volta Minerals Corp for $200 million.", "acquire", "investment_partnership"),
        ("Sakura Metals Corp has invested 50 million euros in Volta Minerals Corp.", "invest", "investment_partnership"),
        ("Volta Minerals Corp will supply copper concentrate to Sakura Metals Corp.", "supply", "offtake"),
        ("Nordic Cobalt Holdings Ltd and Ghana are co-owners of the Akosombo mine.", "co_own", "joint_venture"),
    ):
        deals = [c for c in candidates(sentence).instruments if c.cue == "deal"]
        assert [(c.word, c.kind) for c in deals] == [(word, kind)], sentence
    # The deal's own noun reports it: "signed an agreement to buy" is one candidate, the agreement.
    c = candidates("Sakura Metals Corp signed an agreement to buy Volta Minerals Corp.")
    assert [cand.cue for cand in c.instruments] == ["noun"]


def test_member_states_listed_after_a_colon_are_listed_members():
    c = candidates("The projects lie across four member states: Peru, Ghana, Fiji and Norway.")
    listed = {m.key for m in c.doc.mentions if "listed_member" in m.signals}
    assert {"country:PER", "country:GHA", "country:NOR"} <= listed
