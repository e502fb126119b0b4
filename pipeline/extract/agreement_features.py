"""Features of agreement candidates: what the agreement, party, status, kind and same-agreement
models see. Every feature is a named signal: a rule of pipeline/rules/ that fired (`rule:<name>`
and its family), or a measured fact about the candidate (its words, its position, who is near it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extract.document import Document
from pipeline.extract.instruments import GENERIC_KINDS, InstrumentCandidate, PoolEntry, list_groups
from pipeline.extract.literal_gates import GatedPattern
from pipeline.extract.model import Features
from pipeline.extract.partners import SENTENCE_SIGNALS
from pipeline.extract.patterns import cached_by_identity, gated_phrases
from pipeline.extract.rules import rules_for
from pipeline.extract.vocab import Vocabulary

_WORD_RE = re.compile(r"[a-z]+")
_SIGNAL_FAMILIES = ("rival", "background", "place", "visit_host", "leader", "attribute", "owner", "metaphor", "observer",
                    "venue", "gathering", "former", "counterpart", "pair_name", "actor", "caption")  # fmt: skip
_NAME_WORDS = {"framework", "partnership", "investment", "trade", "declaration", "memorandum", "cooperation", "action",
               "plan", "roadmap", "initiative", "alliance", "strategic", "economic", "comprehensive", "joint", "free",
               "agreement", "dialogue", "security", "supply", "chain", "minerals", "critical", "intent"}  # fmt: skip
_LIST_GAP_RE = re.compile(r"\s*(?:,|and|&|or|,\s*and)\s*(?:the\s+)?")


def head_word(cand: InstrumentCandidate) -> str:
    """The instrument's last word, lower-case and singular ("MoUs" -> "mou")."""
    words = _WORD_RE.findall(cand.word)
    word = words[-1] if words else cand.cue
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and len(word) > 3 and not word.endswith("ss") else word


def instrument_signals(doc: Document, cand: InstrumentCandidate) -> Features:
    """The instrument rules' signals for the candidate's words."""
    return doc.span_signals("instrument", cand.start, cand.end, cand.sentence)


def _date_relations(doc: Document, cand: InstrumentCandidate) -> Features:
    f: Features = {}
    lo, hi = cand.clause
    for d in doc.dates_in(cand.sentence):
        if d.value is None or d.end <= lo or d.start >= hi:
            continue
        f["date_in_clause"] = 1.0
        if doc.published is None:
            continue
        days = (doc.published - d.value.value).days
        if days > 400:
            f["date_over_a_year_before"] = 1.0
        elif days >= -1:
            f["date_recent_past"] = 1.0
        else:
            f["date_future"] = 1.0
    return f


def _sentence_features(doc: Document, index: int) -> Features:
    cache = doc.memo.setdefault("sentence_features", {})
    found = cache.get(index)
    if found is None:
        signals = doc.sentence_signals(index)
        found = cache[index] = {"s:" + k: 1.0 for k in SENTENCE_SIGNALS if k in signals}
    return found


def _pool_summary(doc: Document, cand: InstrumentCandidate) -> Features:
    explicit = [e for e in cand.pool if e.source == "explicit"]
    kinds = [doc.kind(e.key) for e in explicit]
    f: Features = {f"explicit_entities_{min(len(explicit), 3)}": 1.0}
    f[f"explicit_orgs_{min(kinds.count('organization'), 2)}"] = 1.0
    f[f"explicit_countries_{min(kinds.count('country'), 3)}"] = 1.0
    if "bloc" in kinds:
        f["explicit_bloc"] = 1.0
    for family in ("counterpart", "actor", "pair_name", "rival", "background", "place", "owner"):
        if any(e.mention is not None and family in e.mention.signals for e in explicit):
            f["pool_any:" + family] = 1.0
    if any(e.source == "both" for e in cand.pool):
        f["pool_both_sides"] = 1.0
    return f


def _groups(doc: Document, cand: InstrumentCandidate) -> list[tuple[str, ...]]:
    return list_groups(doc, cand.sentence, after=-1 if cand.cue == "membership" else cand.start)


def mention_features(doc: Document, cand: InstrumentCandidate, siblings: int) -> Features:
    """Whether the candidate reports an in-scope agreement (the agreement model)."""
    f: Features = {"cue:" + cand.cue: 1.0, "lex_kind:" + cand.kind: 1.0, "word:" + head_word(cand): 1.0}
    if cand.name:
        f["named"] = 1.0
    if cand.fixed_party:
        f["joins_bloc"] = 1.0
    signals = instrument_signals(doc, cand)
    if cand.member is not None:
        # One agreement per listed name: "MoUs with Malawi, Mali and Zambia", "talks with Peru and Chile".
        f["variant:one_of_list"] = 1.0
        f[f"list_size_{min(len(cand.group), 4)}"] = 1.0
        f["one_of_list&" + ("plural" if "plural" in signals else "singular")] = 1.0
        f["one_of_list&cue:" + cand.cue] = 1.0
        if any(e.source == "next" for e in cand.pool):
            f["one_of_list&listed_next_sentence"] = 1.0
    elif any(len(g) >= 2 and set(g) <= {e.key for e in cand.pool} for g in _groups(doc, cand)):
        f["joint_reading_of_a_list&" + ("plural" if "plural" in signals else "singular")] = 1.0
        f["joint_reading_of_a_list&cue:" + cand.cue] = 1.0
    if doc.is_headline(cand.sentence):
        f["in_headline"] = 1.0
    f[f"sentence_{min(cand.sentence, 6)}"] = 1.0
    f[f"instruments_in_sentence_{min(siblings, 3)}"] = 1.0
    f.update(instrument_signals(doc, cand))
    f.update(_sentence_features(doc, cand.sentence))
    f.update(_pool_summary(doc, cand))
    f.update(_date_relations(doc, cand))
    return f


@cached_by_identity
def _topic_patterns(vocab: Vocabulary) -> list[tuple[str, GatedPattern]]:
    return [(topic, gated_phrases(tuple(words))) for topic, words in vocab.cues["topics"].items()]


def topics(doc: Document, cand: InstrumentCandidate) -> frozenset[str]:
    """What the instrument is about, from the words just around it ("uranium agreement", "trade pact")."""
    lo, hi = max(cand.clause[0], cand.start - 40), min(cand.clause[1], cand.end + 50)
    return frozenset(topic for topic, pattern in _topic_patterns(doc.vocab) if pattern.search(doc.text, lo, hi))


def _distance_ranks(cand: InstrumentCandidate) -> dict[int, int]:
    """Each explicit pool mention's rank by distance to the instrument (1 = nearest), by id (once per candidate)."""
    ranks = getattr(cand, "_ranks", None)
    if ranks is None:
        explicit = [e.mention for e in cand.pool if e.source == "explicit" and e.mention is not None]
        order = sorted(explicit, key=lambda m: max(0, m.start - cand.end, cand.start - m.end))
        ranks = cand._ranks = {id(m): i + 1 for i, m in enumerate(order)}  # type: ignore[attr-defined]
    return ranks


@dataclass(frozen=True)
class _PoolFacts:
    """What every party question about one candidate needs to know of its pool, worked out once."""

    keys: frozenset[str]
    explicit: list[PoolEntry]
    blocs: list[tuple[str, object]]  # (key, bloc entry)
    org_countries: frozenset[str]  # home countries of the organisations in the pool


def _pool_facts(doc: Document, cand: InstrumentCandidate) -> _PoolFacts:
    facts = getattr(cand, "_pool_facts", None)
    if facts is None:
        keys = frozenset(e.key for e in cand.pool)
        facts = cand._pool_facts = _PoolFacts(  # type: ignore[attr-defined]
            keys,
            [e for e in cand.pool if e.source == "explicit"],
            [(k, doc.entry(k)) for k in keys if doc.kind(k) == "bloc"],
            frozenset(doc.entry(k).country_iso3 for k in keys if doc.kind(k) == "organization" and doc.entry(k).country_iso3),
        )
    return facts


def party_features(doc: Document, cand: InstrumentCandidate, entry: PoolEntry) -> Features:
    """Whether a pool entity is a party to the candidate's agreement (the party model)."""
    kind = doc.kind(entry.key)
    f: Features = {"src:" + entry.source: 1.0, "kind:" + kind: 1.0, f"src_kind:{entry.source}&{kind}": 1.0}
    f[f"cue_kind:{cand.cue}&{kind}"] = 1.0
    f[f"lex_kind:{cand.kind}&{kind}"] = 1.0
    if entry.key == cand.fixed_party:
        f["joined_bloc"] = 1.0
    if cand.member is not None:
        f["in_one_of_list_reading"] = 1.0
    if entry.key == cand.member:
        f["the_listed_name"] = 1.0
    if entry.key == doc.home:
        f["is_home"] = 1.0
    elif entry.key in doc.top_countries[:2]:
        f["top_two_country"] = 1.0
    pool = _pool_facts(doc, cand)
    explicit = pool.explicit
    f[f"explicit_in_pool_{min(len(explicit), 4)}"] = 1.0
    entity = doc.entry(entry.key)
    if kind == "organization":
        f["org_kind:" + (entity.kind or "unknown")] = 1.0
        if not entity.is_partner:
            f["org_vocab_reporter"] = 1.0
        if entry.key in doc.pattern_orgs:
            f["org_by_pattern"] = 1.0
        if entity.country_iso3 and f"country:{entity.country_iso3}" in pool.keys:
            f["own_country_in_pool"] = 1.0
    blocs = [b for key, b in pool.blocs if key != entry.key]
    if blocs:
        f["a_bloc_in_pool"] = 1.0
        if kind == "country" and any(entity.iso3 in b.members for b in blocs):
            f["member_of_a_bloc_in_pool"] = 1.0
    if kind == "country" and entity.iso3 in pool.org_countries:
        f["own_org_in_pool"] = 1.0
    if kind == "country":
        share = doc.nationality_share.get(entry.key, 0.0)
        if share:
            f["named_as_nationality_" + ("always" if share == 1.0 else "mostly" if share >= 0.5 else "sometimes")] = 1.0
    m = entry.mention
    if m is None:
        if not explicit:
            f["implicit_and_nothing_explicit"] = 1.0
        return f
    f["form:" + m.form] = 1.0
    for family in _SIGNAL_FAMILIES:
        if family in m.signals:
            f["e:" + family] = 1.0
    f[f"distance_rank_{min(_distance_ranks(cand).get(id(m), 9), 3)}"] = 1.0
    lo, hi = cand.clause
    if lo <= m.start and m.end <= hi:
        f["in_clause"] = 1.0
    if cand.start <= m.start and m.end <= cand.end:
        f["inside_name"] = 1.0
        return f
    before = m.end <= cand.start
    distance = cand.start - m.end if before else m.start - cand.end
    f["side:" + ("before" if before else "after")] = 1.0
    f.update({f"dist_{'before' if before else 'after'}_lt{edge}": 1.0 for edge in (20, 60, 120) if distance < edge})
    if explicit and explicit[0].mention is m:
        f["first_named_in_sentence"] = 1.0
    text = doc.text
    neighbours = [e.mention for e in explicit if e.mention is not None and e.mention is not m]
    if any(_LIST_GAP_RE.fullmatch(text, n.end, m.start) or _LIST_GAP_RE.fullmatch(text, m.end, n.start) for n in neighbours):
        f["listed_with_another"] = 1.0
    between = text[min(m.end, cand.end) : max(m.start, cand.start)]
    if re.search(r"\bwith\b|\bbetween\b", between):
        f["with_between_them"] = 1.0
    if re.search(r"[;:]|\bwhile\b|\bbut\b", between):
        f["break_between_them"] = 1.0
    return f


_STATUS_FAMILIES = ("status_in_force", "status_signed", "status_approved", "status_negotiating", "status_proposed",
                    "status_signed_near", "status_proposed_near", "status_in_force_near", "status_negotiating_near")  # fmt: skip


# How the mention refers to the instrument: a description of an existing body ("X, a joint venture of"),
# a predecessor ("builds on the"), a dated name ("the 2019 pact"), a verdict on it ("welcomed the").
_STATUS_CONTEXT_FAMILIES = ("descriptive", "other_instrument")
_STATUS_SENTENCE_SIGNALS = ("sent_future", "sent_existing", "sent_negation", "sent_talks", "sent_cabinet", "sent_signed")


def _mention_status_signals(doc: Document, cand: InstrumentCandidate) -> Features:
    """What one mention says of the agreement's status: the status cue nearest to it (the clearest
    sign), the status families around it, its cue, the tense of its sentence and its dates."""
    f: Features = {"cue:" + cand.cue: 1.0}
    cache = doc.memo.setdefault("nearest_status", {})
    nearest = cache.get((cand.start, cand.end), "?")
    if nearest == "?":
        s = doc.sentences[cand.sentence]
        nearest = cache[(cand.start, cand.end)] = rules_for("instrument").nearest(
            doc.text, cand.start, cand.end, s.start, s.end, _STATUS_FAMILIES
        )
    f["nearest:" + (nearest.removesuffix("_near") if nearest else "none")] = 1.0
    signals = instrument_signals(doc, cand)
    for family in _STATUS_FAMILIES + _STATUS_CONTEXT_FAMILIES:
        if family in signals:
            f[family] = 1.0
    if doc.is_headline(cand.sentence):
        f["in_headline"] = 1.0
    sentence = doc.sentence_signals(cand.sentence)
    for key in _STATUS_SENTENCE_SIGNALS:
        if key in sentence:
            f["s:" + key] = 1.0
    f.update(_date_relations(doc, cand))
    return f


def _aggregate(per_mention: list[Features]) -> Features:
    """An agreement's features from its mentions': whether any says it, what share do, what the first says."""
    f: Features = {f"mentions_{min(len(per_mention), 4)}": 1.0}
    counts: dict[str, int] = {}
    for features in per_mention:
        for key in features:
            counts[key] = counts.get(key, 0) + 1
    for key, n in counts.items():
        f["any:" + key] = 1.0
        f["share:" + key] = n / len(per_mention)
    for key in per_mention[0]:
        f["first:" + key] = 1.0
    return f


_MULTI_RE = re.compile(
    r"\b(?:trilateral|three-way|tripartite|multilateral|plurilateral|quadrilateral|consortium|three\s+countries|all\s+three)\b",
    re.IGNORECASE,
)


def party_count_features(doc: Document, cand: InstrumentCandidate) -> Features:
    """How many parties the candidate's agreement has (the party_count model, the prior of party sets)."""
    f: Features = {"cue:" + cand.cue: 1.0, "lex_kind:" + cand.kind: 1.0}
    f.update(_pool_summary(doc, cand))
    if cand.member is not None:
        f["one_of_list"] = 1.0
    if cand.fixed_party:
        f["joins_bloc"] = 1.0
    if doc.sentence_has(_MULTI_RE, cand.sentence):
        f["multi_party_word"] = 1.0
    if "pool_both_sides" in f:
        f["both_sides"] = 1.0
    return f


def status_features(doc: Document, cands: list[InstrumentCandidate]) -> Features:
    """The agreement's status as of the article's date (the status model), from all its mentions in text order."""
    return _aggregate([_mention_status_signals(doc, c) for c in sorted(cands, key=lambda c: c.start)])


def _mention_kind_signals(doc: Document, cand: InstrumentCandidate) -> Features:
    f: Features = {"cue:" + cand.cue: 1.0, "lex_kind:" + cand.kind: 1.0, "word:" + head_word(cand): 1.0}
    for word in set(_WORD_RE.findall((cand.name or "").lower())) & _NAME_WORDS:
        f["name_word:" + word] = 1.0
    signals = instrument_signals(doc, cand)
    for family in ("about_trade", "about_investment", "about_offtake", "about_exploration", "about_minerals", "status_in_force"):
        if family in signals:
            f[family] = 1.0
    f.update(_pool_summary(doc, cand))
    return f


def kind_features(doc: Document, cands: list[InstrumentCandidate]) -> Features:
    """What kind of instrument the agreement is (the kind model), from all its mentions in text order."""
    return _aggregate([_mention_kind_signals(doc, c) for c in sorted(cands, key=lambda c: c.start)])


def _years_near(doc: Document, cand: InstrumentCandidate) -> set[int]:
    lo, hi = max(cand.clause[0], cand.start - 25), min(cand.clause[1], cand.end + 30)
    return {d.value.value.year for d in doc.dates_in(cand.sentence) if d.value and lo <= d.start and d.end <= hi}


def _named_sides(cand: InstrumentCandidate) -> frozenset[str]:
    return frozenset(e.key for e in cand.pool if e.source in {"explicit", "next"})


def same_agreement_features(doc: Document, a: InstrumentCandidate, b: InstrumentCandidate) -> Features:
    """Whether two candidates report the same agreement (the merge model); `a` comes first in the text."""
    f: Features = {}
    sa, sb = _named_sides(a), _named_sides(b)
    if not sa or not sb:
        f["sides:" + ("both_unnamed" if not (sa or sb) else "one_unnamed")] = 1.0
    elif sa == sb:
        f["sides:same"] = 1.0
    elif sa <= sb or sb <= sa:
        f["sides:one_within_other"] = 1.0
    elif sa & sb:
        f["sides:overlap"] = 1.0
    else:
        f["sides:disjoint"] = 1.0
    if a.member is not None or b.member is not None:
        f["a_listed_reading"] = 1.0
    if a.kind == b.kind:
        f["same_lex_kind"] = 1.0
    elif a.kind in GENERIC_KINDS or b.kind in GENERIC_KINDS:
        f["one_generic_kind"] = 1.0
    else:
        f["different_kinds"] = 1.0
    if head_word(a) == head_word(b):
        f["same_word"] = 1.0
    if a.name and b.name:
        f["both_named_same" if a.name.lower() == b.name.lower() else "both_named_different"] = 1.0
    elif a.name or b.name:
        f["one_named"] = 1.0
    gap = b.sentence - a.sentence
    f[
        "same_sentence" if gap == 0 else "adjacent_sentences" if gap == 1 else "near_sentences" if gap <= 4 else "far_sentences"
    ] = 1.0
    sb, sa = instrument_signals(doc, b), instrument_signals(doc, a)
    for family in ("other_instrument", "definite", "indefinite", "dated_name", "plural", "verdict"):
        if family in sb:
            f["second:" + family] = 1.0
    stage_a = "before" if {"status_proposed", "status_negotiating"} & set(sa) and "status_signed" not in sa else "after"
    stage_b = "before" if {"status_proposed", "status_negotiating"} & set(sb) and "status_signed" not in sb else "after"
    if stage_a != stage_b:
        f["stages_differ"] = 1.0
    if ("status_in_force" in sa) != ("status_in_force" in sb):
        f["in_force_differs"] = 1.0
    years_a, years_b = _years_near(doc, a), _years_near(doc, b)
    if years_a and years_b and not years_a & years_b:
        f["years_differ"] = 1.0
    if a.cue != b.cue:
        f[f"cues:{a.cue}&{b.cue}"] = 1.0
    ta, tb = topics(doc, a), topics(doc, b)
    if ta and tb:
        f["same_topics" if ta == tb else "topics_overlap" if ta & tb else "topics_differ"] = 1.0
    elif ta or tb:
        f["one_has_topic"] = 1.0
    if doc.is_headline(a.sentence):
        f["first_in_headline"] = 1.0
    return f
