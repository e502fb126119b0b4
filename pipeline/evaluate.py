"""Measuring extraction against hand-made gold annotations (tests/fixtures/gold/FORMAT.md).

The published tables are what is measured: each gold file's article is found in `articles`
by file name, and what the dataset says about it is read through `mentions`. Scores are
micro-averaged precision / recall / F1 per table, plus agreement-status accuracy on
matched agreements.

Matching rules (the same for every gold folder):
  partners    countries by ISO3; others by canonical name (vocabulary aliases resolved). India is ignored.
  minerals    canonical ids.
  people      normalised names; a name also matches its fuller form with the same surname.
  agreements  the same set of parties (ISO3 or canonical partner name).
  events      the same type, dates that do not contradict, and shared participants (or the same location).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pycountry

from pipeline.extract.gazetteer import load_gazetteer
from pipeline.extract.names import normalize_name
from pipeline.extract.records import iso_dates_agree
from pipeline.extract.vocab import load_vocabulary, org_key

IGNORED_PARTNERS = {"IND"}
# Legal forms that do not change which body a name names (English, Spanish, Portuguese, French, German ...).
_LEGAL_TAIL_RE = re.compile(
    r"(?:[\s,]+(?:Limited|Ltd|Corp|Corporation|Corporación|Corporacion|Inc|Incorporated|PLC|LLC|AG|GmbH|SA|S\.A|SE|S\.E|SpA|SAS|NV|BV|"
    r"JSC|PJSC|Co|Company|Pty|Tbk|Bhd|Berhad|Ltda|KK|Sociedad del Estado|Sociedad Anónima|Group of Companies))+\.?$",
    re.IGNORECASE,
)
TABLES = ["partners", "minerals", "people", "agreements", "events"]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    scores: dict[str, Score] = field(default_factory=lambda: {t: Score() for t in TABLES})
    status_matched: int = 0
    status_correct: int = 0
    articles: int = 0
    missing_articles: list[str] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)
    # Per table, (confidence, matched a gold item) of every published row: the calibration of `confidence`.
    calibration: dict[str, list[tuple[float, bool]]] = field(default_factory=lambda: {t: [] for t in TABLES})

    def ece(self, table: str | None = None) -> float:
        """Expected calibration error of `confidence` (10 equal-width bins), per table or over all rows."""
        from pipeline.train.fit import expected_calibration_error

        pairs = self.calibration[table] if table else [x for t in TABLES for x in self.calibration[t]]
        return expected_calibration_error([p for p, _ in pairs], [ok for _, ok in pairs])

    def merge(self, other: Report) -> None:
        """Add another report's counts (cross-validation folds)."""
        for t in TABLES:
            _add(self.scores[t], other.scores[t].tp, other.scores[t].fp, other.scores[t].fn)
            self.calibration[t] += other.calibration[t]
        self.status_matched += other.status_matched
        self.status_correct += other.status_correct
        self.articles += other.articles
        self.missing_articles += other.missing_articles
        self.details += other.details

    @property
    def status_accuracy(self) -> float:
        return self.status_correct / self.status_matched if self.status_matched else 1.0

    def as_dict(self) -> dict:
        return {
            "articles": self.articles,
            "missing_articles": self.missing_articles,
            "tables": {
                t: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "tp": s.tp, "fp": s.fp, "fn": s.fn}
                for t, s in self.scores.items()
            },
            "agreement_status_accuracy": self.status_accuracy,
            "agreement_status_matched": self.status_matched,
            "confidence_ece": {**{t: self.ece(t) for t in TABLES}, "all": self.ece()},
        }

    def format(self) -> str:
        lines = [f"{'table':<12}{'precision':>10}{'recall':>10}{'F1':>8}{'TP':>6}{'FP':>6}{'FN':>6}"]
        for t, s in self.scores.items():
            lines.append(f"{t:<12}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>8.3f}{s.tp:>6}{s.fp:>6}{s.fn:>6}")
        lines.append(
            f"agreement status accuracy on matched agreements: {self.status_accuracy:.3f} "
            f"({self.status_correct}/{self.status_matched})"
        )
        lines.append(
            "calibration error of confidence (ECE): "
            + ", ".join(f"{t} {self.ece(t):.3f}" for t in TABLES)
            + f"; all rows {self.ece():.3f}"
        )
        lines.append(f"articles evaluated: {self.articles}")
        if self.missing_articles:
            lines.append(f"gold articles missing from the warehouse: {', '.join(self.missing_articles)}")
        return "\n".join(lines)


def canonical_partner(name: str, iso3: str | None = None) -> str:
    """ISO3 for a country; otherwise the vocabulary key its name resolves to, or the normalised name."""
    if iso3:
        return iso3.upper()
    if re.fullmatch(r"[A-Z]{3}", name or "") and pycountry.countries.get(alpha_3=name):
        return name
    # "Japan Bank for International Cooperation (JBIC)": a name with its acronym is whichever part
    # the vocabulary knows.
    both = re.fullmatch(r"(?P<long>[^()]+?)\s*\((?P<short>[^()]+)\)", (name or "").strip())
    if both:
        for part in (both.group("long"), both.group("short")):
            key = canonical_partner(part)
            if not key.startswith("name:"):
                return key
        name = both.group("long")
    bare = _LEGAL_TAIL_RE.sub("", name.strip())
    singular = re.sub(r"(?<=[a-z]{3})s$", "", bare)
    variants = (name.strip(), bare, singular) + ((bare.upper(),) if " " not in bare.strip() else ())
    for candidate in dict.fromkeys(variants):
        hits = load_gazetteer().find(candidate)
        if len(hits) == 1 and hits[0].end - hits[0].start >= len(candidate) - 1:
            target = hits[0].target
            return target.split(":")[1] if target.startswith("country:") else target
    # "Mineral Resources Authority of Mongolia" is "Mongolia's Mineral Resources Authority".
    for h in load_gazetteer().find(name):
        if h.target.startswith("country:"):
            if h.end == len(name) and name[: h.start].rstrip().endswith(" of"):
                name = name[: h.start].rstrip()[:-3]
                break
            if h.start == 0 and name[h.end : h.end + 2] in {"'s", "’s"}:
                name = name[h.end + 2 :].strip()
                break
    words = re.sub(r"[^a-z0-9]+", " ", org_key(_LEGAL_TAIL_RE.sub("", name.strip()) or name)[4:]).split()
    # "International Resources Holdings" is "International Resource Holding": plural endings do not make another body.
    return "name:" + " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def _alternates(name: str) -> set[str]:
    """The keys a gold name may be matched by: its canonical key, and for "Long Name (ACRONYM)" each part's."""
    keys = {canonical_partner(name)}
    both = re.fullmatch(r"(?P<long>[^()]+?)\s*\((?P<short>[^()]+)\)", (name or "").strip())
    if both:
        keys |= {canonical_partner(both.group("long")), canonical_partner(both.group("short"))}
    return keys


def _by_surface(name: str, by_surface: dict[str, str]) -> str:
    """A gold party named as the article names it is the partner with that surface form."""
    key = canonical_partner(name)
    return next((by_surface[k] for k in sorted(_alternates(name)) if k in by_surface), by_surface.get(key, key))


def _people_match(a: str, b: str) -> bool:
    x, y = normalize_name(a).split(), normalize_name(b).split()
    if not x or not y:
        return False
    if x == y:
        return True
    if x[-1] != y[-1] and not (set(x) & set(y) and (set(x) <= set(y) or set(y) <= set(x))):
        return False
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    return all(any(t == u or (len(t) == 1 and u.startswith(t)) for u in long) for t in short)


def _greedy(gold: list, pred: list, score_fn) -> list[tuple[int, int]]:
    """One-to-one pairs, best scores first; score_fn returns None for pairs that cannot match."""
    candidates = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            s = score_fn(g, p)
            if s is not None:
                candidates.append((s, i, j))
    candidates.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_g, used_p, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return pairs


def _dates_compatible(a: str | None, b: str | None) -> bool:
    """A missing date contradicts nothing."""
    return not a or not b or iso_dates_agree(a, b)


def _iso(value, precision: str | None) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or pd.isna(value):
        return None
    text = str(value)[:10]
    return text[:7] if precision == "month" else text[:4] if precision == "year" else text


def load_warehouse(parquet_dir: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in Path(parquet_dir).glob("*.parquet")}


def evaluate(gold_dir: Path, tables: dict[str, pd.DataFrame]) -> Report:
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(gold_dir).glob("*.json"))]
    return evaluate_golds(golds, tables)


def evaluate_golds(golds: list[dict], tables: dict[str, pd.DataFrame]) -> Report:
    """Scores of the published tables against gold annotations (dicts as in the gold files)."""
    report = Report()
    articles = tables["articles"]
    mentions = tables["mentions"]
    partners = tables["partners"].set_index("partner_id")
    partner_key = {
        pid: canonical_partner(row["name"], row["iso3"] if isinstance(row["iso3"], str) else None)
        for pid, row in partners.iterrows()
    }
    parties = tables["agreement_parties"].groupby("agreement_id")["partner_id"].apply(list).to_dict()
    participants = tables["event_participants"].groupby("event_id")["partner_id"].apply(list).to_dict()
    statuses = tables["agreement_statuses"].set_index(["agreement_id", "article_id"])["status"].to_dict()
    agreements = tables["agreements"].set_index("agreement_id")
    events = tables["events"].set_index("event_id")
    people = tables["people"].set_index("person_id")
    mineral_confidence = tables["minerals"].set_index("mineral_id")["confidence"].to_dict()

    def calibrate(table: str, confidences: list[float], matched: set[int]) -> None:
        report.calibration[table] += [(float(c), j in matched) for j, c in enumerate(confidences)]

    for gold in golds:
        match = articles[articles["source_file"] == gold["article"]]
        if match.empty:
            report.missing_articles.append(gold["article"])
            continue
        report.articles += 1
        aid = match.iloc[0]["article_id"]
        m = mentions[mentions["article_id"] == aid]
        ids = {
            t: list(dict.fromkeys(m.loc[m["entity_type"] == t, "entity_id"]))
            for t in ["partner", "mineral", "person", "agreement", "event"]
        }
        detail: dict = {"article": gold["article"]}

        # partners: a gold name also matches any surface form the article uses for the partner
        # ("Vinacomin" for "Vietnam National Coal and Mineral Industries Group (Vinacomin)").
        alternates = {canonical_partner(p["name"], p.get("iso3")): _alternates(p["name"]) for p in gold["partners"]}
        g = sorted(set(alternates) - IGNORED_PARTNERS)
        p = sorted({partner_key[i] for i in ids["partner"]} - IGNORED_PARTNERS)
        surfaces: dict[str, set[str]] = {}
        for i in ids["partner"]:
            forms = m.loc[(m["entity_type"] == "partner") & (m["entity_id"] == i), "surface"]
            surfaces[partner_key[i]] = {canonical_partner(f) for f in forms}
        pairs = _greedy(g, p, lambda a, b, s=surfaces, alt=alternates: 2 if a == b else 1 if alt[a] & s.get(b, set()) else None)
        _add(report.scores["partners"], len(pairs), len(p) - len(pairs), len(g) - len(pairs))
        confidence = {partner_key[i]: partners.loc[i, "confidence"] for i in ids["partner"]}
        calibrate("partners", [confidence[k] for k in p], {j for _, j in pairs})
        detail["partners"] = {"missed": [g[i] for i in set(range(len(g))) - {i for i, _ in pairs}],
                              "extra": [p[j] for j in set(range(len(p))) - {j for _, j in pairs}]}  # fmt: skip

        # minerals
        g = set(gold["minerals"])
        p = set(ids["mineral"])
        _add(report.scores["minerals"], len(g & p), len(p - g), len(g - p))
        predicted = sorted(p)
        calibrate("minerals", [mineral_confidence[x] for x in predicted], {j for j, x in enumerate(predicted) if x in g})
        detail["minerals"] = {"missed": sorted(g - p), "extra": sorted(p - g)}

        # people
        gp = [x["name"] for x in gold["people"]]
        pp = [people.loc[i, "name"] for i in ids["person"]]
        pairs = _greedy(gp, pp, lambda a, b: 1 if _people_match(a, b) else None)
        _add(report.scores["people"], len(pairs), len(pp) - len(pairs), len(gp) - len(pairs))
        calibrate("people", [people.loc[i, "confidence"] for i in ids["person"]], {j for _, j in pairs})
        detail["people"] = {"missed": [gp[i] for i in set(range(len(gp))) - {i for i, _ in pairs}],
                            "extra": [pp[j] for j in set(range(len(pp))) - {j for _, j in pairs}]}  # fmt: skip

        # agreements
        # A gold party named as the article names it ("Vinacomin") is the partner with that surface form.
        by_surface = {form: key for key, forms in surfaces.items() for form in forms}
        ga = [(_expand_blocs({_by_surface(x, by_surface) for x in a["parties"]}), a) for a in gold["agreements"]]
        pa = [(_expand_blocs({partner_key[x] for x in parties.get(i, [])}), i) for i in ids["agreement"]]

        def agreement_score(g_item, p_item, aid=aid):
            if g_item[0] != p_item[0]:
                return None
            return (
                1
                + (statuses.get((p_item[1], aid)) == g_item[1]["status"])
                + 0.5 * (agreements.loc[p_item[1], "agreement_type"] == g_item[1]["kind"])
            )

        pairs = _greedy(ga, pa, agreement_score)
        _add(report.scores["agreements"], len(pairs), len(pa) - len(pairs), len(ga) - len(pairs))
        calibrate("agreements", [agreements.loc[i, "confidence"] for _, i in pa], {j for _, j in pairs})
        for i, j in pairs:
            report.status_matched += 1
            report.status_correct += statuses.get((pa[j][1], aid)) == ga[i][1]["status"]
        detail["agreements"] = {
            "missed": [sorted(ga[i][0]) for i in set(range(len(ga))) - {i for i, _ in pairs}],
            "extra": [agreements.loc[pa[j][1], "name"] for j in set(range(len(pa))) - {j for _, j in pairs}],
            "status": [(ga[i][1]["status"], statuses.get((pa[j][1], aid))) for i, j in pairs],
        }

        # events
        ge = gold["events"]
        pe = []
        for i in ids["event"]:
            row = events.loc[i]
            pe.append(
                {
                    "type": row["event_type"],
                    "date": _iso(row["start_date"], row["date_precision"]),
                    "location": row["location"] if isinstance(row["location"], str) else None,
                    "participants": {partner_key[x] for x in participants.get(i, [])},
                    "name": row["name"],
                }
            )

        def event_score(g_item, p_item):
            if g_item["type"] != p_item["type"] or not _dates_compatible(g_item.get("date"), p_item["date"]):
                return None
            g_parts = {canonical_partner(x) for x in g_item.get("participants", [])}
            shared = len(g_parts & p_item["participants"])
            same_place = bool(g_item.get("location")) and g_item.get("location") == p_item["location"]
            same_day = bool(g_item.get("date")) and len(g_item["date"]) == 10 and g_item["date"] == p_item["date"]
            if not (shared or same_place or same_day or (not g_parts and not p_item["participants"])):
                return None
            return shared + 2 * same_place + 2 * (g_item.get("date") == p_item["date"])

        pairs = _greedy(ge, pe, event_score)
        _add(report.scores["events"], len(pairs), len(pe) - len(pairs), len(ge) - len(pairs))
        calibrate("events", [events.loc[i, "confidence"] for i in ids["event"]], {j for _, j in pairs})
        detail["events"] = {
            "missed": [(ge[i]["type"], ge[i].get("date")) for i in set(range(len(ge))) - {i for i, _ in pairs}],
            "extra": [(pe[j]["type"], pe[j]["date"], pe[j]["name"]) for j in set(range(len(pe))) - {j for _, j in pairs}],
        }
        report.details.append(detail)
    return report


def _expand_blocs(parties: set[str]) -> set[str]:
    """A grouping with fixed membership as a party is its members ("the Quad" = AUS, IND, JPN, USA)."""
    vocab = load_vocabulary()
    out = set()
    for p in parties:
        entry = vocab.partners.get(p)
        out |= set(entry.members) if entry is not None and entry.members else {p}
    return out


def _add(score: Score, tp: int, fp: int, fn: int) -> None:
    score.tp += tp
    score.fp += fp
    score.fn += fn
