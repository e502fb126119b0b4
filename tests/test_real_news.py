"""Real news in: the seed articles fetched as web pages build to what their `.txt` files build, and a
thousand-article JSON Lines file and a WARC crawl build into a release whose every fact cites its URL."""

import csv
import io
import json
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.cli import build
from pipeline.defs.ingest import fetched_news
from pipeline.evaluate import load_warehouse
from pipeline.fetch import FETCH_LOG, Politeness, fetch
from pipeline.ingest import raw_folder_state
from pipeline.publish import PARQUET_DIR
from pipeline.release import make_release
from pipeline.resources import WarehousePaths
from tests.newsroom import SEED_PAGES, Newsroom, SeedPage, news_page

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "real"
SYNDICATORS = ["wire.example", "dailyledger.example", "metalsweekly.example", "asiatimes.example", "northpost.example",
               "capitalnews.example"]  # fmt: skip


def _entities(tables: dict[str, pd.DataFrame]) -> dict[str, set]:
    """What a build found, comparable across builds of the same stories from other files.

    Events are compared by what they are - type, name, date, place, participants - not by id: an
    undated event's id is scoped to its article, and an article's id is the hash of its text, which
    a web page lays out differently (its headline is the title, not the first line)."""
    participants = tables["event_participants"].groupby("event_id")["partner_id"].agg(lambda s: tuple(sorted(s)))
    events = tables["events"].assign(participants=lambda e: e["event_id"].map(participants))
    return {
        "partners": set(zip(tables["partners"]["partner_id"], tables["partners"]["name"], strict=True)),
        "minerals": set(tables["minerals"]["mineral_id"]),
        "people": set(zip(tables["people"]["person_id"], tables["people"]["name"], strict=True)),
        "agreements": set(zip(*(tables["agreements"][c] for c in ("agreement_id", "name", "status")), strict=True)),
        "events": {
            tuple(None if pd.isna(v) else str(v) for v in row)
            for row in events[["event_type", "name", "start_date", "location", "country_iso3", "participants"]].itertuples(
                index=False
            )
        },
    }


# Open in issue #16: with the models refitted on 223 real articles (and again on 244), one agreement of a seed
# article that the models barely keep (a wrong "Canada–France cooperation agreement", confidence 0.14, then
# 0.32) is kept when the article's headline is its first line (the .txt) and dropped when the headline is
# the page's title (the web page). Strict: the mark must go when the two builds agree again.
@pytest.mark.xfail(strict=True, reason="a borderline agreement flips with the headline's place (issue #16)")
def test_the_seed_articles_fetched_as_web_pages_through_a_feed_build_to_what_their_txt_files_build(tmp_path, seed_tables):
    raw = tmp_path / "raw"
    with Newsroom() as site:
        summary = fetch(raw, tmp_path / FETCH_LOG, feeds=[f"{site.base}/feeds/latest.rss"], politeness=Politeness(delay=0))
        base = site.base
    assert summary.outcomes["saved"] == 5
    build(raw, tmp_path / "warehouse", quiet=True)
    tables = load_warehouse(tmp_path / "warehouse" / PARQUET_DIR)
    assert _entities(tables) == _entities(seed_tables)
    articles = tables["articles"]
    assert sorted(articles["url"]) == sorted(f"{base}/news/{p.slug}" for p in SEED_PAGES)
    assert set(articles["outlet"]) == {"The Mining Ledger"} and set(articles["ingest_format"]) == {"front_matter"}
    assert sorted(articles["title"]) == sorted(p.title for p in SEED_PAGES)
    assert articles["authors"].notna().all()


def test_the_fetch_asset_fetches_the_listed_feeds_and_leaves_the_build_to_the_sensor(tmp_path):
    feeds = tmp_path / "feeds.yaml"
    raw = tmp_path / "raw"
    raw.mkdir()
    before = raw_folder_state(raw)
    with Newsroom() as site:
        feeds.write_text(f"feeds:\n  - {site.base}/feeds/latest.atom\npoliteness:\n  delay: 0\n")
        paths = WarehousePaths(raw_dir=str(raw), warehouse_dir=str(tmp_path / "warehouse"), feeds_file=str(feeds))
        result = dg.materialize([fetched_news], resources={"paths": paths})
    assert result.success
    assert len(list((raw / "fetched").glob("*.md"))) == 5
    assert raw_folder_state(raw) != before  # what the raw-folder sensor launches a build for
    assert (tmp_path / "warehouse" / FETCH_LOG).is_file() and not (tmp_path / "warehouse" / "current").exists()


def _real_articles() -> list[dict]:
    with open(REAL / "sources.csv", encoding="utf-8") as fh:
        sources = {row["file"]: row for row in csv.DictReader(fh)}
    out = []
    for path in sorted((REAL / "raw").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        source = sources.get(path.name, {})
        out.append({"story": path.stem, "text": text, "title": (source.get("title") or path.stem).split(" (")[0],
                    "published": text[6:16] if text.startswith(" date ") else None})  # fmt: skip
    return out


def _jsonl(n: int) -> str:
    """`n` lines of wire copy: the real articles, each republished by several outlets (each adding its
    own credit line), one line in ten as the outlet's web page, and two lines that are not JSON."""
    real = _real_articles()
    lines = []
    for i in range(n):
        story, host = real[i % len(real)], SYNDICATORS[i // len(real)]
        credit = f"(This story was published from a wire agency feed by {host.split('.')[0].title()}.)"
        url = f"https://{host}/news/{story['story']}"
        fields = {"url": url, "title": story["title"], "published": story["published"], "outlet": host.split(".")[0].title()}
        if i % 10 == 3:
            body = story["text"][17:] if story["published"] else story["text"]
            page = SeedPage(story["story"], "", story["title"], "Staff Reporter", story["published"], f"{body.strip()}\n{credit}")
            fields["html"] = news_page(page, f"https://{host}")
        else:
            fields["text"] = f"{story['text'].rstrip()}\n{credit}\n"
        lines.append(json.dumps(fields))
    lines[100] = lines[100][:40]  # a line cut short
    lines[500] = "<html>not json</html>"
    return "\n".join(lines) + "\n"


def _warc(pages: list[tuple[str, str]]) -> bytes:
    """A crawl of (url, html) pages: each a request and a response record, then a PDF, after a warcinfo record."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "tests"}))
    for url, page in [*pages, ("https://crawl.example/report.pdf", None)]:
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "crawl.example")], is_http_request=True)
        writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request))
        ctype = "application/pdf" if page is None else "text/html; charset=utf-8"
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        payload = b"%PDF-1.4" if page is None else page.encode()
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=headers))
    return out.getvalue()


@pytest.fixture(scope="module")
def news_release(tmp_path_factory):
    raw = tmp_path_factory.mktemp("news-raw")
    (raw / "wire.jsonl").write_text(_jsonl(1000), encoding="utf-8")
    pages = [(f"https://crawl.example/news/{p.slug}", news_page(p, "https://crawl.example")) for p in SEED_PAGES]
    (raw / "crawl.warc.gz").write_bytes(_warc(pages))
    warehouse = tmp_path_factory.mktemp("news-warehouse")
    build(raw, warehouse, quiet=True)
    return load_warehouse(warehouse / PARQUET_DIR), make_release(warehouse)


def test_a_thousand_article_jsonl_file_and_a_warc_crawl_build_with_every_line_and_record_accounted_for(news_release):
    tables, _ = news_release
    articles, rejected = tables["articles"], tables["rejected_articles"]
    from_jsonl = articles[articles["ingest_format"] == "jsonl"]
    from_warc = articles[articles["ingest_format"] == "warc"]
    # The real articles hold one story twice (the same text from two addresses): its copies are duplicates.
    duplicates = rejected[rejected["reason"] == "duplicate_of"]
    assert len(duplicates) <= 6 and duplicates["detail"].str.contains(r"same text as wire\.jsonl#L\d+").all()
    assert len(from_jsonl) + len(duplicates) == 998 and len(from_warc) == 5
    assert set(rejected.loc[rejected["reason"] == "invalid_line", "source_file"]) == {"wire.jsonl#L101", "wire.jsonl#L501"}
    not_responses = rejected[rejected["reason"] == "not_a_response"]
    assert len(not_responses) == 1 + 6  # the warcinfo record and a request for each page and the PDF
    assert set(rejected.loc[rejected["reason"] == "not_html", "source_file"]) == {"crawl.warc.gz#R13"}
    assert len(articles) + len(rejected) == 1000 + 13  # every line and every record
    assert articles["url"].notna().all() and articles["outlet"].notna().all()
    assert articles["source_file"].is_unique
    assert len(tables["agreements"]) > 50 and len(tables["events"]) > 50


def test_every_fact_in_the_release_cites_its_url_and_no_article_text_is_released(news_release):
    tables, release = news_release
    evidence = pd.read_parquet(release / PARQUET_DIR / "evidence.parquet")
    assert len(evidence[evidence["fact_type"] == "agreement_status"]) == len(tables["agreement_statuses"])
    assert set(evidence.loc[evidence["fact_type"] == "event", "fact_id"]) == set(tables["events"]["event_id"])
    assert evidence["url"].notna().all() and evidence["outlet"].notna().all() and evidence["sentence"].notna().all()
    assert evidence["url"].str.match(r"https://[a-z.]+/news/").all()
    with open(release / "csv" / "evidence.csv", encoding="utf-8") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == len(evidence)
    paragraph = max((p for a in _real_articles()[:20] for p in a["text"].split("\n")), key=len)
    for path in release.rglob("*"):
        if path.is_file() and path.suffix in {".csv", ".json", ".md", ".html"}:
            assert paragraph not in path.read_text(errors="ignore"), path
