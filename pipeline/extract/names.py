"""Names of people in text: tokens, which words can be part of a person's name, honorifics, and the
identity of a name across articles (normalize_name). Shared by the person finder (people.py) and
the evaluation."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from pipeline.extract.gazetteer import Hit, hits_starting_in
from pipeline.extract.records import Sentence
from pipeline.extract.vocab import Vocabulary

# A word (with inner dots: "U.S"), its closing dot when it ends in a lone capital ("H.", "U.S."), a number, a sign.
# (Inner dots as `(?:\.(?=\w)[\w'’-]*)*` after the letters: the same tokens as `(?:[\w'’-]|\.(?=\w))*`, and the
# engine runs through a word's letters in one step instead of trying two branches at each.)
_TOKEN_RE = re.compile(r"[^\W\d_][\w'’-]*(?:\.(?=\w)[\w'’-]*)*(?:(?<=\b[A-Z])\.)?|\d+|[^\w\s]")
# Words that name bodies, not people ("ET Bureau", "Raw Materials Board").
_ORG_WORDS = {"Bureau", "Desk", "Staff", "Team", "Board", "Committee", "Council", "Agency", "Service", "Services",
              "Network", "News", "Newsroom", "Editorial", "Correspondent", "Materials", "Resources", "Minerals",
              "Metals", "Mining", "Group", "Holdings", "Partners", "Capital", "Fund", "Bank", "Institute", "Office",
              "Northern", "Southern", "Eastern", "Western", "Territory", "Province", "Region", "State"}  # fmt: skip
_PARTICLES = {"da", "de", "del", "della", "dos", "das", "do", "van", "von", "der", "den", "bin", "binti", "al", "el", "le", "la", "di", "du", "ibn", "y"}  # fmt: skip
NOT_NAME = {
    "The", "This", "That", "These", "Those", "He", "She", "It", "They", "We", "I", "You", "His", "Her", "Their", "Our",
    "In", "On", "At", "During", "After", "Before", "Both", "However", "Meanwhile", "But", "And", "Or", "As", "If",
    "When", "While", "With", "From", "For", "By", "To", "Of", "A", "An", "Speaking", "According", "Earlier", "Later",
    "Also", "Today", "Yesterday", "Tomorrow", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
    "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Government", "Cabinet", "Parliament", "Ministry", "Minister", "Ministers", "President",
    "Prime", "Union", "Secretary", "Ambassador", "Embassy", "Agency", "Sources", "Officials", "Official", "Reuters",
    "Said", "Says", "Inc", "Ltd", "Corp", "Group", "Company", "Limited", "Mr", "Ms", "Mrs", "Dr", "Critical",
    "Minerals", "Mineral", "Mines", "Mining", "Rare", "Earth", "Earths", "Energy", "Trade", "Summit", "Conference",
    "Week", "Dialogue", "Forum", "Agreement", "Partnership", "Initiative", "Framework", "Act", "Deal", "Memorandum",
    "Watch", "Read", "Published", "Updated", "Posted", "Photo", "Image", "File", "Chief", "Executive",
    "State", "Federal", "National", "Strategic", "Joint", "Global", "International", "Bilateral", "Foreign",
    "Commerce", "Industry", "Industries", "Affairs", "External", "Natural", "Resources", "Development", "Bank",
    "North", "South", "East", "West", "Central", "New", "Minister's", "Convention", "Alliance", "Council",
    "Mt", "Mount", "House", "Parliamentary", "Internal", "Market",
}  # fmt: skip
_ROLE_NOUNS = r"(?:minister|secretary|ambassador|envoy|president|premier|chancellor|governor|commissioner|chief|ceo|cfo|coo|chair(?:man|woman|person)?|director|head|founder|co-founder|spokes(?:person|man|woman)|analyst|economist|professor|fellow|associate|researcher|scientist|executive|official|officer|adviser|advisor|manager|partner|editor|correspondent|president|deputy|senator|lawmaker|mp|member|leader|king|prince|sheikh|emir|consul|attaché|attache|diplomat|negotiator|author|strategist|vice)"
_ROLE_RE = re.compile(rf"\b{_ROLE_NOUNS}s?\b", re.IGNORECASE)
_COUNTRY_TITLES = {"union minister": "IND", "union cabinet minister": "IND"}
_NATIONAL_TITLES = {"prime minister", "president", "minister", "union minister", "chancellor", "premier", "king",
                    "crown prince", "emir", "sheikh", "deputy prime minister", "vice president", "vice-president",
                    "minister of state", "deputy minister", "secretary of state", "foreign secretary",
                    "commerce secretary", "mines secretary", "ambassador", "high commissioner", "envoy",
                    "special envoy", "senator", "governor"}  # fmt: skip
# Two name tokens in a row, perhaps with a particle between ("Luiz da Silva"); any non-ASCII
# letter counts as a capital here, so that the test only ever lets too much through.
# (From a word's start only: tried from each letter of a long word, it would read the word again each time.)
_TWO_CAPITALS_RE = re.compile(rf"(?<![\w'’.-])[^\W\d_a-z][\w'’.-]*\s+(?:(?:{'|'.join(sorted(_PARTICLES))})\s+)?[^\W\d_a-z]")
_HONORIFICS = {"mr", "mr.", "ms", "ms.", "mrs", "mrs.", "dr", "dr.", "prof.", "professor", "shri", "smt"}
# Forms of address written before a name, never part of it (the annotation guide: "Mr, Dr, HE, Lic,
# Eng., Shri"). Case matters: "HE" is His Excellency, "He" a surname ("He Lifeng").
TITLES_OF_ADDRESS = frozenset(
    {"Mr", "Mr.", "Ms", "Ms.", "Mrs", "Mrs.", "Dr", "Dr.", "Prof", "Prof.", "HE", "H.E.", "H.E", "Lic", "Lic.", "Eng",
     "Eng.", "Engr", "Engr.", "Shri", "Shri.", "Smt", "Smt.", "Sri", "Sir", "Dame", "Hon", "Hon.", "Rt", "Rt.", "Mx", "Madam"}
)  # fmt: skip


def strip_titles_of_address(tokens: list) -> list:
    """Name tokens after the forms of address that open them ("HE Khalid Al-Falih" -> "Khalid Al-Falih",
    "Catamarca Lic Raul Jalil" -> "Raul Jalil": a capitalised word before the form of address belongs
    to the title, "Governor of Catamarca")."""
    i = 0
    for k, tok in enumerate(tokens[:-1]):
        if tok.text in TITLES_OF_ADDRESS:
            i = k + 1
    return tokens[i:]


_PLACE_PREPOSITIONS = {"at", "in", "from", "to", "near", "into", "across", "via", "towards", "toward"}


class Token(NamedTuple):  # a tuple: sentences are tokenised by the thousand
    text: str
    start: int
    end: int


def tokenize(text: str, start: int, end: int) -> list[Token]:
    new = tuple.__new__  # what Token._make calls, without the call to _make
    return [new(Token, (m.group(), m.start(), m.end())) for m in _TOKEN_RE.finditer(text, start, end)]


_INITIAL_RE = re.compile(r"(?:[A-Z]\.?){1,3}")


@lru_cache(maxsize=4096)  # pure tests of a word, asked of the same words sentence after sentence
def _is_initial(tok: str) -> bool:
    return bool(_INITIAL_RE.fullmatch(tok)) and tok not in {"I", "A"}


@lru_cache(maxsize=4096)
def _is_name_word(tok: str) -> bool:
    return (
        tok[:1].isupper()
        and tok[1:2].islower()
        and tok.strip(".") not in NOT_NAME
        and tok not in _ORG_WORDS
        and "." not in tok[1:]
    )


# A surname joined to its particle by a hyphen ("Bandar al-Qahtani", "Ahmed el-Masry"): a name word
# after the first.
_PARTICLE_JOINED_RE = re.compile(r"(?:al|el|bin|ibn|abu|abd|ul|ud|ad|as|ash|at|az)[-‐–][A-Z][a-z]")
_INNER_INITIAL_DOT_RE = re.compile(r"(?<=[A-Z])\.(?=[A-Z])")


def normalize_name(name: str) -> str:
    """The identity of a person across articles: lower case, initials split, no dots."""
    words = name.split()
    while len(words) > 1 and words[0] in TITLES_OF_ADDRESS:
        words = words[1:]
    name = _INNER_INITIAL_DOT_RE.sub(". ", " ".join(words))
    words = [w.strip(".,").lower() for w in name.replace("’", "'").split()]
    words = [w for w in words if w and w not in _HONORIFICS]
    return " ".join(words)


_POSSESSIVE_GAP_RE = re.compile(r"(?:['’]s)?\s*")


class _SentenceReader:
    """The tokens of one sentence with what the gazetteer knows about them (`hits` in text order)."""

    def __init__(self, text: str, sentence: Sentence, hits: list[Hit], title_words: frozenset[str] = frozenset()):
        self.title_words = title_words
        self.text = text
        self.sentence = sentence
        self.tokens = tokenize(text, sentence.start, sentence.end)
        self.hits = hits_starting_in(hits, sentence.start, sentence.end)

    def hit_at(self, token: Token) -> Hit | None:
        for h in self.hits:
            if h.start <= token.start < h.end:
                return h
        return None

    def index_at(self, pos: int) -> int:
        for i, t in enumerate(self.tokens):
            if t.start >= pos:
                return i
        return len(self.tokens)

    def read_name(self, i: int, max_tokens: int = 5) -> list[Token]:
        """Name tokens starting at token i: capitalised words, initials, inner particles."""
        name: list[Token] = []
        possessive = False
        while i < len(self.tokens) and len(name) < max_tokens:
            tok = self.tokens[i]
            if self.hit_at(tok) is not None and not (name and self.hit_at(tok).alias.form == "demonym"):
                break
            possessive = tok.text.endswith(("'s", "’s"))
            if possessive:  # "President Cyril Ramaphosa's government": the name ends here
                tok = Token(tok.text[:-2], tok.start, tok.end - 2)
            if tok.text.lower() in self.title_words and not (name and tok.text[:1].isupper() and _is_name_word(tok.text)):
                break  # "Minister Madeleine King": a title word after a first name is a surname
            if (
                _is_name_word(tok.text)
                or _is_initial(tok.text)
                or (name and _PARTICLE_JOINED_RE.match(tok.text))
                or tok.text in _PARTICLES
                and name
                and self._particles_then_name(i)
            ):
                name.append(tok)
            else:
                break
            if possessive:
                break
            i += 1
        while name and (name[-1].text in _PARTICLES or _is_initial(name[-1].text)):
            name.pop()
        if name and i < len(self.tokens) and self.tokens[i].text in _ORG_WORDS and not possessive:
            return []  # "Chairman, Hub Governing Board": the words open a body's name
        return name

    def _particles_then_name(self, i: int) -> bool:
        """Particles from token i lead to a name word ("von der Leyen", "da Silva")."""
        while i < len(self.tokens) and self.tokens[i].text in _PARTICLES:
            i += 1
        return i < len(self.tokens) and _is_name_word(self.tokens[i].text)

    def country_before(self, pos: int, vocab: Vocabulary) -> tuple[str | None, int]:
        """A country named right before `pos` ("Canadian Minister", "India's Minister", "US Ambassador")."""
        for h in reversed(self.hits):
            if (
                h.end <= pos
                and pos - h.end <= 3
                and h.target.startswith("country:")
                and _POSSESSIVE_GAP_RE.fullmatch(self.text[h.end : pos])
            ):
                return h.target.split(":")[1], h.start
        return None, pos
