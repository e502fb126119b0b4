"""Agreements: which candidates report an in-scope agreement, who its parties are, its status and
kind as of the article's date, and which candidates report the same agreement.

Each question is answered by its own model (pipeline/models/): agreement, party, status, kind and
same_agreement. This module only puts their answers together into records with evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

from pipeline.extract.agreement_features import (
    head_word,
    instrument_signals,
    kind_features,
    mention_features,
    party_count_features,
    party_features,
    same_agreement_features,
    status_features,
)
from pipeline.extract.document import Document
from pipeline.extract.grouping import group_greedily, mean
from pipeline.extract.instruments import InstrumentCandidate
from pipeline.extract.literal_gates import GatedPattern
from pipeline.extract.model import Decision, LinearModel
from pipeline.extract.party_sets import party_mix, party_mix_features
from pipeline.extract.patterns import cached_by_identity, gated_phrases
from pipeline.extract.records import AgreementRecord, DateValue, Span
from pipeline.extract.vocab import Vocabulary

STATUS_ORDER = ["proposed", "negotiating", "approved", "signed", "in_force"]
_KIND_LABEL = {"mou": "MoU", "joint_declaration": "joint declaration", "framework": "framework",
               "investment_partnership": "investment partnership", "trade_agreement": "trade agreement",
               "membership": "membership", "exploration_agreement": "exploration agreement",
               "cooperation_agreement": "cooperation agreement", "offtake": "offtake agreement",
               "joint_venture": "joint venture", "other": "agreement"}  # fmt: skip


@dataclass
class _Accepted:
    cand: InstrumentCandidate
    decision: Decision
    parties: tuple[str, ...]
    party_decisions: dict[str, Decision] = field(default_factory=dict)


@dataclass
class _Cluster:
    members: list[_Accepted] = field(default_factory=list)


def _parties(
    doc: Document, cand: InstrumentCandidate, model: LinearModel, count_prior: dict[str, float], mix_prior: dict[str, float]
) -> dict[str, Decision]:
    """The likeliest set of parties: each pool entity's party probability (the party model) taken
    together with how many parties agreements have (the party_count model) and what kind of sides
    (the party_mix model: states, organisations or both) - the set S that maximises
    sum(log p, in S) + sum(log(1 - p), not in S) + log prior(|S|) + log prior(mix(S)). A bloc a membership
    joins is always in; a bloc and one of its own members are not two sides of one agreement (the
    member acts within the bloc: "Japan, holding the G7 presidency, launched the G7's plan")."""
    decisions = {e.key: model.decide(party_features(doc, cand, e)) for e in cand.pool if not _never_a_party(doc, e.key)}
    p = {k: d.probability if d.label == "party" else 1 - d.probability for k, d in decisions.items()}
    ranked = sorted(p, key=lambda k: (-p[k], k))[:_SET_SEARCH]
    fixed = {cand.fixed_party} if cand.fixed_party in p else set()
    check_blocs = not fixed and any(doc.kind(k) == "bloc" for k in ranked)
    check_owners = any(doc.kind(k) == "organization" and doc.entry(k).country_iso3 for k in ranked)
    gain = {k: math.log(max(p[k], 1e-9)) - math.log(max(1 - p[k], 1e-9)) for k in ranked}
    mix = {name: math.log(max(mix_prior.get(name, 1e-9), 1e-9)) for name in ("states", "orgs", "mixed")}
    best, best_score = (), -math.inf
    for size in range(1, min(len(ranked), 4) + 1):
        prior = math.log(max(count_prior.get(str(size) if size < 4 else "4+", 1e-9), 1e-9))
        for chosen in combinations(ranked, size):
            if not fixed <= set(chosen) or (check_blocs and _bloc_with_member(doc, chosen)):
                continue
            if check_owners and _org_with_own_country(doc, chosen):
                continue
            score = prior + mix[party_mix(doc, chosen)] + sum(gain[k] for k in chosen)
            if score > best_score:
                best, best_score = chosen, score
    return {k: decisions[k] for k in best}


def _never_a_party(doc: Document, key: str) -> bool:
    """An organisation the vocabulary lists as no partner (a news agency, an exchange, a think tank, a
    statistics office) reports, lists or studies agreements and never signs one in the dataset: "Reuters
    reported", "listed on the ASX". Organisations found by name pattern are left to the party model."""
    return doc.kind(key) == "organization" and not doc.entry(key).is_partner and key not in doc.pattern_orgs


def _bloc_with_member(doc: Document, keys: tuple[str, ...]) -> bool:
    members = {doc.entry(k).iso3 for k in keys if doc.kind(k) == "country"}
    return any(members & set(doc.entry(k).members) for k in keys if doc.kind(k) == "bloc")


def _org_with_own_country(doc: Document, keys: tuple[str, ...]) -> bool:
    """An organisation and its own home country as two sides: a company or state enterprise signs for
    itself, and its country is not added unless the text says the government also signed (guide
    notes, call 28); the country is most often only the company's nationality ("Saudi miner Maaden")."""
    countries = {doc.entry(k).iso3 for k in keys if doc.kind(k) == "country"}
    return any(doc.kind(k) == "organization" and doc.entry(k).country_iso3 in countries for k in keys)


_SET_SEARCH = 6  # party sets are searched among the six likeliest entities


def _valid_parties(doc: Document, parties: tuple[str, ...]) -> bool:
    """Two sides at least, or a bloc acting as one ("G7 leaders agree on a strategy")."""
    return len(parties) >= 2 or (len(parties) == 1 and doc.kind(parties[0]) == "bloc")


def _accept(doc: Document, cands: list[InstrumentCandidate], models: dict[str, LinearModel]) -> list[_Accepted]:
    siblings: dict[int, int] = {}
    for c in cands:
        if c.member is None:
            siblings[c.sentence] = siblings.get(c.sentence, 0) + 1
    decisions = [models["agreement"].decide(mention_features(doc, c, siblings.get(c.sentence, 1))) for c in cands]
    # A listed reading ("MoUs with Malawi, Mali and Zambia": one per name) and the joint reading of the
    # same words exclude each other: the likelier reading stands.
    by_span: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(cands):
        by_span.setdefault((c.start, c.end), []).append(i)
    keep = [d.label == "agreement" for d in decisions]
    for indices in by_span.values():
        joint = [i for i in indices if cands[i].member is None]
        split = [i for i in indices if cands[i].member is not None]
        if not joint or not split:
            continue
        if cands[joint[0]].cue == "membership":
            # Joining is one entry per joining party (the guide): "welcomed Ecuador, Serbia and Zambia as
            # new members" is three memberships whenever either reading is taken.
            taken = keep[joint[0]] or any(keep[i] for i in split)
            keep[joint[0]] = False
            for i in split:
                keep[i] = taken
            continue
        p_split = sum(decisions[i].probability if keep[i] else 1 - decisions[i].probability for i in split) / len(split)
        p_joint = decisions[joint[0]].probability if keep[joint[0]] else 1 - decisions[joint[0]].probability
        if any(keep[i] for i in split) and p_split >= p_joint:
            keep[joint[0]] = False  # one agreement per listed name
        else:
            for i in split:
                keep[i] = False
    out = []
    for c, d, k in zip(cands, decisions, keep, strict=True):
        if not k:
            continue
        chosen = _parties(
            doc,
            c,
            models["party"],
            models["party_count"].probabilities(party_count_features(doc, c)),
            models["party_mix"].probabilities(party_mix_features(doc, c)),
        )
        parties = tuple(sorted(chosen))
        if not _valid_parties(doc, parties):
            continue
        out.append(_Accepted(c, d, parties, chosen))
    return out


def _cluster(doc: Document, accepted: list[_Accepted], model: LinearModel) -> list[_Cluster]:
    """Candidates with the same parties, grouped by the same-agreement model (greedy, in text order)."""

    def same(m: _Accepted, a: _Accepted) -> float:
        if m.parties != a.parties:
            return 0.0
        if (m.cand.start, m.cand.end) == (a.cand.start, a.cand.end):
            return 1.0  # two readings of one span
        return model.probability(same_agreement_features(doc, m.cand, a.cand))

    return [_Cluster(group) for group in group_greedily(accepted, same, 0.5, mean)]


def _status(doc: Document, cands: list[InstrumentCandidate], model: LinearModel) -> str:
    """The status model's answer; a joining is never in force: only joining makes a membership entry, an
    existing membership that is only cited makes none (guide notes, call 29), so a joining the text
    reports is signed (joined) or proposed (will join) - the likelier of the other statuses stands."""
    features = status_features(doc, cands)
    if not all(c.cue == "membership" for c in cands):
        return model.decide(features).label
    p = model.probabilities(features)
    return max((s for s in STATUS_ORDER if s != "in_force"), key=lambda s: (p.get(s, 0.0), s))


def _evidence(doc: Document, members: list[_Accepted], status: str) -> _Accepted:
    """The mention the status is read from: the first whose own words signal it, else the surest."""
    family = "status_" + status
    for m in sorted(members, key=lambda m: m.cand.start):
        if family in instrument_signals(doc, m.cand):
            return m
    return max(members, key=lambda m: (m.decision.probability, -m.cand.start))


def _date(doc: Document, member: _Accepted, status: str) -> DateValue | None:
    """The date the status was reached, when the evidence clause states it (never an expected date)."""
    if status in {"proposed", "negotiating"}:
        return None
    lo, hi = member.cand.clause
    best = None
    for d in doc.dates_in(member.cand.sentence):
        if d.value is None or d.start < lo or d.end > hi:
            continue
        if doc.published is not None and d.value.value > doc.published:
            continue
        distance = max(0, d.start - member.cand.end, member.cand.start - d.end)
        if best is None or distance < best[0]:
            best = (distance, d.value)
    return best[1] if best else None


def _minerals(doc: Document, members: list[_Accepted]) -> list[str]:
    out: list[str] = []
    for m in members:
        lo, hi = m.cand.clause
        for h in doc.mineral_hits:
            mineral_id = h.target.split(":", 1)[1]
            if lo <= h.start and h.end <= hi and mineral_id not in out:
                out.append(mineral_id)
    return out


@cached_by_identity
def _stage_patterns(vocab: Vocabulary) -> list[tuple[str, GatedPattern]]:
    return [(stage, gated_phrases(tuple(words))) for stage, words in vocab.cues["value_chain"].items()]


def _stages(doc: Document, members: list[_Accepted]) -> list[str]:
    return [
        stage for stage, pattern in _stage_patterns(doc.vocab) if any(pattern.search(doc.text, *m.cand.clause) for m in members)
    ]


def _name(doc: Document, members: list[_Accepted], kind: str, parties: tuple[str, ...]) -> tuple[str, bool]:
    named = next((m.cand.name for m in members if m.cand.name), None)
    if named:
        return named, True
    names = "–".join(doc.entry(p).name for p in parties)
    return f"{names} {_KIND_LABEL[kind]}", False


_KIND_FAMILY = {kind: "cooperation" for kind in ("mou", "joint_declaration", "cooperation_agreement", "framework", "other")}
_KIND_FAMILY.update({"investment_partnership": "investment", "joint_venture": "investment"})


def decide_agreements(
    doc: Document, cands: list[InstrumentCandidate], models: dict[str, LinearModel]
) -> tuple[list[AgreementRecord], dict[str, Decision]]:
    """The article's agreements, and the party model's decision on every party (each party is a partner)."""
    records = []
    used_keys: set[str] = set()
    party_decisions: dict[str, Decision] = {}
    for cluster in _cluster(doc, _accept(doc, cands, models), models["same_agreement"]):
        members = cluster.members
        parties = members[0].parties
        cands = [m.cand for m in members]
        status = _status(doc, cands, models["status"])
        kind = models["kind"].decide(kind_features(doc, cands)).label
        status_member = _evidence(doc, members, status)
        best = max(members, key=lambda m: m.decision.probability)
        for m in members:
            for key, decision in m.party_decisions.items():
                if key not in party_decisions or decision.probability > party_decisions[key].probability:
                    party_decisions[key] = decision
        name, named = _name(doc, members, kind, parties)
        # Identity across articles: a named instrument by its name; an unnamed one by its parties and the
        # family of its kind, since one article's "minerals pact" is another's "critical minerals
        # agreement" and the kind model may tell them apart where the text does not.
        # Two instruments of one article stay two rows: the second of a family is told apart by its kind
        # and head word.
        key = "agreement:" + "+".join(parties) + ":" + (f"{kind}:{name.lower()}" if named else _KIND_FAMILY.get(kind, kind))
        for extra in (kind, head_word(best.cand), str(len(records))):
            if key not in used_keys:
                break
            key += ":" + extra
        used_keys.add(key)
        spans = sorted({(m.cand.start, m.cand.end, m.cand.sentence) for m in members})
        records.append(
            AgreementRecord(
                key=key,
                name=name,
                agreement_type=kind,
                status=status,
                status_evidence=status_member.cand.sentence,
                date=_date(doc, status_member, status),
                parties=list(parties),
                minerals=_minerals(doc, members),
                stages=_stages(doc, members),
                method="named_instrument" if named else "instrument_phrase",
                confidence=round(
                    best.decision.probability * min((d.probability for d in best.party_decisions.values()), default=1.0), 4
                ),
                spans=[Span(a, b, s) for a, b, s in spans],
                decided_by=best.decision.explain(),
                model=best.decision.model,
            )
        )
    return records, party_decisions
