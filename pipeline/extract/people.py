"""Finding people's names in a sentence: after a title, in an apposition, beside a reporting verb
or in a byline, with the role, organisation and country the same sentence gives.

No list of people is used: a person is a run of capitalised name tokens in a position that
only a person's name takes ("Prime Minister ___", "___, chief executive of", "said ___").
persons.py turns what is found here into person candidates for the whole article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from pipeline.extract.gazetteer import Hit
from pipeline.extract.literal_gates import GatedPattern
from pipeline.extract.names import (
    _COUNTRY_TITLES,
    _HONORIFICS,
    _PLACE_PREPOSITIONS,
    _ROLE_RE,
    _TWO_CAPITALS_RE,
    TITLES_OF_ADDRESS,
    Token,
    _is_initial,
    _is_name_word,
    _SentenceReader,
)
from pipeline.extract.patterns import cached_by_identity, dispatch_alternation, gated_phrases
from pipeline.extract.records import Sentence
from pipeline.extract.vocab import PartnerEntry, Vocabulary


def _is_role_phrase(phrase: str) -> bool:
    """ "India's Commerce and Industry Minister", "chief executive of X Corp": a role noun early on."""
    words = phrase.split()
    if len(words) > 25:
        return False
    m = _ROLE_RE.search(phrase)
    return bool(m) and len(phrase[: m.start()].split()) <= 6


@dataclass
class Found:
    name_tokens: list[Token]
    role: str | None
    organization: str | None
    country: str | None
    method: str
    sentence: int


@cache
def _title_words(titles: tuple[str, ...]) -> frozenset[str]:
    """Words of titles ("director", "minister"): never part of a name."""
    return frozenset(w.strip(".") for t in titles for w in t.split() if len(w.strip(".")) > 2) - {"head"}


@cache
def _title_re(titles: tuple[str, ...]) -> GatedPattern:
    alternatives = tuple(re.escape(t).replace(r"\ ", r"\s+") for t in sorted(titles, key=len, reverse=True))
    # "Ministers A and B", "billionaires A and B": a plural title names each person after it.
    return gated_phrases(alternatives, right_boundary=r"s?(?![\w-])")


@cache
def _opener_re(verbs: tuple[str, ...]) -> GatedPattern:
    """What comes right before a name: a reporting verb ("said"), a byline ("By", "Reporting by")."""
    pattern = re.compile(
        rf"\b(?:{dispatch_alternation(verbs)})\s+(?=[A-Z])|(?:^\W*|\b(?:authored|written|reported|reporting|writing|additional reporting)\s+)[Bb]y\s+(?=[A-Z])|\bwith assistance from\s+(?=[A-Z])",
        re.IGNORECASE,
    )
    return GatedPattern(pattern, [*verbs, "by", "with assistance from"])


class _Cues(NamedTuple):
    """The vocabulary's person cues, compiled."""

    title: GatedPattern
    title_words: frozenset[str]
    portfolio: frozenset[str]
    opener: GatedPattern
    name_then_verb: GatedPattern  # "Jane Doe said"


@cached_by_identity
def _cues(vocab: Vocabulary) -> _Cues:
    """Compiled once per vocabulary: every sentence asks for them."""
    cues = vocab.cues
    verbs = "|".join(cues["reporting_verbs"])
    return _Cues(
        title=_title_re(tuple(cues["titles"])),
        title_words=_title_words(tuple(cues["titles"])),
        portfolio=frozenset(cues["portfolio_words"]),
        opener=_opener_re(tuple(cues["reporting_verbs"])),
        name_then_verb=GatedPattern(re.compile(rf"\b((?:[A-Z][\w'’-]+\s+){{1,3}}[A-Z][\w'’-]+)\s+(?:{verbs})\b")),
    )


def _portfolio_start(reader: _SentenceReader, pos: int, portfolio: frozenset[str]) -> int:
    """Start of portfolio words written before a title ("Philippine Trade Undersecretary")."""
    for tok in reversed([t for t in reader.tokens if t.end <= pos]):
        if tok.text in portfolio and tok.text not in {"The", "Of", "For", "And"}:
            pos = tok.start
        else:
            break
    return pos


def _names_listed_after(reader: _SentenceReader, name: list[Token], taken: set[int]) -> list[list[Token]]:
    """The further full names a plural title lists: "Ministers Ana Ruiz, Li Wei and Tom Berg"."""
    out: list[list[Token]] = []
    k = reader.index_at(name[-1].end)
    while k < len(reader.tokens) and reader.tokens[k].text in {",", "and"} and len(out) < 4:
        k += 1
        if k < len(reader.tokens) and reader.tokens[k].text == "and":
            k += 1
        more = reader.read_name(_past_titles_of_address(reader, k))
        if len(more) < 2 or more[0].start in taken:
            break
        out.append(more)
        k = reader.index_at(more[-1].end)
    return out


_NAME_CLOSES_RE = re.compile(r"\s*(?:[,.;:(]|(?:said|says|told|added)\b|$)")
_PORTFOLIO_JOINERS = frozenset({"of", "for", "and", "&", "the", "-"})


def _portfolio_to_comma(reader: _SentenceReader, j: int, limit: int = 8) -> int:
    """Where a portfolio the vocabulary does not know ends: "Minister for Resources and North
    Australia, Madeleine King" - capitalised words after "of"/"for" up to a comma that a full name
    follows are still the title. Returns `j` unchanged when no such comma comes."""
    k = j
    while k < len(reader.tokens) and k - j < limit:
        tok = reader.tokens[k].text
        if tok == ",":
            name = reader.read_name(k + 1)
            if k > j and len(name) >= 2 and _NAME_CLOSES_RE.match(reader.text, name[-1].end):
                return k
            return j
        if not (tok[:1].isupper() or tok.lower() in _PORTFOLIO_JOINERS):
            return j
        k += 1
    return j


def span_text(tokens: list[Token], text: str) -> str:
    return text[tokens[0].start : tokens[-1].end]


def _org_in(start: int, end: int, reader: _SentenceReader, entries: dict[str, PartnerEntry]) -> tuple[str | None, str | None]:
    """An organisation named in [start, end), and its home country."""
    for h in reader.hits:
        if start <= h.start and h.end <= end and h.target.startswith("org:"):
            entry = entries[h.target]
            return entry.name, entry.country_iso3
    return None, None


_TO_THE_BEFORE_RE = re.compile(r"\bto\s+(?:the\s+)?$")


def _country_in(reader: _SentenceReader, start: int, end: int) -> str | None:
    for h in reader.hits:
        if start <= h.start and h.end <= end and h.target.startswith("country:"):
            before = reader.text[max(0, h.start - 4) : h.start]
            if _TO_THE_BEFORE_RE.search(before):
                continue  # "Ambassador to India": the host, not the envoy's country
            return h.target.split(":")[1]
    return None


_AFTER_SECOND_NAME_RE = re.compile(r"\s*(?:,|:|\bsaid\b|\bsays\b|\band\b|\.|$)")
_APPOSITION_RE = re.compile(r",\s+((?:[^,.;“”\"]|\.(?=\w)){3,120}?)(?:,|\.$|;|\s+(?:said|says|told|added)\b|$)")
_BIO_RE = re.compile(r"\s+(?:is|was)\s+(?:an?\s+|the\s+)?((?:[^,.;]|\.(?=\w)){3,120}?)(?:\.|,|;|$)")
_ROLE_AT_ORG_RE = re.compile(r"\s+(?:at|of|with)\s+(?:the\s+)?(?=[A-Z])")
_DATELINE_BYLINE_RE = re.compile(r"^[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3}(?:\s+in\s+[A-Z][\w'’-]+)?\s*[|•·]")
_OPENER_APPOSITION_RE = re.compile(r",\s+((?:[^,.;]|\.(?=\w)){3,100}?)(?:,|\.|;|$)")


# Case-sensitive forms of address that only ever open a person's name (not "He", a pronoun or a surname).
_ADDRESS_OPENERS = frozenset({"HE", "H.E.", "Eng", "Engr", "Lic", "Shri", "Smt"})
_TRAILING_ADDRESS_RE = re.compile(r"[,\s]+(?:Eng|Engr|Lic|HE|H\.E|Shri|Smt|Sri|Dr|Mr|Ms|Mrs|Prof)\.?$")


def _past_titles_of_address(reader: _SentenceReader, j: int) -> int:
    """The first token from j on that is not a form of address ("Shri", "Eng.", "HE")."""
    tokens = reader.tokens
    while j < len(tokens) and (tokens[j].text.lower() in _HONORIFICS or tokens[j].text in TITLES_OF_ADDRESS):
        j += 1
        if j < len(tokens) and tokens[j].text == ".":
            j += 1
    return j


def find_in_sentence(
    text: str, index: int, sentence: Sentence, hits: list[Hit], entries: dict[str, PartnerEntry], vocab: Vocabulary
) -> list[Found]:
    compiled = _cues(vocab)
    title_re = compiled.title
    if not (_TWO_CAPITALS_RE.search(text, sentence.start, sentence.end) or title_re.search(text, sentence.start, sentence.end)):
        return []  # every way of naming a person needs a title or two capitalised words in a row
    reader = _SentenceReader(text, sentence, hits, compiled.title_words)
    found: list[Found] = []
    taken: set[int] = set()
    portfolio = compiled.portfolio

    # 1. Title + name: "Union Minister for Heavy Industries and Steel H D Kumaraswamy".
    org_spans = [(h.start, h.end) for h in reader.hits if h.target.startswith("org:")]
    for m in title_re.finditer(text, sentence.start, sentence.end):
        if any(a <= m.start() < b for a, b in org_spans):
            continue  # "MP Materials": a company, not a member of parliament
        capitalised = text[m.start()].isupper()
        title = " ".join(m.group(0).lower().split())
        i = reader.index_at(m.end())
        # portfolio: "of/for/to" + capitalised portfolio words, "and", countries
        j = i
        while j < len(reader.tokens):
            tok = reader.tokens[j]
            hit = reader.hit_at(tok)
            nxt = reader.tokens[j + 1].text if j + 1 < len(reader.tokens) else ""
            if (
                tok.text.lower() in {"of", "for", "to", "and", "&", "the", "at", "in"}
                or tok.text in portfolio
                or (tok.text == "," and (nxt in portfolio or nxt == "and"))
            ):
                j += 1
            elif tok.text == "(" and j + 2 < len(reader.tokens) and reader.tokens[j + 2].text == ")":
                j += 3  # "Secretary (East), Dammu Ravi"
            elif hit is not None and hit.target.startswith(("country:", "bloc:", "region:", "org:")):
                while j < len(reader.tokens) and reader.tokens[j].start < hit.end:
                    j += 1
            else:
                break
        if j > i and reader.tokens[j - 1].text.lower() in {"of", "for", "and", "&", "the"}:
            j = _portfolio_to_comma(reader, j)
        # A title may reach its name through a comma ("the Minister of Mining, Carolina Fuentes");
        # a lower-case title needs a full name ("chief executive Mark Feldman").
        comma = j < len(reader.tokens) and reader.tokens[j].text == ","
        if comma:
            j += 1
        j = _past_titles_of_address(reader, j)  # "Prime Minister Shri Narendra Modi", "Vice Governor, Eng. Ruben Dusso"
        name = reader.read_name(j)
        # "Commissioner for International Partnerships, Jonas Aalto, said": the capitalised words
        # after the title were its portfolio, and the name follows the comma.
        plural = title.endswith("s") and not title.endswith("affaires")
        if name and not comma and not plural:
            after = reader.index_at(name[-1].end)
            if after < len(reader.tokens) and reader.tokens[after].text == ",":
                k = _past_titles_of_address(reader, after + 1)
                second = reader.read_name(k)
                closing = text[second[-1].end : second[-1].end + 8] if second else ""
                if len(second) >= 2 and _AFTER_SECOND_NAME_RE.match(closing + " "):
                    j, comma, name = k, True, second
        if (not capitalised or comma) and len(name) < 2:
            continue
        if not name or name[0].start in taken:
            continue
        role_end = reader.tokens[j - 1 - comma].end if j - comma > i else m.end()
        country, role_start = reader.country_before(_portfolio_start(reader, m.start(), portfolio), vocab)
        role_start = min(role_start, m.start())
        role = _TRAILING_ADDRESS_RE.sub("", text[role_start:role_end]).strip(" ,")
        if country is None:
            country = _country_in(reader, m.end(), role_end)
        if country is None:
            country = _COUNTRY_TITLES.get(title)
        org, org_country = _org_in(role_start, role_end, reader, entries)
        if title in _HONORIFICS:
            role = None
        taken.update(t.start for t in name)
        found.append(Found(name, role, org, country or org_country, "title", index))
        if plural:
            for more in _names_listed_after(reader, name, taken):
                taken.update(t.start for t in more)
                found.append(Found(more, role, org, country or org_country, "title", index))

    # 1b. A form of address before a full name: "HE Khalid Al-Falih", "Eng. Ruben Dusso".
    for k, tok in enumerate(reader.tokens):
        if tok.text in _ADDRESS_OPENERS:
            name = reader.read_name(_past_titles_of_address(reader, k))
            if len(name) >= 2 and name[0].start not in taken:
                taken.update(t.start for t in name)
                found.append(Found(name, None, None, None, "title", index))

    # 2. Apposition: "Piyush Goyal, India's Commerce and Industry Minister, said".
    for k, tok in enumerate(reader.tokens):
        if not tok.text[:1].isupper() or tok.start in taken or not _is_name_word(tok.text):  # most words: the first test
            continue
        if k > 0 and (_is_name_word(reader.tokens[k - 1].text) or _is_initial(reader.tokens[k - 1].text)):
            continue
        if k > 0 and reader.tokens[k - 1].text.lower() in _PLACE_PREPOSITIONS:
            continue  # "at Udyog Bhawan, Minister X ...": a place, not a person
        name = reader.read_name(k)
        if len(name) < 2:
            continue
        rest = text[name[-1].end : sentence.end]
        appos = _APPOSITION_RE.match(rest)
        bio = _BIO_RE.match(rest)
        phrase_match = appos or bio
        if phrase_match and _is_role_phrase(phrase_match.group(1)):
            phrase = phrase_match.group(1)
            p_start = name[-1].end + phrase_match.start(1)
            p_end = p_start + len(phrase)
            org, org_country = _org_in(p_start, p_end, reader, entries)
            country = _country_in(reader, p_start, p_end) or org_country
            role = _ROLE_AT_ORG_RE.split(phrase)[0] if org else phrase
            taken.update(t.start for t in name)
            found.append(Found(name, role.strip(), org, country, "apposition", index))

    # 3. Reporting verbs and bylines: "said Jane Doe", "Jane Doe said", "By Rahul Mehta".
    line = text[sentence.start : sentence.end]
    starts = []
    # (Searched on the sentence alone, where "^" is its start; gated on the article.)
    openers = compiled.opener.pattern.finditer(line) if compiled.opener.gate.admits(text, sentence.start, sentence.end) else ()
    for m in openers:
        method = "byline" if m.group(0).strip().lower().endswith(("by", "from")) else "reporting_verb"
        starts.append((reader.index_at(sentence.start + m.end()), method))
        if method == "byline":
            starts += _more_bylines(reader, starts[-1][0], text, sentence)
    # A line that is only a name: a press contact or a signature ("Laurence Gagnon").
    if (
        2 <= len(reader.tokens) <= 4
        and all(_is_name_word(t.text) or _is_initial(t.text) for t in reader.tokens)
        and not reader.hits
        and (sentence.start == 0 or text[sentence.start - 1] == "\n")
        and line == line.strip()
    ):
        starts.append((0, "byline"))
    # A dateline byline: "Thandiwe Mokoena in Johannesburg | 11.12.2025".
    if _DATELINE_BYLINE_RE.match(text[sentence.start : sentence.end]):
        starts.append((0, "byline"))
    for k, method in starts:
        name = reader.read_name(k)
        if len(name) < 2 or name[0].start in taken:
            continue
        rest = text[name[-1].end : sentence.end]
        appos = _OPENER_APPOSITION_RE.match(rest)
        role = org = country = None
        if appos and _is_role_phrase(appos.group(1)):
            p_start = name[-1].end + appos.start(1)
            p_end = p_start + len(appos.group(1))
            org, org_country = _org_in(p_start, p_end, reader, entries)
            country = _country_in(reader, p_start, p_end) or org_country
            role = appos.group(1).strip()
        elif method == "byline":
            role = "author"
        taken.update(t.start for t in name)
        found.append(Found(name, role, org, country, method, index))
    name_then_verb = compiled.name_then_verb
    for m in name_then_verb.pattern.finditer(line) if name_then_verb.gate.admits(text, sentence.start, sentence.end) else ():
        k = reader.index_at(sentence.start + m.start(1))
        name = reader.read_name(k)
        if len(name) < 2 or name[0].start in taken or (k > 0 and _is_name_word(reader.tokens[k - 1].text)):
            continue
        taken.update(t.start for t in name)
        found.append(Found(name, None, None, None, "reporting_verb", index))
    return found


_NEXT_BYLINE_RE = re.compile(
    r"(?:\s+in\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)?\s*(?:,|and|&|;)\s*(?:(?:editing|writing|additional reporting)\s+by\s+)?(?:and\s+)?",
    re.IGNORECASE,
)
_EDITING_RE = re.compile(r"editing", re.IGNORECASE)


def _more_bylines(reader: _SentenceReader, k: int, text: str, sentence: Sentence) -> list[tuple[int, str]]:
    """Further names of a byline: "By Rahul Mehta and Claire Donovan", "Reporting by A in Tokyo and B"."""
    out = []
    while True:
        name = reader.read_name(k)
        if len(name) < 2:
            return out
        rest = text[name[-1].end : sentence.end]
        nxt = _NEXT_BYLINE_RE.match(rest)
        if not nxt or not nxt.group(0).strip() or _EDITING_RE.search(nxt.group(0)):
            return out  # editors are not authors
        k = reader.index_at(name[-1].end + nxt.end())
        out.append((k, "byline"))
