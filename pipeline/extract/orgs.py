"""Organisations the vocabulary does not know, found by the shape of their names: "Andes Lithium
Corp", "Ministry of Mines", "state miner Vinacomin", "Argentina's CAMYEN".

This is candidate generation: it aims at recall. Whether a name found here takes part in the
cooperation the article reports is decided later (pipeline/extract/decide_partners.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from pipeline.extract.gazetteer import Coverage, Hit, hits_starting_in
from pipeline.extract.vocab import PartnerEntry, Vocabulary, org_key

# Upper-case letters, accented ones included ("Kivu Étain SA").
UPPER = "".join(chr(c) for c in range(0x41, 0x250) if chr(c).isupper())
# A capitalised word; inner dots only ("U.S."), never across sentences. (The dots as `(?:\.(?=\w)[\w'’&-]*)*` after
# the letters: the same words as `(?:[\w'’&-]|\.(?=\w))*`, tried in the same order, and the engine runs through a
# word's letters in one step instead of trying two branches at each.)
# Bounded ({0,40} letters, {0,8} inner dots): a chain like "A.A.A.A..." is then read a few letters at a time from
# each of its words, not to its end from each.
_CAP = rf"(?:[{UPPER}][\w'’&-]{{0,40}}(?:\.(?=\w)[\w'’&-]{{0,40}}){{0,8}})"
_CONNECT = r"(?:of|and|for|de|del|&|(?<=of )the|(?<=for )the)"
_MAX_NAME_WORDS = 12


@cache
def _org_pattern(suffixes: tuple[str, ...], bodies: tuple[str, ...]) -> re.Pattern[str]:
    suffix = "|".join(re.escape(s) for s in sorted(suffixes, key=len, reverse=True))
    body = "|".join(bodies)
    # Bounded repeats ({0,MAX}): an unbounded run would make each of a long line of capitalised
    # words try every word up to the end of the run, in time in the square of its length.
    named = rf"(?P<named>{_CAP}(?:[ \t]+(?:{_CAP}|{_CONNECT}(?=[ \t]+[A-Z]))){{0,{_MAX_NAME_WORDS}}}[ \t]+(?:{suffix})(?![\w]))"
    government = rf"(?P<gov>(?:{body})\s+(?:of|for)\s+(?:the\s+)?{_CAP}(?:,?\s+(?:{_CAP}|and|&|of)(?=\s*[A-Z&]|\s+and)){{0,{_MAX_NAME_WORDS}}}(?:\s+{_CAP})?)"
    return re.compile(rf"{named}|{government}")


_ORG_STOP_FIRST = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                   "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                   "Today", "Yesterday", "Last", "Next", "This", "The", "A", "An", "That", "These", "Its", "Their", "His", "Her", "Our", "In", "On", "At", "By", "For", "With", "And", "But", "As", "Both", "Senior", "While", "When", "During", "After", "Under", "From", "Officials", "Executives", "State-run", "State-owned", "Government-owned", "Listed", "Now", "Meanwhile", "Separately", "Also", "Then", "Earlier", "Later", "Instead", "Still"}  # fmt: skip
# Words that say what a body does but not which body it is: a name made only of these
# (plus countries) is a topic ("India Critical Minerals"), not an organisation.
GENERIC_ORG_WORDS = {
    "Mining", "Minerals", "Mineral", "Resources", "Metals", "Materials", "Energy", "Lithium", "Exploration", "Refining",
    "Battery", "Batteries", "Group", "Company", "Industries", "Industry", "Holdings", "Fund", "Bank", "Council",
    "Commission", "Agency", "Authority", "Institute", "Survey", "Critical", "Raw", "Rare", "Earth", "Earths",
    "Strategic", "Natural", "National", "Global", "International", "Annual", "Joint", "Ministerial", "Union",
    "Heavy", "Steel", "Clean", "Green", "Renewable", "New", "Advanced", "Technology", "Technologies", "Security",
    "Supply", "Chain", "Chains", "Investment", "Development", "Trade", "Economic", "Bilateral", "Federal", "State",
    "Working", "Task", "Force", "Steering", "Committee", "Policy", "Press", "Office", "Week", "Binational",
}  # fmt: skip
_PERSON_TITLE_RE = re.compile(
    r"\b(?:Minister|President|Ambassador|(?:Under|Vice|Deputy|Assistant|Permanent)?[Ss]ecretary|Chancellor|Premier|Prince|King|Governor|Chairman|CEO|Director|Officer|Chief|Executive|Commissioner)\b"
)
_NAME_CONTINUES_RE = re.compile(
    r"^\s+(?:(?:[A-Z][a-z]+|&|and)\s+){0,3}(?:Dialogue|Week|Summit|Conference|Convention|Congress|Expo|Exhibition|Indaba|Fair|Forum|Partnership|Initiative|Agreement|Act|Alliance|Framework|Strategy|Mission|Policy|Programme|Program|Plan|Roadmap|Club|Compact|Corridor|Accord|Declaration|Service|Services|Office|Bureau|Province|Region|Basin|Belt|Valley|District|Zone|Minister|Secretary|Undersecretary|Ministry|Department)\b"
)
# "Ohio-based", "Austria's", "Perth-listed": words that describe an organisation but are not its name.
_DESCRIPTOR_TOKEN_RE = re.compile(r"[\w.-]+[-–](?:based|listed|headquartered|registered|owned|run)$|.+['’]s$", re.IGNORECASE)
# Bodies that study, report or govern rather than take part.
_NON_PARTNER_RE = re.compile(
    r"\b(?:Institute|University|Universities|Centre|Center|Foundation|Observatory|Think|Academy|School|Press|Newspaper|News|Media|Policy)\b"
)
_GOVERNMENT_RE = re.compile(
    r"^(?:Ministr(?:y|ies)|Departments?|Offices?|Directorates?|Secretariat|Bureau|Cabinet|Federal (?:Ministry|Agency|Office|Institute))\b|\b(?:High Commission|Embassy|Consulate|Geological Survey)\b"
)
# "state miner Vinacomin", "French nuclear group Orano": a company named by what it does.
# (The look-ahead holds for every match - a word, then a capitalised word, or "mining company" - and
# spares most words the search for a job title at each of their letters.)
_DESCRIBED_ORG_RE = re.compile(
    r"\b(?=\w+[ \t]+[A-Z]|mining )(?:\w*(?:miner|maker|producer|refiner|processor|smelter|trader|developer|explorer|manufacturer|supplier|operator|recycler|investor|lender|insurer)|mining (?:company|firm|group)|conglomerate|utility|group|company|firm|giant|corporation|house|startup|start-up|venture|fund|consortium|bank)[ \t]+"
    r"(?P<name>[A-Z][\w&’'-]+(?:\s+[A-Z][\w&’'-]+){0,3})"
)


# Companies named as the counterparts of a deal or by a plural company word: "Korean firms Hanil and Daebo",
# "signed agreements with Peak Ores, Evolution Graphite and Ecorix", "a stake in Novamet", "to acquire Andora".
# Each listed name is a candidate; one that is a place, a person or a known body is dropped below.
_COUNTER_NAME = r"[A-Z][\w&-]+(?:[ \t]+[A-Z][\w&-]+){0,3}(?![\w&’'-])"
_COUNTERPARTS_RE = re.compile(
    r"\b(?:companies|firms|miners|producers|groups|(?:agreements?|deals?|contracts?|pacts?|MoUs?|memorand\w+|partnerships?|"
    r"joint[ \t]+ventures?|offtakes?|accords?)[ \t]+with|(?:signed|inked|sealed|partnered|merged)[ \t]+(?:[a-z]+[ \t]+){0,4}?with|"
    r"stakes?[ \t]+in|acquir(?:e|ed|es|ing)|acquisition[ \t]+of|takeover[ \t]+of|buy(?:s|ing)?|bought)"
    rf"[ \t]+(?:the[ \t]+)?(?P<names>{_COUNTER_NAME}(?:,[ \t]+{_COUNTER_NAME})*(?:,?[ \t]+and[ \t]+{_COUNTER_NAME})?)"
)
_COUNTER_SPLIT_RE = re.compile(r",?[ \t]+and[ \t]+|,[ \t]+")
# Words that open a phrase, not a company's name: "with the Government of Peru", "with Mr Lee", "the JV".
_NOT_COUNTERPART = {"Government", "Governments", "Republic", "Kingdom", "State", "States", "Mr", "Mrs", "Ms", "Dr", "JV",
                    "JVs", "Prime", "President", "Minister", "Ministers", "Chief", "Its", "Their", "Both"}  # fmt: skip


_INSTITUTIONAL = {"Commission", "Authority", "Agency", "Bank", "Council", "Institute", "Fund", "Corporation", "Organization", "Organisation", "Survey"}  # fmt: skip
# "Argentina's CAMYEN", "Chile's ENAMI": an acronym a country owns is one of its bodies.
# (`[A-Z](?<=\b[A-Z])` is `\b[A-Z]` opening with a letter class, which the regex engine can skip to.)
_OWNED_ACRONYM_RE = re.compile(
    r"(?P<owner>[A-Z](?<=\b[A-Z])[\w-]{1,40}(?:\s[A-Z][\w-]{1,40})?)['’]s\s+(?:state-owned\s+|state\s+)?(?P<name>[A-Z]{3,8})\b(?![-–])"
)
_INSTRUMENT_HEAD_RE = re.compile(
    r"\b(?:Framework|Agreement|Partnership|Initiative|Memorandum|Declaration|Roadmap|Plan|Strategy|Act|Pact|Accord|Treaty)\b"
)
_LEGAL_SUFFIXES = {"Limited", "Ltd", "Corp", "Corporation", "Inc", "PLC", "plc", "LLC", "AG", "GmbH", "SA", "S.A",
                   "SpA", "NV", "N.V", "BV", "Pty", "JSC", "Tbk", "Pte", "Bhd", "Berhad", "SAS", "Oyj", "ASA", "AB",
                   "Ltda", "KK", "Company", "Co", "Organization", "Organisation"}  # fmt: skip
_INSIDE_NAME_RE = re.compile(
    r"\b(?:Roadmap|Agreement|Partnership|Framework|Declaration|Memorandum|Initiative|Plan|Strategy|Programme|Program|Act|Alliance)\s+(?:on|for|of)\s+(?:the\s+)?$"
)


_FIELD_OF_RE = re.compile(r"\b(?:fields?|areas?|sectors?|domains?|spheres?)\s+of\s+$", re.IGNORECASE)


_DASH_RE = re.compile(r"[-–]")


def _distinctive(name: str, suffixes: tuple[str, ...], place_words: set[str]) -> bool:
    """Whether a name has a word that singles out one body (not generic, not a place)."""
    return any(
        not _DESCRIPTOR_TOKEN_RE.fullmatch(w)
        and w not in GENERIC_ORG_WORDS
        and w.lower() not in {"of", "and", "for", "the", "&", "de", "del"}
        and w.rstrip(".,") not in suffixes
        and w not in place_words
        and not all(part in place_words for part in _DASH_RE.split(w))
        for w in name.split()
    )


@dataclass(frozen=True)
class OrgMatch:
    start: int
    end: int
    name: str
    government: bool
    partner: bool = True
    acronym: bool = False  # a lone capitalised acronym ("CAMYEN", "JETRO"): a weak sign of an organisation


# The capital words that open a line before a dateline's comma, bracket or dash ("BUENOS AIRES, March 4 -").
_DATELINE_HEAD_RE = re.compile(r"\s*[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+){0,3}$")
_DATELINE_TAIL_RE = re.compile(r"(?:\s+[A-Z][A-Z'’.-]+){0,3}\s*(?:,|\(|\[|[-–—:])")
# A capitalised acronym not in the vocabulary: "CAMYEN", "JEMSE", "TEXMiN" (two capitals at least, no digits).
_ACRONYM_RE = re.compile(r"(?<![\w.-])[A-Z][A-Za-z]*[A-Z][A-Za-z]*(?![\w-])")
# Three capitalised words or more in a row ("CATAMARCA MINERA Y ENERGETICA SOCIEDAD DEL ESTADO"): a name or
# a heading in capitals, whose words are not acronyms; it names a body when it holds a legal form.
_CAPS_RUN_RE = re.compile(r"(?<![\w.-])[A-Z]{2,}(?:[ \t]+(?:[A-Z]{2,}|Y|DE|DEL)(?![\w.-])){2,}")
_CAPS_LEGAL_RE = re.compile(r"\b(?:SOCIEDAD|LIMITED|LTD|CORPORATION|CORP|COMPANY|INC|PLC|GMBH|LLC|SPA|LTDA|EMPRESA)\b")
# Named bodies whose name is all generic words but whose head says they are one: "Minerals Council of Australia".
_BODY_HEAD_RE = re.compile(
    r"\b(?:Council|Commission|Authority|Agency|Institute|Bank|Fund|Alliance|Association|Federation|Chamber|Board|Corporation)\b"
)
# "Kenya–Norway Binational Commission", "Joint Committee": a mechanism two governments meet in (a dialogue,
# guide notes call 43), not a body that takes part.
_MECHANISM_RE = re.compile(
    r"\b(?:Binational|Bi-national|Joint|Intergovernmental|Inter-governmental|Bilateral)\s+"
    r"(?:(?:Economic|Trade|Ministerial|Technical|Permanent|Mixed)\s+)?(?:Commission|Committee|Working\s+Group)\b"
)


_NON_SPACE_RE = re.compile(r"\S+")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading articles and descriptors ("Ohio-based", "Western Australia's") and trailing punctuation."""
    tokens = list(_NON_SPACE_RE.finditer(text[start:end]))
    cut = 0
    for i, w in enumerate(tokens[:5]):
        if _DESCRIPTOR_TOKEN_RE.fullmatch(w.group(0)) or (i == cut and w.group(0) in _ORG_STOP_FIRST):
            cut = i + 1
    # "Officials of Coal India Limited": a name never opens with a lower-case connector.
    while 0 < cut < len(tokens) and tokens[cut].group(0) in {"of", "and", "for", "the", "at", "from", "with"}:
        cut += 1
    if 0 < cut < len(tokens):
        start += tokens[cut].start()
    while end > start and text[end - 1] in ".,;:":
        end -= 1
    return start, end


_AND_RE = re.compile(r"\s+and\s+")
_LEADING_THE_RE = re.compile(r"^[Tt]he\s+")
_INSTITUTION_OF_RE = re.compile(rf"\s+(?:for|of)\s+(?:the\s+)?({_CAP}(?:\s+{_CAP})?)")


def find_pattern_orgs(text: str, vocab: Vocabulary, hits: list[Hit] | None = None) -> list[OrgMatch]:
    """Organisation names not in the vocabulary: "Andes Lithium Corp", "Ministry of Mines",
    "state miner Vinacomin"."""
    suffixes = tuple(vocab.cues["org_suffixes"])
    pattern = _org_pattern(suffixes, tuple(vocab.cues["government_bodies"]))
    hits = hits or []
    place_words = {text[h.start : h.end] for h in hits if h.target.startswith(("country:", "region:", "bloc:"))}
    known = [(h.start, h.end) for h in hits if h.target.startswith(("org:", "bloc:"))]
    known_bodies = Coverage(h for h in hits if h.target.startswith(("org:", "bloc:")))
    spans: list[tuple[int, int, bool]] = []
    for m in pattern.finditer(text):
        government = m.group("gov") is not None
        # "Hanbit Advanced Materials and Kambalda Battery Metals Ltd": two names.
        end = m.end()
        if not government and m.group(0).split()[-1] in _INSTITUTIONAL:
            # An institution may be "of" or "for" a place: "Economic Commission for Africa".
            tail = _INSTITUTION_OF_RE.match(text[end : end + 40])
            if tail and tail.group(1) in place_words:
                end += tail.end()
        pieces = [(m.start(), end)]
        if not government:
            for a in _AND_RE.finditer(m.group(0)):
                left, right = m.group(0)[: a.start()], m.group(0)[a.end() :]
                if _LEADING_THE_RE.sub("", left) in place_words and _distinctive(right, suffixes, place_words):
                    pieces = [(m.start() + a.end(), m.end())]  # "the EU and Volta Minerals Corp": a place, then a name
                    break
                if _distinctive(left, suffixes, place_words) and _distinctive(right, suffixes, place_words):
                    pieces = [(m.start(), m.start() + a.start()), (m.start() + a.end(), m.end())]
                    if left.split()[-1] not in suffixes and _PERSON_TITLE_RE.search(right):
                        pieces = pieces[1:]  # "Chris Showalter and Burundi's Minister of Mines": a person first
                    break
        spans += [(s, e, government) for s, e in pieces]
    for m in _DESCRIBED_ORG_RE.finditer(text):
        spans.append((m.start("name"), m.end("name"), False))
    places = Coverage(h for h in hits if h.target.startswith(("country:", "region:", "bloc:")))
    for m in _COUNTERPARTS_RE.finditer(text):
        pos = m.start("names")
        for piece in _COUNTER_SPLIT_RE.split(m.group("names")):
            pos = text.index(piece, pos)
            end, pos = pos + len(piece), pos + len(piece)
            if (
                piece.split()[0] not in _NOT_COUNTERPART
                and not re.match(r"\s+of\b|['’]s\b", text[end : end + 4])
                and not places.overlaps(end - len(piece), end)
            ):
                spans.append((end - len(piece), end, False))
    for m in _OWNED_ACRONYM_RE.finditer(text):
        if m.group("owner") in place_words:
            spans.append((m.start("name"), m.end("name"), False))
    not_acronyms = frozenset(vocab.cues["not_org_acronyms"])
    acronyms: list[OrgMatch] = []
    shouted_starts, shouted_ends = [], []
    for r in _CAPS_RUN_RE.finditer(text):
        shouted_starts.append(r.start())
        shouted_ends.append(r.end())
        if _CAPS_LEGAL_RE.search(r.group(0)):
            spans.append((r.start(), r.end(), False))  # "CATAMARCA MINERA Y ENERGETICA SOCIEDAD DEL ESTADO"
    for m in _ACRONYM_RE.finditer(text):
        word = m.group(0)
        run = bisect_right(shouted_starts, m.start()) - 1
        if run >= 0 and m.start() < shouted_ends[run]:
            continue  # a word of a name or heading written in capitals, not an acronym
        upper = sum(ch.isupper() for ch in word)
        if len(word) < 3 or upper < 0.6 * len(word) or word in not_acronyms or word.upper() in not_acronyms:
            continue
        if known_bodies.covers(m.start()) or word in place_words:
            continue
        if (
            upper == len(word)
            and _DATELINE_HEAD_RE.match(text, text.rfind("\n", 0, m.start()) + 1, m.end())
            and _DATELINE_TAIL_RE.match(text, m.end())
        ):
            continue  # "TOKYO, March 3" / "BUENOS AIRES -": a dateline, not a body
        acronyms.append(OrgMatch(m.start(), m.end(), word, False, True, acronym=True))
    found: list[OrgMatch] = []
    for raw_start, raw_end, government in spans:
        start, end = _trim(text, raw_start, raw_end)
        name = text[start:end]
        words = name.split()
        inside = [(a, b) for a, b in known if a < end and start < b]
        if not words or len(inside) > 1 or any(not (start <= a and b <= end) or (a, b) == (start, end) for a, b in inside):
            continue  # a known organisation, or several ("Officials of Coal India Limited and NMDC Limited")
        if (
            _PERSON_TITLE_RE.search(name)
            or _NAME_CONTINUES_RE.match(text[raw_end : raw_end + 40])
            or _INSTRUMENT_HEAD_RE.search(name)
        ):
            continue
        if _INSIDE_NAME_RE.search(text[max(0, start - 30) : start]):
            continue  # "Joint Roadmap on Sustainable Raw Materials ...": part of an instrument's name
        if _FIELD_OF_RE.search(text[max(0, start - 30) : start]):
            continue  # "cooperation in the field of Geology and Mineral Resources": a subject, not a body
        if _MECHANISM_RE.search(name):
            continue  # a meeting mechanism of governments, not an organisation
        government = government or bool(_GOVERNMENT_RE.search(name))
        legal = words[-1].rstrip(".,") in _LEGAL_SUFFIXES and len(words) >= 2
        if not government and not legal and not _distinctive(name, suffixes, place_words) and not _BODY_HEAD_RE.search(name):
            continue
        partner = not government and not _NON_PARTNER_RE.search(name)
        found.append(OrgMatch(start, end, name, government, partner))
    covered = [(o.start, o.end) for o in found]
    found += [o for o in acronyms if not any(a <= o.start < b for a, b in covered)]
    # Overlapping candidates: keep the longest.
    found.sort(key=lambda o: (-(o.end - o.start), o.start))
    kept: list[OrgMatch] = []
    for o in found:
        if all(o.end <= k.start or o.start >= k.end for k in kept):
            kept.append(o)
    return sorted(kept, key=lambda o: o.start)


_OWNER_TAIL_RE = re.compile(
    r"(?:['’]s)?\s+(?:(?:state|state-owned|state-run|national|government|public|private|mining|firm|company|miner|giant)[\s,-]*)*"
)
_DEMONYM_TAIL_RE = re.compile(r"\s+(?:(?:state|state-owned|state-run|mining|firm|company|miner)[\s,-]*)*")


def org_country(name: str, text: str, start: int, hits: list[Hit], vocab: Vocabulary) -> str | None:
    """An unknown organisation's home country: from its name, or a possessive just before it
    (`hits` in text order, as `select_longest` returns them)."""
    for h in hits_starting_in(hits, start, start + len(name)):
        if h.end <= start + len(name) and h.target.startswith("country:"):
            return h.target.split(":")[1]
    for h in hits_starting_in(hits, start - 40, start):
        if h.end <= start and h.target.startswith("country:"):
            tail = text[h.end : start]
            if _OWNER_TAIL_RE.fullmatch(tail) or h.alias.form == "demonym" and _DEMONYM_TAIL_RE.fullmatch(tail):
                return h.target.split(":")[1]
    return None


def pattern_org_entry(match: OrgMatch, country: str | None) -> PartnerEntry:
    return PartnerEntry(
        org_key(match.name),
        match.name,
        "organization",
        country_iso3=country,
        kind="ministry" if match.government else "company" if match.partner else "institute",
        is_partner=match.partner,
    )
