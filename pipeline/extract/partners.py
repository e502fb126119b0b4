"""Partners: countries, blocs, regions and organisations named in an article.

A name counts as a partner mention unless the text uses it as a place ("talks in Tokyo"),
as a rival ("reduce dependence on China"), or it names a body that only reports or hosts
(news agencies, think tanks). Organisations missing from the vocabulary are found by name
pattern ("Andes Lithium Corp", "Ministry of Mines").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache

from pipeline.extract.gazetteer import Hit, hits_starting_in
from pipeline.extract.patterns import GatedPattern, cached_by_identity, gated_phrases
from pipeline.extract.records import PartnerRecord, Sentence, Span
from pipeline.extract.text import sentence_index
from pipeline.extract.vocab import PartnerEntry, Vocabulary, org_key

_LOCATIVE_RE = re.compile(r"(?:\b(?:in|at|from|near|to|into|outside|across)\s+(?:the\s+)?)$", re.IGNORECASE)
_LED_RE = re.compile(r"^\s*[-–]\s*led\b|^\s+led\b", re.IGNORECASE)
# "US-based", "Singapore-listed": an attribute of something else, not a party.
_ATTRIBUTE_RE = re.compile(
    r"^[-–](?:based|listed|headquartered|registered|owned|born|made|flagged|domiciled|free)\b", re.IGNORECASE
)
# A country used as the place where something happens or sits ("met in Singapore").
_PLACE_VERB_RE = GatedPattern(
    re.compile(
        r"\b(?:based|headquartered|listed|met|meet|meeting|held|hosted|summit|conference|forum|analyst|office|offices|project|projects|plant|plants|mine|mines|refinery|smelter|deposit|deposits|operations|facility|lake|flats|assets|subsidiary)\s+(?:\w+\s+)?in\s+(?:the\s+)?$",
        re.IGNORECASE,
    )
)
# "imports almost all its cells, largely from China and Hong Kong": the supplier a country depends on.
_IMPORTS_FROM_RE = GatedPattern(re.compile(r"\bimport(?:s|ed|ing)?\b[^.;]{0,70}\bfrom\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE))
# "an analyst at Halcyon Commodities in Singapore": where an organisation sits.
_AT_ORG_IN_RE = re.compile(r"\bat\s+(?:the\s+)?[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,4}\s+in\s+$")
# "Evian, France": a country naming where a city is.
_CITY_COUNTRY_RE = re.compile(r"\b(?:in|at)\s+(?P<city>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?),\s+$")
# "Malaysian operations", "Chilean mine": a facility's location.
_FACILITY_RE = re.compile(
    r"^\s+(?:operations?|plants?|refiner(?:y|ies)|facilit(?:y|ies)|mines?|deposits?|projects?|smelters?|sites?|assets?|subsidiar(?:y|ies)|unit|ports?|railways?|border|coast|salt flats?|territory|soil|waters|airspace)\b",
    re.IGNORECASE,
)
# "KABIL is a joint venture of NALCO, HCL and MECL": the owners in a description of a company.
# "a unit of state mining holding MIND ID", "the investment vehicle owned by X and the Y Fund".
_OWNED_BY_RE = GatedPattern(
    re.compile(
        r"\b(?:joint venture|subsidiary|unit|arm|affiliate|vehicle)\s+(?:[\w-]+\s+){0,2}?(?:of|owned by|held by)\s+"
        r"(?:[a-z][\w-]*\s*:?\s+){0,4}"
        r"(?:[A-Z][\w&.'’-]*(?:\s+(?:[A-Z][\w&.'’-]*|and|of|&)(?=\s+[A-Z(]|\s*$))*(?:\s+\([A-Z]+\))?,?\s+(?:and\s+)?(?:the\s+)?)*\(?$"
    )
)
# "UK firm", "Chinese, American and Australian companies": unnamed companies of a country.
_UNNAMED_FIRM_RE = re.compile(
    r"^(?:,?\s+(?:and\s+|or\s+)?[A-Z][a-z]+(?=,|\s+(?:and|or)\s|\s+(?:firms?|compan)))*"
    r"(?:\s+[a-z][\w-]*){0,3}?\s+(?:firms?|compan(?:y|ies)|miners?|refiners?|processors?|producers?|manufacturers?|makers?|startups?|start-ups?)\b(?!\s+[A-Z])"
)
# "BYD and Tsingshan dropped their plans", "LG Energy Solution, which withdrew from ...": a former partner.
_WITHDREW_RE = re.compile(
    r"(?:\s*(?:,|and|&)\s+(?:[A-Z][\w&'’.-]*\s*)+)*(?:\s*,\s*which)?\s+(?:has\s+|had\s+)?"
    r"(?:pulled\s+out|withdr(?:ew|awn)|exited|left|dropped|abandoned|scrapped|quit|walked\s+away|backed\s+out|pulled\s+back)\b"
)
# "The Philippines, the second-largest producer, ...": a country described by its market rank.
_RANKED_PRODUCER_RE = re.compile(
    r"^\s*,\s+(?:the|a)\s+(?:world['’]s\s+)?(?:(?:second|third|fourth|fifth)[- ])?(?:largest|biggest|top|leading|main|major|dominant)"
    r"\s+(?:[\w-]+\s+){0,2}?(?:producer|exporter|supplier|miner|refiner|processor|consumer|importer|holder)s?\b",
    re.IGNORECASE,
)
_PROFESSION_RE = re.compile(
    r"^\s+(?:[a-z-]+\s+){0,2}(?:scientist|economist|analyst|journalist|researcher|academic|scholar|historian|writer|author|lawyer|engineer|geologist|consultant|diplomat|citizen|national|expert|professor|fellow|student)s?\b",
    re.IGNORECASE,
)
# "on the sidelines of the G20 summit": a grouping as a venue.
_VENUE_BEFORE_RE = re.compile(
    r"\b(?:sidelines|margins|side-lines)\s+of\s+(?:the\s+)?$|\bat\s+the\s+$|\bseat\s+at\s+the\s+$", re.IGNORECASE
)
_VENUE_AFTER_RE = re.compile(
    r"^(?:['’]s)?\s+(?:leaders['’]?\s+)?(?:summit|meeting|ministerial|sidelines|presidency|leaders|gathering|conference)\b",
    re.IGNORECASE,
)
_METONYM_FORMS = {"capital", "metonym"}
_COUNTRY_NOUN_RE = re.compile(r"^\s+(?:countr(?:y|ies)|nations?|states?|neighbou?rs?|republics?|governments?)\b", re.IGNORECASE)
# "the Saudi Arabia of lithium": a country as a figure of speech.
_METAPHOR_BEFORE_RE = re.compile(r"\b(?:the|a|another|new|next)\s+$")
_METAPHOR_AFTER_RE = re.compile(r"^\s+of\s+(?:the\s+)?[a-z]")
# "an analyst at consultancy Ardent Metals Research": a body its people comment from, not a party.
_COMMENTATOR_AT_RE = GatedPattern(
    re.compile(
        r"\b(?:analysts?|economists?|strategists?|researchers?|fellows?|scholars?|professors?|consultants?|commentators?)\s+(?:at|with|from)\s+(?:the\s+)?(?:[a-z][\w-]*\s+){0,2}$",
        re.IGNORECASE,
    )
)
_STATE_RE = re.compile(r"\b(?:state|state-owned|state-run|government-owned|national|sovereign)\b", re.IGNORECASE)
# Roles that make a name a partner of the article; only "partner" makes it a party to an agreement.
PARTNER_ROLES = {"partner", "leader"}
# "France's Orano", "Japanese trading house Marunaka Corp": a nationality or possessive, then at
# most a few lower-case descriptor words, then the company.
_OWNER_GAP_RE = re.compile(r"^(?:['’]s)?(?:\s+[a-z][\w-]*){0,4}\s*$")


@dataclass(frozen=True)
class PartnerMention:
    """One occurrence of a partner in the text, and how the text uses it there.

    role: partner (takes part), rival (dependence on, export controls), leader ("US-led"),
    attribute ("US-based"), owner ("France's Orano"), venue ("the G20 summit"), place,
    observer ("an analyst at Halcyon Commodities"), former ("LG pulled out last year"), background ("compared with Australia", "buyers in China").
    """

    key: str
    start: int
    end: int
    sentence: int
    form: str
    role: str = "partner"

    @property
    def rival(self) -> bool:
        return self.role == "rival"


@cached_by_identity
def _rival_re(vocab: Vocabulary) -> GatedPattern:
    return gated_phrases(vocab.cues["rival_cues"])


@cached_by_identity
def _background_re(vocab: Vocabulary) -> GatedPattern:
    return gated_phrases(vocab.cues["background_cues"])


_STOP_RE = re.compile(r"[.;]")
_RELATIVE_AFTER_RE = re.compile(r"^(?:['’]s)?\s*,\s*(?:which|that|the)\b")
_STOP_OR_COMMA_RE = re.compile(r"[.;,]")


def is_rival_context(text: str, start: int, end: int, sentence: Sentence, vocab: Vocabulary) -> bool:
    """A rival/risk cue within a few words of the name ("dependence on China", "China's export controls",
    "China, which refines 90% of the world's rare earths")."""
    gated = _rival_re(vocab)
    lo, hi = max(sentence.start, start - 32), min(sentence.end, end + 70)
    if not gated.search(text, lo, hi):
        return False  # no cue anywhere near the name
    pattern = gated.pattern
    before = text[max(sentence.start, start - 32) : start]
    for m in pattern.finditer(before):
        if not _STOP_RE.search(before[m.end() :]):
            return True
    after = text[end : min(sentence.end, end + 70)]
    relative = _RELATIVE_AFTER_RE.match(after)
    m = pattern.search(after)
    if m is None:
        return False
    if relative:
        return m.start() <= 60 and not _STOP_RE.search(after[: m.start()])
    return m.start() <= 24 and not _STOP_OR_COMMA_RE.search(after[: m.start()])


_ARTICLE_GAP_RE = re.compile(r"\s*(?:the\s+)?")


def is_background_context(text: str, start: int, sentence: Sentence, vocab: Vocabulary) -> bool:
    """A market-background cue just before the name ("compared with Australia", "buyers in China")."""
    lo = max(sentence.start, start - 48)
    cues = _background_re(vocab).finditer(text, lo, start)
    return any(_ARTICLE_GAP_RE.fullmatch(text[m.end() : start]) for m in cues)


# "Canada and Belarus", "India, Brazil or Bangladesh": names in one list, read the same way.
_LIST_GAP_RE = re.compile(r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)(?:the\s+)?")
# Roles a name hands on to the names listed after it.
_SHARED_ROLES = {"rival", "background"}


_STRUCTURE_CUE_RE = re.compile(r"\b(?:subsidiary|unit|arm|affiliate)\b")
_IN_BEFORE_RE = re.compile(r"\bin\s+(?:the\s+)?$", re.IGNORECASE)


def _role(
    text: str,
    hit: Hit,
    sentence: Sentence,
    vocab: Vocabulary,
    org_starts: list[int],
    hits: list[Hit] = (),
    entries: dict[str, PartnerEntry] | None = None,
) -> str:
    lo = max(sentence.start, hit.start - 40)
    before = text[lo : hit.start]
    after = text[hit.end : min(sentence.end, hit.end + 40)]
    kind = hit.target.split(":")[0]
    if kind == "bloc" and (_VENUE_BEFORE_RE.search(before) or _VENUE_AFTER_RE.match(after)):
        return "venue"
    if kind == "org" and _COMMENTATOR_AT_RE.search_alone(text, lo, hit.start):
        return "observer"
    if kind == "org" and _WITHDREW_RE.match(text, hit.end, min(sentence.end, hit.end + 90)):
        return "former"  # "LG Energy Solution pulled out of the project last year"
    if kind == "org":
        # "KABIL is a joint venture of NALCO, HCL and MECL": owners described, not partners.
        cue = _OWNED_BY_RE.search_alone(text, max(sentence.start, hit.start - 120), hit.start)
        if cue and entries is not None:
            # Owners of a company of their own country are corporate structure ("KABIL is a joint
            # venture of NALCO, HCL and MECL"); foreign co-owners are partners ("a joint venture
            # of Sumitomo and Nickel Asia").
            cue_start = max(sentence.start, hit.start - 120) + cue.start()
            described = [h for h in hits if h.target.startswith("org:") and sentence.start <= h.start < cue_start]
            country = entries[hit.target].country_iso3
            if described and country and entries[described[-1].target].country_iso3 == country:
                return "owner"
            if described and _STRUCTURE_CUE_RE.match(cue.group(0)):
                return "owner"  # "Vale Base Metals, the nickel unit of Brazil's Vale SA": the parent is structure
        return "partner"
    if kind in {"region", "bloc"} and is_background_context(text, hit.start, sentence, vocab):
        return "background"  # "supply from Africa", "rules in Europe"
    if kind == "region" and (_FACILITY_RE.match(after) or _IN_BEFORE_RE.search(before)):
        return "place"  # "African mines", "supply in Southeast Asia", "In the Gulf, ..."
    if kind == "region" and hit.alias.form in {"demonym", "adjective"} and _COUNTRY_NOUN_RE.match(after):
        return "attribute"  # "the South American country": a description of a country, not the region
    if kind in {"country", "region"} and _METAPHOR_AFTER_RE.match(after) and _METAPHOR_BEFORE_RE.search(before):
        return "attribute"  # "Chile is the Saudi Arabia of lithium": a figure of speech
    if _LED_RE.match(after):
        return "leader"
    if _ATTRIBUTE_RE.match(after):
        return "attribute"
    if kind == "country":
        if (
            before.endswith(("non-", "non–", "anti-"))
            or _IMPORTS_FROM_RE.search_alone(text, max(sentence.start, hit.start - 90), hit.start)
            or is_rival_context(text, hit.start, hit.end, sentence, vocab)
        ):
            return "rival"
        if is_background_context(text, hit.start, sentence, vocab) or _RANKED_PRODUCER_RE.match(after):
            return "background"
        # (The two searches anchored at the end of `before` only where it ends as they need: a search from
        # every position of a stretch costs more than the look at its end that spares most of them.)
        city = _CITY_COUNTRY_RE.search(before) if _ends_with(before, ",") else None
        if (
            _PLACE_VERB_RE.search_alone(text, lo, hit.start)
            or (_ends_with(before, "in") and _AT_ORG_IN_RE.search(before))
            or (city and not _names_partner(city.group("city"), vocab))
        ):
            return "place"
        if hit.alias.form in {"demonym", "name", "alias"} and _FACILITY_RE.match(after):
            return "place"
        if hit.alias.form == "demonym" and any(
            h.target.startswith("mineral:") and 0 < h.start - hit.end <= 2
            for h in hits_starting_in(hits, hit.end + 1, hit.end + 3)
        ):
            return "place"  # "Australian spodumene": where a material comes from
        if _UNNAMED_FIRM_RE.match(after):
            return "attribute"  # "signs MoU with UK firm": an unnamed company, not the state
        if hit.alias.form == "demonym" and _PROFESSION_RE.match(after):
            return "attribute"  # "a German political scientist": a person's nationality
        for org_start in org_starts[bisect_left(org_starts, hit.end) : bisect_right(org_starts, hit.end + 60)]:
            gap = text[hit.end : org_start]
            owner_form = hit.alias.form == "demonym" or gap.startswith(("'s", "’s"))
            if hit.end <= org_start <= hit.end + 60 and owner_form and _OWNER_GAP_RE.match(gap) and not _STATE_RE.search(gap):
                return "owner"  # "France's Orano": the company's home, not a party (a state company is)
    return "partner"


def _ends_with(before: str, word: str) -> bool:
    """`before` ends with `word` and then whitespace: what a match of "...word\\s+$" needs (`\\s` is str.isspace)."""
    stripped = before.rstrip()
    return len(stripped) < len(before) and stripped.endswith(word)


def _names_partner(name: str, vocab: Vocabulary) -> bool:
    return name in vocab.partner_surfaces


def partner_mentions(
    text: str, sentences: list[Sentence], hits: list[Hit], vocab: Vocabulary, entries: dict[str, PartnerEntry]
) -> tuple[list[PartnerMention], list[tuple[Hit, int]]]:
    """Partner mentions (with their role), and the place names used as locations (for events)."""
    mentions: list[PartnerMention] = []
    places: list[tuple[Hit, int]] = []
    # Companies have owners; a ministry or agency is its country ("Peru's Ministry of Energy").
    org_starts = [h.start for h in hits if h.target.startswith("org:") and entries[h.target].is_partner]
    for hit in hits:
        if not hit.target.startswith(("country:", "bloc:", "region:", "org:")):
            continue
        index = sentence_index(sentences, hit.start)
        if index is None:
            continue
        sentence = sentences[index]
        if hit.alias.form in _METONYM_FORMS and _LOCATIVE_RE.search(text[max(sentence.start, hit.start - 16) : hit.start]):
            places.append((hit, index))
            continue
        role = _role(text, hit, sentence, vocab, org_starts, hits, entries)
        previous = mentions[-1] if mentions else None
        if (
            role == "partner"
            and previous is not None
            and previous.role in _SHARED_ROLES
            and previous.sentence == index
            and not hit.target.startswith("org:")
            and not previous.key.startswith("org:")
            and _LIST_GAP_RE.fullmatch(text, previous.end, hit.start)
        ):
            role = previous.role  # "supply disruptions in Canada and Belarus": the list shares its reading
        mentions.append(PartnerMention(hit.target, hit.start, hit.end, index, hit.alias.form, role))
    return mentions, places


# ---------------------------------------------------------------- organisations by pattern

# Upper-case letters, accented ones included ("Kivu Étain SA").
UPPER = "".join(chr(c) for c in range(0x41, 0x250) if chr(c).isupper())
# A capitalised word; inner dots only ("U.S."), never across sentences. (The dots as `(?:\.(?=\w)[\w'’&-]*)*` after
# the letters: the same words as `(?:[\w'’&-]|\.(?=\w))*`, tried in the same order, and the engine runs through a
# word's letters in one step instead of trying two branches at each.)
_CAP = rf"(?:[{UPPER}][\w'’&-]*(?:\.(?=\w)[\w'’&-]*)*)"
_CONNECT = r"(?:of|and|for|de|del|&|(?<=of )the|(?<=for )the)"


@cache
def _org_pattern(suffixes: tuple[str, ...], bodies: tuple[str, ...]) -> re.Pattern[str]:
    suffix = "|".join(re.escape(s) for s in sorted(suffixes, key=len, reverse=True))
    body = "|".join(bodies)
    named = rf"(?P<named>{_CAP}(?:[ \t]+(?:{_CAP}|{_CONNECT}(?=[ \t]+[A-Z])))*[ \t]+(?:{suffix})(?![\w]))"
    government = (
        rf"(?P<gov>(?:{body})\s+(?:of|for)\s+(?:the\s+)?{_CAP}(?:,?\s+(?:{_CAP}|and|&|of)(?=\s*[A-Z&]|\s+and))*(?:\s+{_CAP})?)"
    )
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
    r"^(?:Ministr(?:y|ies)|Departments?|Offices?|Directorates?|Secretariat|Bureau|Cabinet|Federal (?:Ministry|Agency|Office|Institute))\b|\b(?:High Commission|Embassy|Consulate)\b"
)
# "state miner Vinacomin", "French nuclear group Orano": a company named by what it does.
# (The look-ahead holds for every match - a word, then a capitalised word, or "mining company" - and
# spares most words the search for a job title at each of their letters.)
_DESCRIBED_ORG_RE = re.compile(
    r"\b(?=\w+[ \t]+[A-Z]|mining )(?:\w*(?:miner|maker|producer|refiner|processor|smelter|trader|developer|explorer|manufacturer|supplier|operator)|mining (?:company|firm|group)|conglomerate|utility|group|company|firm|giant|corporation)[ \t]+"
    r"(?P<name>[A-Z][\w&’'-]+(?:\s+[A-Z][\w&’'-]+){0,3})"
)


_INSTITUTIONAL = {"Commission", "Authority", "Agency", "Bank", "Council", "Institute", "Fund", "Corporation", "Organization", "Organisation", "Survey"}  # fmt: skip
# "Argentina's CAMYEN", "Chile's ENAMI": an acronym a country owns is one of its bodies.
# (`[A-Z](?<=\b[A-Z])` is `\b[A-Z]` opening with a letter class, which the regex engine can skip to.)
_OWNED_ACRONYM_RE = re.compile(
    r"(?P<owner>[A-Z](?<=\b[A-Z])[\w-]+(?:\s[A-Z][\w-]+)?)['’]s\s+(?:state-owned\s+|state\s+)?(?P<name>[A-Z]{3,8})\b(?![-–])"
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
_INSTITUTION_OF_RE = re.compile(rf"\s+(?:for|of)\s+(?:the\s+)?({_CAP}(?:\s+{_CAP})?)")


def find_pattern_orgs(text: str, vocab: Vocabulary, hits: list[Hit] | None = None) -> list[OrgMatch]:
    """Organisation names not in the vocabulary: "Andes Lithium Corp", "Ministry of Mines",
    "state miner Vinacomin"."""
    suffixes = tuple(vocab.cues["org_suffixes"])
    pattern = _org_pattern(suffixes, tuple(vocab.cues["government_bodies"]))
    hits = hits or []
    place_words = {text[h.start : h.end] for h in hits if h.target.startswith(("country:", "region:", "bloc:"))}
    known = [(h.start, h.end) for h in hits if h.target.startswith(("org:", "bloc:"))]
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
                if _distinctive(left, suffixes, place_words) and _distinctive(right, suffixes, place_words):
                    pieces = [(m.start(), m.start() + a.start()), (m.start() + a.end(), m.end())]
                    break
        spans += [(s, e, government) for s, e in pieces]
    for m in _DESCRIBED_ORG_RE.finditer(text):
        spans.append((m.start("name"), m.end("name"), False))
    for m in _OWNED_ACRONYM_RE.finditer(text):
        if m.group("owner") in place_words:
            spans.append((m.start("name"), m.end("name"), False))
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
        government = government or bool(_GOVERNMENT_RE.match(name))
        legal = words[-1].rstrip(".,") in _LEGAL_SUFFIXES and len(words) >= 2
        if not government and not legal and not _distinctive(name, suffixes, place_words):
            continue
        partner = not government and not _NON_PARTNER_RE.search(name)
        found.append(OrgMatch(start, end, name, government, partner))
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


def build_partner_records(
    mentions: list[PartnerMention], entries: dict[str, PartnerEntry], methods: dict[str, str]
) -> list[PartnerRecord]:
    """One record per partner with at least one non-rival mention, in order of first mention."""
    records: dict[str, PartnerRecord] = {}
    for m in mentions:
        entry = entries[m.key]
        if m.role not in PARTNER_ROLES or not entry.is_partner:
            continue
        method = methods.get(m.key, "gazetteer")
        record = records.get(m.key)
        if record is None:
            confidence = 0.9 if method == "gazetteer" else 0.7
            if m.form in {"demonym", "adjective", "capital", "metonym"}:
                confidence -= 0.1
            record = PartnerRecord(m.key, entry.name, entry.partner_type, entry.iso3, entry.country_iso3, method, confidence)
            records[m.key] = record
        elif m.form not in {"demonym", "adjective", "capital", "metonym"}:
            record.confidence = max(record.confidence, 0.9 if method == "gazetteer" else 0.7)
        record.spans.append(Span(m.start, m.end, m.sentence))
    for record in records.values():
        if len(record.spans) > 1:
            record.confidence = min(1.0, round(record.confidence + 0.05, 2))
    return list(records.values())
