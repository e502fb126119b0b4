"""Date expressions in a sentence, resolved against the article's publication date.

A resolved date is never more precise than the text: "last week" gives the month when the
whole week lies in one month, "in 2022" gives the year. Without a publication date, only
absolute expressions resolve.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.extract.literal_gates import fold
from pipeline.extract.records import DateValue
from pipeline.extract.text import MONTH_RE, MONTHS

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1, "an": 1}

_FUTURE_RE = re.compile(
    r"\b(?:will|shall|would|expected|scheduled|slated|set to|due to|to be|is to|are to|plans? to|planning|upcoming|next|later|coming|likely to|may|could)\b",
    re.IGNORECASE,
)


_PAST_NEAR_RE = re.compile(
    r"\b(?:signed|inked|sealed|agreed|concluded|announced|launched|held|met|visited|took effect|came into force|entered into force|was|were|had|did|approved|cleared|adopted|unveiled|established|set up|founded|began|started|ended)\b(?:\s+\S+){0,5}\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    start: int  # offsets within the sentence
    end: int
    date: DateValue | None  # None when the expression cannot be resolved
    text: str


def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _add_months(d: dt.date, months: int) -> dt.date:
    index = d.year * 12 + d.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _span_value(first: dt.date, last: dt.date) -> DateValue | None:
    """The most precise value true of every day in [first, last]."""
    if first == last:
        return DateValue(first, "day")
    if (first.year, first.month) == (last.year, last.month):
        return DateValue(_month_start(first), "month")
    if first.year == last.year:
        return DateValue(dt.date(first.year, 1, 1), "year")
    return None


def _year_value(year: int) -> DateValue:
    return DateValue(dt.date(year, 1, 1), "year")


_WEEKDAY_EXPR_RE = re.compile(r"(?:on |this |last |next |this past |)(\w+day)")
_AGO_EXPR_RE = re.compile(r"(\w+) (day|week|month|year)s? ago")


def _relative(expr: str, published: dt.date, future: bool) -> DateValue | None:
    e = " ".join(expr.lower().split())
    monday = published - dt.timedelta(days=published.weekday())
    if e in {"today", "this morning", "this evening", "tonight", "earlier today"}:
        return DateValue(published, "day")
    if e == "yesterday":
        return DateValue(published - dt.timedelta(days=1), "day")
    if e == "tomorrow":
        return DateValue(published + dt.timedelta(days=1), "day")
    if e == "last week":
        return _span_value(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
    if e in {"this week", "earlier this week"}:
        return _span_value(monday, published)
    if e == "later this week":
        return _span_value(published, monday + dt.timedelta(days=6))
    if e == "next week":
        return _span_value(monday + dt.timedelta(days=7), monday + dt.timedelta(days=13))
    if e in {"last month", "earlier last month", "late last month", "early last month"}:
        return DateValue(_add_months(published, -1), "month")
    if e in {"this month", "earlier this month", "later this month", "early this month", "late this month"}:
        return DateValue(_month_start(published), "month")
    if e in {"next month", "early next month", "later next month", "late next month"}:
        return DateValue(_add_months(published, 1), "month")
    if e in {"last year", "early last year", "late last year", "earlier last year"}:
        return _year_value(published.year - 1)
    if e in {
        "this year",
        "earlier this year",
        "later this year",
        "early this year",
        "by the end of the year",
        "by the end of this year",
        "end of this year",
    }:
        return _year_value(published.year)
    if e in {"next year", "early next year", "later next year"}:
        return _year_value(published.year + 1)
    m = _WEEKDAY_EXPR_RE.fullmatch(e)
    if m and m.group(1) in WEEKDAYS:
        target = WEEKDAYS.index(m.group(1))
        delta = target - published.weekday()
        if e.startswith("last "):
            delta = delta - 7 if delta < 0 else delta - 7
        elif e.startswith("next "):
            delta = delta + 7 if delta > 0 else delta + 7
        elif delta != 0:
            delta = (delta if delta > 0 else delta + 7) if future else delta if delta < 0 else delta - 7
        return DateValue(published + dt.timedelta(days=delta), "day")
    m = _AGO_EXPR_RE.fullmatch(e)
    if m and (m.group(1) in _NUMBERS or m.group(1).isdigit()):
        n = _NUMBERS.get(m.group(1)) or int(m.group(1))
        unit = m.group(2)
        if unit == "day":
            return DateValue(published - dt.timedelta(days=n), "day")
        if unit == "week":
            d = published - dt.timedelta(days=7 * n)
            return _span_value(d - dt.timedelta(days=d.weekday()), d - dt.timedelta(days=d.weekday()) + dt.timedelta(days=6))
        if unit == "month":
            return DateValue(_add_months(published, -n), "month")
        return _year_value(published.year - n)
    return None


_RELATIVE = (
    r"(?:earlier |later |early |late )?(?:this|last|next) (?:week|month|year)"
    r"|earlier today|today|yesterday|tomorrow|tonight|this morning|this evening"
    r"|by the end of (?:the|this) year"
    r"|(?:on |this |last |next |this past )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
)
_AGO = r"(?:\w+|\d+) (?:day|week|month|year)s? ago"
_RELATIVE_RE = re.compile(rf"\b(?:{_RELATIVE}|{_AGO})\b", re.IGNORECASE)
# The same without "... ago", for the many sentences without the word: that branch, tried at every
# word, is most of the search.
_RELATIVE_NOT_AGO_RE = re.compile(rf"\b(?:{_RELATIVE})\b", re.IGNORECASE)
_RANGE_SEP = r"\s*(?:-|–|to|and|&)\s*"
_MONTH_AFTER_CUE = 11  # len("earlier in ")
# (kind, what every match opens with, pattern): a digit, a month word, a cue of at most
# _MONTH_AFTER_CUE characters before a month word ("earlier in March"), or "none" known.
_ABSOLUTE_PATTERNS = [
    # 19th and 20th November 2025 / 19-20 November / November 19 and 20, 2025: a span of days
    (
        "dr",
        "digit",
        re.compile(
            rf"\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?{_RANGE_SEP}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{MONTH_RE})(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?\b"
        ),
    ),
    (
        "dr",
        "month",
        re.compile(
            rf"\b(?P<m>{MONTH_RE})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?{_RANGE_SEP}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?\b"
        ),
    ),
    # 2026-03-13
    ("ymd", "digit", re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<mn>\d{2})-(?P<d>\d{2})\b")),
    # March 13, 2026 / Mar. 13 2026
    ("mdy", "month", re.compile(rf"\b(?P<m>{MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})\b")),
    # 13 March 2026 / 13th March, 2026
    (
        "dmy",
        "digit",
        re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{MONTH_RE}),?\s+(?P<y>(?:19|20)\d{{2}})\b"),
    ),
    # March 2026
    ("my", "month", re.compile(rf"\b(?P<m>{MONTH_RE}),?\s+(?P<y>(?:19|20)\d{{2}})\b")),
    # March 13 / 13 March (year from the publication date)
    ("md", "month", re.compile(rf"\b(?P<m>{MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)")),
    ("dm", "digit", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{MONTH_RE})\b")),
    # next June / last March / this May (relative to the publication date)
    ("rm", "none", re.compile(rf"\b(?P<rel>next|last|this|coming)\s+(?P<m>{MONTH_RE})\b(?!\s+\d)", re.IGNORECASE)),
    # in March / early March (year from the publication date and the tense)
    (
        "m",
        "month_cue",
        re.compile(
            rf"\b(?i:in|since|during|by|until|from|early|mid|late|end of|earlier in|later in)[- ](?P<m>{MONTH_RE.replace('May|', '')})\b(?!\s+\d)"
        ),
    ),
    # in 2022, since 2019, fiscal 2025; a year closing a capitalised name ("Week 2026")
    (
        "y",
        "none",
        re.compile(
            r"(?:\b(?i:in|since|during|from|of|year|early|mid|late|fiscal|FY)[- ]|\b[A-Z][\w-]*\s)(?P<y>(?:19|20)\d{2})\b(?![-/]\d)"
        ),
    ),
]


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


# A day without a year that falls within this many days of the publication date is that day, whatever
# the tense ("Widodo on December 21 confirmed a ban from June next year", written on 22 December).
_NEAR_DAYS = 45


def _near_publication(day: dt.date, published: dt.date) -> dt.date | None:
    for year in (published.year, published.year - 1, published.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:  # 29 February
            continue
        if abs((candidate - published).days) <= _NEAR_DAYS:
            return candidate
    return None


def _absolute(kind: str, m: re.Match[str], published: dt.date | None, future: bool = False) -> DateValue | None:
    g = m.groupdict()
    try:
        if kind == "dr":
            # "never more precise than the text": the days' common month
            if g["y"] is None and published is None:
                return None
            year, month = int(g["y"]) if g["y"] else published.year, _month(g["m"])
            return _span_value(dt.date(year, month, int(g["d1"])), dt.date(year, month, int(g["d"])))
        if kind == "ymd":
            return DateValue(dt.date(int(g["y"]), int(g["mn"]), int(g["d"])), "day")
        if kind in {"mdy", "dmy"}:
            return DateValue(dt.date(int(g["y"]), _month(g["m"]), int(g["d"])), "day")
        if kind == "my":
            return DateValue(dt.date(int(g["y"]), _month(g["m"]), 1), "month")
        if kind in {"md", "dm"}:
            if published is None:
                return None
            day = dt.date(published.year, _month(g["m"]), int(g["d"]))
            near = _near_publication(day, published)
            if near is not None:
                return DateValue(near, "day")
            if not future and day > published:
                day = day.replace(year=published.year - 1)  # "signed on September 11" written in January
            elif future and day < published:
                day = day.replace(year=published.year + 1)  # "will meet on January 15" written in December
            return DateValue(day, "day")
        if kind == "m":
            if published is None:
                return None
            month = _month(g["m"])
            year = published.year
            if future and month < published.month:
                year += 1  # "takes over the presidency in January" written in December
            elif not future and month > published.month:
                year -= 1  # "signed in November" written in January
            return DateValue(dt.date(year, month, 1), "month")
        if kind == "rm":
            if published is None:
                return None
            month, rel = _month(g["m"]), g["rel"].lower()
            year = published.year
            if rel in {"next", "coming"} and month <= published.month:
                year += 1
            elif rel == "last" and month >= published.month:
                year -= 1
            return DateValue(dt.date(year, month, 1), "month")
        if kind == "y":
            return _year_value(int(g["y"]))
    except ValueError:
        return None
    return None


# Every date expression above holds a digit, a month, a weekday or one of these words.
_DATE_WORD_RE = re.compile(r"(?:day|week|month|year|today|tomorrow|tonight|morning|evening|ago)\b", re.IGNORECASE)
# What each kind of absolute date needs: one cheap search per sentence spares the patterns that cannot match.
_DIGIT_RE = re.compile(r"\d")
# (A month in a date ends a word: "March 2026", "Mar. 13", never "market".)
_MONTH_WORD_RE = re.compile(rf"\b(?=[jfmasond])(?:{MONTH_RE})(?!\w)", re.IGNORECASE)
_NEEDS_DIGIT = {"dr", "ymd", "mdy", "dmy", "my", "md", "dm", "y"}
_NEEDS_MONTH = {"dr", "mdy", "dmy", "my", "md", "dm", "rm", "m"}
_NEEDS_YEAR = {"ymd", "mdy", "dmy", "my", "y"}  # (?:19|20)\d{2}
# Every relative expression holds one of these (weekdays and "today" end in "day").
_RELATIVE_HINT_RE = re.compile(r"(?=[dwmyte])(?:day|week|month|year|tonight|morning|evening|tomorrow)", re.IGNORECASE)
_RELATIVE_HINTS = ("day", "week", "month", "year", "tonight", "morning", "evening", "tomorrow")
# Every month name opens with one of these: the first of them in the lower-cased sentence is where a
# search for a month word can start.
_MONTH_PREFIXES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# The most characters a relative expression without "ago" has before its hint word ("by the end of this " year).
_RELATIVE_LEAD = 19


def _first_of(folded: str, words: tuple[str, ...]) -> int:
    """Where the first of `words` occurs in `folded` (a lower-cased sentence, see literal_gates.fold); -1 if none.
    A few str.find calls cost less than one case-insensitive search for them."""
    found = [i for i in map(folded.find, words) if i >= 0]
    return min(found) if found else -1


def _search_from(opener: str, digit: re.Match[str] | None, month: re.Match[str] | None) -> int:
    """Where a search can start and still find every match: none starts before the sentence's first
    digit or month word when its matches open with one (found once per sentence, not once per pattern)."""
    if opener == "digit" and digit is not None:
        return digit.start()
    if opener == "month" and month is not None:
        return month.start()
    if opener == "month_cue" and month is not None:
        return max(0, month.start() - _MONTH_AFTER_CUE)
    return 0


def find_dates(sentence: str, published: dt.date | None) -> list[DateMention]:
    """Every date expression in `sentence`, left to right, resolved where possible."""
    digit = _DIGIT_RE.search(sentence)
    folded = fold(sentence)
    if folded is None:  # letters that fold oddly: the regular expressions decide
        month = _MONTH_WORD_RE.search(sentence)
        hint = _RELATIVE_HINT_RE.search(sentence)
        hint_start = hint.start() if hint else -1
    else:
        first_month = _first_of(folded, _MONTH_PREFIXES)
        month = _MONTH_WORD_RE.search(sentence, first_month) if first_month >= 0 else None
        hint_start = _first_of(folded, _RELATIVE_HINTS)
    has_digit, has_month, has_relative = digit is not None, month is not None, hint_start >= 0
    if not (has_digit or has_month or has_relative or _DATE_WORD_RE.search(sentence)):
        return []
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    sentence_future: list[bool] = []  # read once, when a date's own context does not decide

    def tense(start: int) -> bool:
        """Future or past for the date at `start`: the verb just before it decides, else the sentence."""
        before = sentence[max(0, start - 45) : start]
        if _PAST_NEAR_RE.search(before):
            return False
        if _FUTURE_RE.search(before):
            return True
        if not sentence_future:
            sentence_future.append(bool(_FUTURE_RE.search(sentence)))
        return sentence_future[0]

    has_year = "19" in sentence or "20" in sentence
    for kind, opener, pattern in _ABSOLUTE_PATTERNS:
        if (
            (not has_digit and kind in _NEEDS_DIGIT)
            or (not has_month and kind in _NEEDS_MONTH)
            or (not has_year and kind in _NEEDS_YEAR)
        ):
            continue
        for m in pattern.finditer(sentence, _search_from(opener, digit, month)):
            a, b = (m.start("y"), m.end("y")) if kind == "y" else m.span()
            if kind == "m":
                a = m.start("m")
            if not free(a, b):
                continue
            taken.append((a, b))
            found.append(DateMention(a, b, _absolute(kind, m, published, tense(a)), sentence[a:b]))
    if not has_relative:
        return sorted(found, key=lambda d: d.start)
    if "ago" in sentence.lower():  # ("ago": no letter folds oddly) "... ago" can start any number of characters before
        matches = _RELATIVE_RE.finditer(sentence)
    else:
        matches = _RELATIVE_NOT_AGO_RE.finditer(sentence, max(0, hint_start - _RELATIVE_LEAD))
    for m in matches:
        if not free(*m.span()):
            continue
        value = _relative(m.group(0), published, tense(m.start())) if published else None
        taken.append(m.span())
        found.append(DateMention(m.start(), m.end(), value, m.group(0)))
    return sorted(found, key=lambda d: d.start)
