"""Honest figures: `python -m pipeline evaluate --cv K`.

The annotated articles are cut into K folds by story (an article and every other article on the
same story share a fold; fixed seed). For each fold, every model is fitted on the other folds only
(regularisation chosen by cross-validation inside them), the fold's articles are extracted with
those models, built into tables and scored against their gold exactly as `evaluate` scores a
warehouse. The folds' counts are summed. Candidate recall - the share of gold items that some
candidate could have produced - bounds what the models can reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.evaluate import Report
from pipeline.extract import gather_candidates
from pipeline.extract.model import model_from_dict
from pipeline.train import FOLDS, fit_all
from pipeline.train.calibrate import calibration_for, extract_and_score
from pipeline.train.corpus import GoldArticle, data_hash, story_folds
from pipeline.train.examples import article_rows
from pipeline.train.labels import GoldView, align_agreements, align_events, person_label

TABLES = ("partners", "minerals", "people", "agreements", "events")


@dataclass
class CandidateRecall:
    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))

    def add(self, table: str, found: int, total: int) -> None:
        self.found[table] += found
        self.total[table] += total

    def recall(self, table: str) -> float:
        return self.found[table] / self.total[table] if self.total[table] else 1.0


def candidate_recall(articles: list[GoldArticle]) -> CandidateRecall:
    """How many gold items some candidate reaches: a partner among the entities, a mineral among the
    mineral names, a person among the names found, an agreement or event aligned to a candidate."""
    out = CandidateRecall()
    for a in articles:
        c = gather_candidates(a.source_file, a.text)
        view = GoldView(c.doc, a.gold)
        gold_partners = [p for p in a.gold["partners"] if (p.get("iso3") or "") != "IND"]
        out.add("partners", sum(1 for p in gold_partners if view.resolve(p.get("name"), p.get("iso3"))), len(gold_partners))
        ids = {m.mineral_id for m in c.minerals}
        out.add("minerals", sum(1 for m in a.gold["minerals"] if m in ids), len(a.gold["minerals"]))
        names = [p.name for p in c.people]
        out.add(
            "people",
            sum(1 for g in a.gold["people"] if any(person_label(n, {"people": [g]}) for n in names)),
            len(a.gold["people"]),
        )
        aligned = {g for g in align_agreements(view, c.instruments) if g is not None}
        out.add("agreements", len(aligned), len(a.gold["agreements"]))
        aligned = {g for g in align_events(view, c.triggers) if g is not None}
        out.add("events", len(aligned), len(a.gold["events"]))
    return out


@dataclass
class CrossValidation:
    report: Report
    recall: CandidateRecall
    folds: int
    articles: int
    stories: int
    data_sha256: str
    per_fold: list[Report] = field(default_factory=list)


def cross_validate(articles: list[GoldArticle], k: int = FOLDS, log=lambda *_: None) -> CrossValidation:
    folds = story_folds(articles, k)
    rows = [article_rows(a) for a in articles]
    total = Report()
    per_fold = []
    for fold in range(k):
        train = [i for i, f in enumerate(folds) if f != fold]
        test = [i for i, f in enumerate(folds) if f == fold]
        if not test:
            continue
        train_articles, train_rows, train_folds = (
            [articles[i] for i in train],
            [rows[i] for i in train],
            [folds[i] for i in train],
        )
        contents = fit_all(train_rows, train_folds, {"fold": fold})
        models = {name: model_from_dict(content) for name, content in contents.items()}
        # The confidence calibration, too, is fitted on the training folds only (by an inner cross-validation).
        _, calibration = calibration_for(train_articles, train_rows, train_folds, fit_all, {"fold": fold})
        held_out = [articles[i] for i in test]
        report = extract_and_score(held_out, models, calibration)
        log(f"fold {fold}: {len(held_out)} articles, F1 " + ", ".join(f"{t} {report.scores[t].f1:.2f}" for t in report.scores))
        per_fold.append(report)
        total.merge(report)
    return CrossValidation(
        total, candidate_recall(articles), k, len(articles), len({a.story for a in articles}), data_hash(articles), per_fold
    )


def format_cv(cv: CrossValidation) -> str:
    lines = [
        f"cross-validated on {cv.articles} articles ({cv.stories} stories), {cv.folds} folds grouped by story; "
        f"each fold scored by models fitted without it (data {cv.data_sha256[:12]})",
        cv.report.format(),
        "candidate recall (gold items some candidate reaches): "
        + ", ".join(f"{t} {cv.recall.recall(t):.3f} ({cv.recall.found[t]}/{cv.recall.total[t]})" for t in TABLES),
    ]
    return "\n".join(lines)
