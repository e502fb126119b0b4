"""Partners: which countries, blocs, regions and organisations named in an article take part in the
cooperation it reports.

Candidates are every entity the article names (document.py finds them, with the rules' signals
around each mention). Features summarise how the article uses each one: how often and where it
is named, what the rules say around its mentions, what kind of sentences it appears in. The
partner model (pipeline/models/partner.json) decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.extract.document import Document, EntityMention
from pipeline.extract.instruments import list_groups
from pipeline.extract.model import Decision, Features, LinearModel
from pipeline.extract.records import PartnerRecord, Span

# Families of entity-rule signals (pipeline/rules/entity.yaml) summarised per candidate.
MENTION_SIGNALS = ("rival", "background", "statistics_sentence", "place", "visit_host", "leader", "attribute", "owner",
                   "metaphor", "observer", "venue", "gathering", "former", "counterpart", "pair_name", "actor", "caption",
                   "listed_member", "dateline")  # fmt: skip
# Sentence-rule families (pipeline/rules/sentence.yaml) summarised over the sentences naming a candidate.
SENTENCE_SIGNALS = ("sent_cooperation", "sent_instrument", "sent_signed", "sent_concluded", "sent_talks", "sent_meeting",
                    "sent_future", "sent_cabinet", "sent_launch", "sent_statistics", "sent_rivalry", "sent_quote",
                    "sent_reporting", "sent_existing", "sent_vague_plural", "sent_out_of_scope", "sent_minerals",
                    "sent_negation", "sent_leaders", "sent_ministers", "sent_recurring")  # fmt: skip
_MENTION_FAMILIES = frozenset(MENTION_SIGNALS)
_SENTENCE_FAMILIES = frozenset(SENTENCE_SIGNALS)
_UNCLEAN = frozenset(
    {"rival", "background", "place", "attribute", "owner", "observer", "caption", "metaphor", "listed_member", "dateline"}
)
_NAME_FORMS = {"name", "alias", "acronym", "pattern", "short", "acronym_pattern"}


@dataclass
class PartnerCandidate:
    key: str
    mentions: list[EntityMention]


def partner_candidates(doc: Document) -> list[PartnerCandidate]:
    """One candidate per entity the article names, in order of first mention."""
    by_key: dict[str, PartnerCandidate] = {}
    for m in doc.mentions:
        by_key.setdefault(m.key, PartnerCandidate(m.key, [])).mentions.append(m)
    return list(by_key.values())


def _bins(prefix: str, value: float, edges: tuple[float, ...]) -> Features:
    """One-hot of the bin `value` falls in: `<prefix>_lt<edge>` or `<prefix>_ge<last edge>`."""
    for edge in edges:
        if value < edge:
            return {f"{prefix}_lt{edge:g}": 1.0}
    return {f"{prefix}_ge{edges[-1]:g}": 1.0}


def partner_features(doc: Document, cand: PartnerCandidate) -> Features:
    entry = doc.entry(cand.key)
    mentions = cand.mentions
    n = len(mentions)
    f: Features = {"type:" + entry.partner_type: 1.0, "log_mentions": math.log1p(n)}
    f.update(_bins("mentions", n, (2, 3, 5)))
    if entry.partner_type == "organization":
        f["org_kind:" + (entry.kind or "unknown")] = 1.0
        if not entry.is_partner:
            f["org_vocab_reporter"] = 1.0
        if cand.key in doc.pattern_orgs:
            f["org_by_pattern"] = 1.0
        if entry.country_iso3 and f"country:{entry.country_iso3}" == doc.home:
            f["org_of_home_country"] = 1.0
    forms = {m.form for m in mentions}
    for form in forms:
        f["form:" + form] = 1.0
    if not forms & _NAME_FORMS:
        f["no_name_form"] = 1.0
    if forms <= {"government_home"}:
        f["only_unnamed_ministry"] = 1.0
    # (Counted over what the mentions and sentences do signal: a loop over every family for every
    # mention costs more than the rest of the features.)
    counts: dict[str, int] = {}
    clean = 0
    for m in mentions:
        signals = m.signals
        for signal in _MENTION_FAMILIES.intersection(signals):
            counts[signal] = counts.get(signal, 0) + 1
        if _UNCLEAN.isdisjoint(signals):
            clean += 1
    for signal, hits in counts.items():
        f["any:" + signal] = 1.0
        f["share:" + signal] = hits / n
        if hits == n:
            f["all:" + signal] = 1.0
    f["share:clean"] = clean / n
    if clean == 0:
        f["no_clean_mention"] = 1.0
    sentences = sorted({m.sentence for m in mentions})
    counts = {}
    for i in sentences:
        for signal in _SENTENCE_FAMILIES.intersection(doc.sentence_signals(i)):
            counts[signal] = counts.get(signal, 0) + 1
    for signal, hits in counts.items():
        f["in_sentence:" + signal] = hits / len(sentences)
    first = sentences[0]
    if doc.is_headline(first):
        f["first_in_headline"] = 1.0
        if len(sentences) == 1:
            f["only_in_headline"] = 1.0
    f.update(_bins("first_sentence", first, (1, 3, 6, 12)))
    if entry.partner_type == "country":
        rank = doc.top_countries.index(cand.key) if cand.key in doc.top_countries else 9
        f.update(_bins("country_rank", rank, (1, 2, 3, 5)))
        if cand.key == doc.home:
            f["is_home"] = 1.0
    longest = max((len(g) for i in sentences for g in list_groups(doc, i) if cand.key in g), default=0)
    if longest:
        f[f"in_list_of_{min(longest, 4)}"] = 1.0
    others = {m.key for i in sentences for m in doc.mentions_by_sentence.get(i, []) if m.key != cand.key}
    if doc.home and doc.home != cand.key and doc.home in others:
        f["with_home_in_sentence"] = 1.0
    if not others:
        f["alone_in_its_sentences"] = 1.0
    f.update(_bins("entities_in_article", len({m.key for m in doc.mentions}), (3, 6, 10)))
    return f


def decide_partners(doc: Document, candidates: list[PartnerCandidate], model: LinearModel) -> dict[str, Decision]:
    """The partner model's decision for every candidate, by key."""
    return {c.key: model.decide(partner_features(doc, c)) for c in candidates}


def partner_records(
    doc: Document, candidates: list[PartnerCandidate], decisions: dict[str, Decision], also: dict[str, Decision]
) -> list[PartnerRecord]:
    """A record for every candidate the model accepts, and for every entity that is a party or a
    participant (`also`: its key -> the decision that made it one), in order of first mention."""
    out = []
    for c in candidates:
        decision = decisions[c.key]
        accepted = decision.label == "partner"
        if not accepted and c.key not in also:
            continue
        if not accepted:
            decision = also[c.key]
        entry = doc.entry(c.key)
        method = "pattern" if c.key in doc.pattern_orgs else "gazetteer"
        spans = [Span(m.start, m.end, m.sentence) for m in c.mentions]
        out.append(
            PartnerRecord(
                c.key, entry.name, entry.partner_type, entry.iso3, entry.country_iso3, method,
                round(decision.probability, 4), spans, decided_by=decision.explain(), model=decision.model,
            )
        )  # fmt: skip
    return out
