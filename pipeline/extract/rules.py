"""Pattern rules as data: named records in pipeline/rules/*.yaml, validated on load, run by one evaluator.

A rule says where to look relative to a candidate - the words just before it, just after it, the
candidate's own words, or its whole sentence - which pattern to look for there, and what a match
signals. The rules do not decide anything: what they signal becomes features of the candidates,
and the models in pipeline/models/ weigh them. Every rule carries an invented example on which it
must fire (the candidate in [brackets]) and may carry one on which it must not; the test suite
runs every rule on both. Unknown keys, duplicate names and patterns that do not compile are
refused on load, with the file and the rule named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import schemas
from pipeline.extract.literal_gates import GatedPattern, literal_index

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

# Where a rule may be asked: the kinds of candidate the extraction stages produce.
SCOPES = {"entity", "mineral", "person", "instrument", "trigger", "date", "place", "sentence"}
DIRECTIONS = {"before", "after", "span", "sentence"}
_REQUIRED = {"name", "direction", "pattern", "signals", "example"}
_OPTIONAL = {"window", "case_sensitive", "counterexample", "why"}
_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
_DEFAULT_WINDOW = 40
_MAX_WINDOW = 200


class RuleError(ValueError):
    """A rule file that breaks the rule format."""


@dataclass(frozen=True, eq=False)
class Rule:
    """One named pattern rule. `signals` is the feature family it feeds ("rival", "status_signed")."""

    name: str
    scope: str
    direction: str
    pattern: GatedPattern
    signals: str
    example: str
    window: int = _DEFAULT_WINDOW
    counterexample: str | None = None
    why: str | None = None

    def fires(self, text: str, start: int, end: int, lo: int, hi: int) -> bool:
        """Whether the rule holds for the candidate text[start:end] in the sentence text[lo:hi].

        The window is searched in place, the regex engine told where it ends: "$" of a before-rule is
        the candidate's start; an after-rule's leading "^" is its end (the rule is matched there).
        (Whether the rule's literals occur in the sentence is asked once, by RuleSet.in_sentence.)"""
        pattern = self.pattern.pattern
        if self.direction == "before":
            a = max(lo, start - self.window)
            return a < start and pattern.search(text, a, start) is not None
        if self.direction == "after":
            b = min(hi, end + self.window)
            if end >= b:
                return False
            if self.anchored is not None:
                return self.anchored.match(text, end, b) is not None
            return pattern.search(text, end, b) is not None
        if self.direction == "span":
            return pattern.search(text[start:end]) is not None  # the candidate's own words, "^" and "$" their ends
        return pattern.search(text, lo, hi) is not None

    @cached_property
    def key(self) -> str:
        return "rule:" + self.name

    @cached_property
    def anchored(self) -> re.Pattern[str] | None:
        """An after-rule opening with "^", as a pattern to match at the candidate's end."""
        p = self.pattern.pattern
        return re.compile(p.pattern[1:], p.flags) if self.direction == "after" and p.pattern.startswith("^") else None

    def distance(self, text: str, start: int, end: int, lo: int, hi: int) -> int | None:
        """Characters between the candidate and the nearest match of the rule, or None when it does not fire."""
        if self.direction == "before":
            a = max(lo, start - self.window)
            matches = list(self.pattern.pattern.finditer(text[a:start])) if self.pattern.gate.admits(text, a, start) else []
            return start - (a + matches[-1].end()) if matches else None
        if self.direction == "after":
            b = min(hi, end + self.window)
            m = self.pattern.search_alone(text, end, b)
            return m.start() if m else None
        if self.direction == "span":
            return 0 if self.fires(text, start, end, lo, hi) else None
        if not self.pattern.gate.admits(text, lo, hi):
            return None
        best = None
        for m in self.pattern.pattern.finditer(text[lo:hi]):
            d = max(0, lo + m.start() - end, start - (lo + m.end()))
            best = d if best is None else min(best, d)
        return best


def _compile(pattern: str, case_sensitive: bool) -> GatedPattern:
    flags = 0 if case_sensitive else re.IGNORECASE
    return GatedPattern(re.compile(pattern, flags))


def parse_rule(record: dict, scope: str, where: str) -> Rule:
    """One rule record, checked: every key known, every required key present, the pattern compiles."""
    if not isinstance(record, dict):
        raise RuleError(f"{where}: a rule is a mapping, got {type(record).__name__}")
    name = record.get("name", "?")
    unknown = set(record) - _REQUIRED - _OPTIONAL
    if unknown:
        raise RuleError(f"{where}: rule {name!r} has unknown keys {sorted(unknown)}")
    missing = _REQUIRED - set(record)
    if missing:
        raise RuleError(f"{where}: rule {name!r} lacks {sorted(missing)}")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise RuleError(f"{where}: rule name {name!r} is not snake_case")
    if record["direction"] not in DIRECTIONS:
        raise RuleError(f"{where}: rule {name!r} has direction {record['direction']!r}, not one of {sorted(DIRECTIONS)}")
    if not isinstance(record["signals"], str) or not _NAME_RE.fullmatch(record["signals"]):
        raise RuleError(f"{where}: rule {name!r} signals {record['signals']!r}, not a snake_case name")
    window = record.get("window", _DEFAULT_WINDOW)
    if not isinstance(window, int) or not 0 < window <= _MAX_WINDOW:
        raise RuleError(f"{where}: rule {name!r} has window {window!r}, not an integer in 1..{_MAX_WINDOW}")
    try:
        pattern = _compile(record["pattern"], bool(record.get("case_sensitive", False)))
    except (re.error, TypeError) as exc:
        raise RuleError(f"{where}: rule {name!r} pattern does not compile: {exc}") from exc
    return Rule(
        name=name,
        scope=scope,
        direction=record["direction"],
        pattern=pattern,
        signals=record["signals"],
        example=str(record["example"]),
        window=window,
        counterexample=record.get("counterexample"),
        why=record.get("why"),
    )


@dataclass(frozen=True)
class RuleSet:
    """The rules of one scope, run together on a candidate."""

    scope: str
    rules: tuple[Rule, ...]
    _last: tuple[str, tuple[Rule, ...]] | None = field(default=None, compare=False, repr=False)
    _sentences: tuple[str, dict[tuple[int, int], tuple[Rule, ...]]] | None = field(default=None, compare=False, repr=False)

    def possible(self, text: str) -> tuple[Rule, ...]:
        """The rules that can match somewhere in `text` (an article): their literals occur in it.
        Remembered for the last article asked about, whose candidates come one after another."""
        if self._last is not None and self._last[0] is text:
            return self._last[1]
        rules = tuple(r for r in self.rules if r.pattern.gate.admits(text))
        object.__setattr__(self, "_last", (text, rules))
        return rules

    def in_sentence(self, text: str, lo: int, hi: int) -> tuple[Rule, ...]:
        """The rules whose literals occur in the sentence text[lo:hi]: only they can fire on its candidates.
        Remembered per sentence of the last article asked about."""
        cache = self._sentences
        if cache is None or cache[0] is not text:
            cache = (text, {})
            object.__setattr__(self, "_sentences", cache)
        found = cache[1].get((lo, hi))
        if found is None:
            present = literal_index(text).mask(lo, hi)  # the literals of the sentence, read once for all the rules
            found = cache[1][(lo, hi)] = tuple(
                r for r in self.possible(text) if r.pattern.gate.mask == -1 or r.pattern.gate.mask & present
            )
        return found

    def fired(self, text: str, start: int, end: int, lo: int, hi: int) -> list[Rule]:
        return [r for r in self.in_sentence(text, lo, hi) if r.fires(text, start, end, lo, hi)]

    def signals(self, text: str, start: int, end: int, lo: int, hi: int) -> dict[str, float]:
        """The candidate's rule features: `rule:<name>` for each rule that fires, `<signals>` for its family.

        (Rule.fires, written out in the loop: this runs for every candidate of every article, and the
        call per rule cost more than most of the searches.)"""
        out: dict[str, float] = {}
        for r in self.in_sentence(text, lo, hi):
            direction = r.direction
            if direction == "before":
                a = start - r.window
                fired = start > lo and r.pattern.pattern.search(text, a if a > lo else lo, start) is not None
            elif direction == "after":
                b = end + r.window
                b = b if b < hi else hi
                if end >= b:
                    fired = False
                else:
                    anchored = r.anchored
                    fired = (
                        anchored.match(text, end, b) if anchored is not None else r.pattern.pattern.search(text, end, b)
                    ) is not None
            else:
                fired = r.fires(text, start, end, lo, hi)
            if fired:
                out[r.key] = 1.0
                out[r.signals] = 1.0
        return out

    def nearest(self, text: str, start: int, end: int, lo: int, hi: int, families: tuple[str, ...]) -> str | None:
        """The family (of `families`) whose rule matches nearest the candidate, if any fires."""
        best: tuple[int, str] | None = None
        for r in self.in_sentence(text, lo, hi):
            if r.signals in families:
                d = r.distance(text, start, end, lo, hi)
                if d is not None and (best is None or (d, r.signals) < best):
                    best = (d, r.signals)
        return best[1] if best else None

    def __iter__(self):
        return iter(self.rules)


def rule_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*.yaml"))


def read_rule_file(path: Path) -> list[Rule]:
    """The rules of one file: `scope:` (one of SCOPES) and `rules:` (a list of rule records)."""
    data = schemas.read_yaml(path)
    if not isinstance(data, dict) or set(data) != {"scope", "rules"}:
        raise RuleError(f"{path.name}: a rule file has exactly the keys 'scope' and 'rules'")
    scope = data["scope"]
    if scope not in SCOPES:
        raise RuleError(f"{path.name}: scope {scope!r} is not one of {sorted(SCOPES)}")
    return [parse_rule(record, scope, path.name) for record in data["rules"] or []]


@cache
def load_rules() -> dict[str, RuleSet]:
    """Every rule file, by scope; rule names are unique across all files."""
    by_scope: dict[str, list[Rule]] = {s: [] for s in SCOPES}
    seen: dict[str, str] = {}
    for path in rule_files():
        for rule in read_rule_file(path):
            if rule.name in seen:
                raise RuleError(f"{path.name}: rule {rule.name!r} is also defined in {seen[rule.name]}")
            seen[rule.name] = path.name
            by_scope[rule.scope].append(rule)
    return {scope: RuleSet(scope, tuple(rules)) for scope, rules in by_scope.items()}


def rules_for(scope: str) -> RuleSet:
    return load_rules()[scope]


_BRACKETS_RE = re.compile(r"\[([^\[\]]+)\]")


def example_span(example: str) -> tuple[str, int, int]:
    """An example sentence without its brackets, and the bracketed candidate's offsets (the whole
    sentence when nothing is bracketed)."""
    m = _BRACKETS_RE.search(example)
    if m is None:
        return example, 0, len(example)
    text = example[: m.start()] + m.group(1) + example[m.end() :]
    return text, m.start(), m.start() + len(m.group(1))
