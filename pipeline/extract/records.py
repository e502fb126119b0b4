"""The records extraction produces: plain data, one article at a time, no ids yet.

Entity identity across articles is decided later (pipeline/tables.py) from the `key`
fields below; extraction only says what one article states and where.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """Evidence: `text[start:end]` of the article's normalised text, in sentence `sentence`."""

    start: int
    end: int
    sentence: int

    def __reduce__(self):  # pickled by the million in the cache: the constructor beats the generic setstate
        return (Span, (self.start, self.end, self.sentence))


def iso_dates_agree(a: str, b: str) -> bool:
    """Two ISO dates of any precision ("2025", "2025-03", "2025-03-04") that do not contradict each
    other: the less precise is a prefix of the other."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


@dataclass(frozen=True, slots=True)
class DateValue:
    value: dt.date
    precision: str  # day | month | year

    def __reduce__(self):
        return (DateValue, (self.value, self.precision))

    def iso(self) -> str:
        if self.precision == "day":
            return self.value.isoformat()
        if self.precision == "month":
            return self.value.strftime("%Y-%m")
        return str(self.value.year)


@dataclass(slots=True)
class PartnerRecord:
    key: str  # "country:CAN", "bloc:eu", "region:africa", "org:kabil"
    name: str
    partner_type: str  # country | bloc | region | organization
    iso3: str | None
    country_iso3: str | None
    method: str  # gazetteer | pattern
    confidence: float
    spans: list[Span] = field(default_factory=list)
    decided_by: str = ""  # the deciding model and the features that weighed most
    model: str = ""  # "<model>@<version>"


@dataclass(slots=True)
class MineralRecord:
    mineral_id: str
    confidence: float = 0.9  # a full name is surer than an acronym ("REE")
    spans: list[Span] = field(default_factory=list)
    decided_by: str = ""  # the deciding model and the features that weighed most
    model: str = ""  # "<model>@<version>"


@dataclass(slots=True)
class PersonRecord:
    name: str
    role: str | None
    organization: str | None
    country_iso3: str | None
    method: str  # title | apposition | reporting_verb | byline | surname
    confidence: float
    surname_only: bool = False
    spans: list[Span] = field(default_factory=list)
    decided_by: str = ""  # the deciding model and the features that weighed most
    model: str = ""  # "<model>@<version>"


@dataclass(slots=True)
class AgreementRecord:
    key: str  # identity across articles: parties + subject, or the instrument's own name
    name: str
    agreement_type: str
    status: str
    status_evidence: int  # sentence index the status was read from
    date: DateValue | None
    parties: list[str]  # partner keys
    minerals: list[str]
    stages: list[str]
    method: str  # named_instrument | instrument_phrase
    confidence: float
    spans: list[Span] = field(default_factory=list)
    decided_by: str = ""  # the deciding model and the features that weighed most
    model: str = ""  # "<model>@<version>"


@dataclass(slots=True)
class EventRecord:
    event_type: str
    name: str
    named: bool
    date: DateValue | None
    location: str | None
    country_iso3: str | None
    participants: list[str]  # partner keys
    confidence: float
    spans: list[Span] = field(default_factory=list)
    decided_by: str = ""  # the deciding model and the features that weighed most
    model: str = ""  # "<model>@<version>"

    @property
    def method(self) -> str:
        return "named_event" if self.named else "trigger"


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    paragraph: int


@dataclass(slots=True)
class ArticleExtraction:
    """Everything one article says, with evidence spans into `text`."""

    source_file: str
    text: str
    title: str | None
    published_date: dt.date | None
    sentences: list[Sentence]
    partners: list[PartnerRecord]
    minerals: list[MineralRecord]
    people: list[PersonRecord]
    agreements: list[AgreementRecord]
    events: list[EventRecord]
    language: str = "en"

    def sentence_text(self, index: int) -> str:
        s = self.sentences[index]
        return self.text[s.start : s.end]
