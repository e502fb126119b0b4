"""What kind of sides an agreement has - states, organisations or both - and the features of the
party_mix model, the prior of party sets that asks it (pipeline/extract/agreements.py)."""

from __future__ import annotations

from pipeline.extract.agreement_features import _distance_ranks, _pool_summary, head_word
from pipeline.extract.document import Document
from pipeline.extract.instruments import InstrumentCandidate
from pipeline.extract.model import Features


def party_mix(doc: Document, keys: frozenset[str] | tuple[str, ...]) -> str:
    """What kind of sides a party set has: states only (countries, blocs, regions), organisations only,
    or both ("a company deal has the organisations as parties", guide notes, call 28)."""
    orgs = sum(1 for k in keys if doc.kind(k) == "organization")
    return "orgs" if orgs == len(keys) else "states" if orgs == 0 else "mixed"


def party_mix_features(doc: Document, cand: InstrumentCandidate) -> Features:
    """Whether the candidate's agreement is between states, between organisations, or mixed (the
    party_mix model, a prior of party sets): what kinds of sides its clause and sentence name, which
    is nearest, and what kind of instrument it is."""
    f: Features = {"cue:" + cand.cue: 1.0, "lex_kind:" + cand.kind: 1.0, "word:" + head_word(cand): 1.0}
    f.update(_pool_summary(doc, cand))
    lo, hi = cand.clause
    explicit = [e for e in cand.pool if e.source == "explicit" and e.mention is not None]
    in_clause = [e for e in explicit if lo <= e.mention.start and e.mention.end <= hi]  # type: ignore[union-attr]
    kinds = {doc.kind(e.key) for e in in_clause}
    f["clause_kinds:" + "+".join(sorted(kinds))] = 1.0
    ranks = _distance_ranks(cand)
    nearest = sorted(explicit, key=lambda e: ranks.get(id(e.mention), 9))[:2]
    for i, e in enumerate(nearest):
        f[f"nearest_{i + 1}:{doc.kind(e.key)}"] = 1.0
    if len(nearest) == 2:
        f["nearest_two:" + "+".join(sorted(doc.kind(e.key) for e in nearest))] = 1.0
    for e in in_clause:
        if doc.kind(e.key) == "organization":
            f["clause_org_kind:" + (doc.entry(e.key).kind or "unknown")] = 1.0
            if e.mention is not None and e.mention.form in {"government"}:
                f["clause_org_government_form"] = 1.0
    if any(e.source in {"home", "both", "person"} for e in cand.pool):
        f["implicit_state_in_pool"] = 1.0
    return f
