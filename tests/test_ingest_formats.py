"""The inputs people have - saved web pages, front-matter texts, JSON Lines, WARC crawls - become cited
articles, and whatever in them is not an article says why."""

import datetime as dt
import io
import json

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.ingest import read_raw_folder
from tests.newsroom import CHROME_PHRASES, OUTLET, SEED_PAGES, news_page

BASE = "https://www.miningledger.example"
PAGE_000, PAGE_002 = SEED_PAGES[0], SEED_PAGES[2]


def _read(folder):
    articles, rejections = read_raw_folder(folder)
    return {a.source_file: a for a in articles}, {r.source_file: r for r in rejections}


def test_a_pages_cookie_banner_navigation_ads_and_related_links_never_reach_the_article_text(tmp_path):
    (tmp_path / "story.html").write_text(news_page(PAGE_002, BASE), encoding="utf-8")
    articles, rejections = _read(tmp_path)
    text = articles["story.html"].text
    assert not rejections
    for paragraph in PAGE_002.body.split("\n"):
        assert paragraph.strip() in text
    for phrase in CHROME_PHRASES:
        assert phrase not in text, phrase


def test_a_saved_page_is_cited_by_its_metadata_and_json_ld(tmp_path):
    (tmp_path / "story.htm").write_text(news_page(PAGE_002, BASE), encoding="utf-8")
    article = _read(tmp_path)[0]["story.htm"]
    assert article.title == PAGE_002.title and not article.text.startswith(PAGE_002.title)
    assert article.url == f"{BASE}/news/{PAGE_002.slug}"
    assert (article.outlet, article.authors, article.language) == (OUTLET, PAGE_002.author, "en")
    assert article.published == dt.date.fromisoformat(PAGE_002.published)
    assert article.text.startswith(f" date {PAGE_002.published} ")  # extraction reads the date as it does in .txt files
    assert article.ingest_format == "html"


def test_a_page_that_states_no_date_gets_none_rather_than_a_guess(tmp_path):
    (tmp_path / "story.html").write_text(news_page(PAGE_000, BASE), encoding="utf-8")
    article = _read(tmp_path)[0]["story.html"]
    assert article.published is None and article.text.startswith(PAGE_000.body.split("\n")[0])


def test_a_front_matter_header_cites_a_text_file_and_is_not_part_of_its_text(tmp_path):
    (tmp_path / "cited.md").write_text(
        "---\nurl: https://news.example/india-chile#top\ntitle: India and Chile sign lithium pact\noutlet: Example News\n"
        "authors: [A. Writer, B. Writer]\npublished: 2026-02-24\nlanguage: en\n---\n"
        "India and Chile signed a memorandum on lithium exploration in Santiago on Friday.\n",
        encoding="utf-8",
    )
    article = _read(tmp_path)[0]["cited.md"]
    assert article.url == "https://news.example/india-chile"  # the fragment is not part of the address
    assert (article.title, article.outlet, article.authors) == (
        "India and Chile sign lithium pact",
        "Example News",
        "A. Writer; B. Writer",
    )
    assert article.published == dt.date(2026, 2, 24) and article.ingest_format == "front_matter"
    assert article.text == " date 2026-02-24 India and Chile signed a memorandum on lithium exploration in Santiago on Friday."


def test_the_date_first_line_of_plain_text_keeps_working_and_gives_no_url(tmp_path):
    text = " date 2026-03-13 The United States and India are nearing a critical minerals agreement."
    (tmp_path / "plain.txt").write_text(text, encoding="utf-8")
    article = _read(tmp_path)[0]["plain.txt"]
    assert article.text == text and article.ingest_format == "txt"
    assert article.url is None and article.outlet is None and article.title is None


def test_a_header_that_is_not_yaml_is_rejected_with_the_reason(tmp_path):
    (tmp_path / "bad.md").write_text("---\ntitle: [unclosed\n---\nIndia and Chile signed a lithium pact.\n", encoding="utf-8")
    assert _read(tmp_path)[1]["bad.md"].reason == "invalid_front_matter"


def _line(i: int, **fields) -> str:
    return json.dumps({"url": f"{BASE}/wire/{i}", "title": f"Wire story {i}", "published": "2026-03-01", **fields})


def test_each_jsonl_line_is_an_article_and_a_bad_line_does_not_spoil_the_rest(tmp_path):
    lines = [
        _line(1, text="India and Australia agreed on Monday to expand cooperation on lithium and cobalt supply chains."),
        "{not json at all",
        "",
        json.dumps(["a", "list"]),
        _line(5, html=news_page(PAGE_002, BASE)),
        _line(6),
        _line(7, text="Japan and Australia signed a memorandum on gallium and germanium in Tokyo on Friday.", outlet="Wire"),
        _line(8, text="Japan and Australia signed a memorandum on gallium and germanium in Tokyo on Friday."),
        json.dumps({"url": f"{BASE}/wire/1", "text": "The same address again, with other words about nickel in Indonesia."}),
    ]
    (tmp_path / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, rejections = _read(tmp_path)
    assert sorted(articles) == ["wire.jsonl#L1", "wire.jsonl#L5", "wire.jsonl#L7"]
    assert {k: r.reason for k, r in rejections.items()} == {
        "wire.jsonl#L2": "invalid_line",
        "wire.jsonl#L4": "invalid_line",
        "wire.jsonl#L6": "invalid_line",
        "wire.jsonl#L8": "duplicate_of",
        "wire.jsonl#L9": "duplicate_url",
    }
    assert articles["wire.jsonl#L1"].outlet == "www.miningledger.example"  # the host when the line names no outlet
    assert articles["wire.jsonl#L7"].outlet == "Wire" and articles["wire.jsonl#L7"].ingest_format == "jsonl"
    from_html = articles["wire.jsonl#L5"]
    assert from_html.title == "Wire story 5" and from_html.authors == PAGE_002.author  # the line's fields, then the page's
    assert "We use cookies" not in from_html.text and PAGE_002.body.split("\n")[0] in from_html.text
    assert "wire.jsonl#L9" in rejections and articles["wire.jsonl#L1"].article_id in rejections["wire.jsonl#L9"].detail


def _warc(records: list[tuple[str, str, int, str, bytes]], compress: bool) -> bytes:
    """A WARC file of (type, url, status, content type, payload) records, after a warcinfo record."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "tests"}))
    for kind, url, status, ctype, payload in records:
        if kind == "response":
            headers = StatusAndHeaders(f"{status} OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=headers))
        else:
            headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=headers))
    return out.getvalue()


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_each_html_response_of_a_warc_is_an_article_and_every_other_record_says_why(tmp_path, name):
    page = news_page(PAGE_002, BASE).encode()
    records = [
        ("request", f"{BASE}/news/{PAGE_002.slug}", 0, "", b""),
        ("response", f"{BASE}/news/{PAGE_002.slug}", 200, "text/html; charset=utf-8", page),
        ("response", f"{BASE}/logo.png", 200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(100)),
        ("response", f"{BASE}/gone", 404, "text/html", b"<html><body>Not found</body></html>"),
        ("response", f"{BASE}/gallery", 200, "text/html", page.split(b"<article")[0] + b"</main></body></html>"),
    ]
    (tmp_path / name).write_bytes(_warc(records, compress=name.endswith(".gz")))
    articles, rejections = _read(tmp_path)
    assert list(articles) == [f"{name}#R3"]
    article = articles[f"{name}#R3"]
    assert article.url == f"{BASE}/news/{PAGE_002.slug}" and article.outlet == OUTLET and article.ingest_format == "warc"
    assert {k: r.reason for k, r in rejections.items()} == {
        f"{name}#R1": "not_a_response",  # warcinfo
        f"{name}#R2": "not_a_response",  # the request
        f"{name}#R4": "not_html",
        f"{name}#R5": "http_error",
        f"{name}#R6": "no_text_after_cleanup",
    }


def test_a_damaged_warc_keeps_the_records_before_the_damage_and_says_where_it_broke(tmp_path):
    whole = _warc([("response", f"{BASE}/news/a", 200, "text/html", news_page(PAGE_002, BASE).encode())], compress=True)
    (tmp_path / "cut.warc.gz").write_bytes(whole + b"bytes of a download that broke off, not a record")
    articles, rejections = _read(tmp_path)
    assert list(articles) == ["cut.warc.gz#R2"]
    assert rejections["cut.warc.gz#R3"].reason == "invalid_archive"
