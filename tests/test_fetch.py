"""`python -m pipeline fetch` against a real HTTP server on 127.0.0.1: news pages with their chrome, an RSS
and an Atom feed, robots.txt, redirects, a slow and a failing address."""

import json

import pytest

from pipeline.cli import main
from pipeline.fetch import USER_AGENT, Politeness, fetch
from pipeline.ingest import read_raw_folder
from pipeline.ingest.frontmatter import split_front_matter
from tests.newsroom import CHROME_PHRASES, OUTLET, SEED_PAGES, Newsroom

QUICK = Politeness(delay=0.0, timeout=0.5, retries=1, backoff=0.05)


@pytest.fixture
def site():
    with Newsroom(slow_seconds=1.5) as newsroom:
        yield newsroom


def _log(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _page_hits(site) -> int:
    return sum(n for path, n in site.hits.items() if path.startswith(("/news/", "/go/")))


def test_a_feed_brings_each_story_in_as_a_cited_text_without_the_pages_chrome(site, tmp_path):
    raw, log = tmp_path / "raw", tmp_path / "fetch_log.jsonl"
    summary = fetch(raw, log, feeds=[f"{site.base}/feeds/latest.rss"], politeness=QUICK)
    assert summary.outcomes["saved"] == 5 and len(summary.files) == 5
    articles, rejections = read_raw_folder(raw)
    assert not rejections
    by_url = {a.url: a for a in articles}
    for page in SEED_PAGES:
        article = by_url[f"{site.base}/news/{page.slug}"]  # the canonical address, also for stories reached by a redirect
        assert (article.title, article.outlet, article.authors) == (page.title, OUTLET, page.author)
        assert article.ingest_format == "front_matter"
        assert str(article.published) == str(page.published) if page.published else article.published is None
        for paragraph in page.body.split("\n"):
            assert paragraph.strip() in article.text
        for phrase in CHROME_PHRASES:
            assert phrase not in article.text, phrase
    saved = [e for e in _log(log) if e["reason"] == "saved"]
    assert {e["file"] for e in saved} == {a.source_file for a in articles}
    assert all(e["status"] == 200 and e["address"] for e in saved)
    citation, _ = split_front_matter((raw / saved[0]["file"]).read_text())
    assert citation.url and citation.outlet == OUTLET


def test_a_second_fetch_downloads_nothing_and_refresh_downloads_again(site, tmp_path):
    raw, log = tmp_path / "raw", tmp_path / "fetch_log.jsonl"
    fetch(raw, log, feeds=[f"{site.base}/feeds/latest.rss"], politeness=QUICK)
    files = sorted(p.name for p in raw.rglob("*.md"))
    pages = _page_hits(site)
    again = fetch(raw, log, feeds=[f"{site.base}/feeds/latest.rss", f"{site.base}/feeds/latest.atom"], politeness=QUICK)
    assert _page_hits(site) == pages and not again.files  # no page asked for again
    assert again.outcomes["not_modified"] == 1  # the RSS feed answered 304 to its ETag
    assert again.outcomes["already_fetched"] == 5  # the Atom feed's five stories, by address
    assert sorted(p.name for p in raw.rglob("*.md")) == files
    refreshed = fetch(raw, log, urls=[f"{site.base}/news/{SEED_PAGES[0].slug}"], politeness=QUICK, refresh=True)
    assert refreshed.outcomes["saved"] == 1 and _page_hits(site) == pages + 1
    assert sorted(p.name for p in raw.rglob("*.md")) == files  # the same file, written again


def test_every_failed_address_is_logged_with_its_reason_and_nothing_is_saved_for_it(site, tmp_path):
    raw, log = tmp_path / "raw", tmp_path / "fetch_log.jsonl"
    b = site.base
    urls = [f"{b}/private/leak", f"{b}/slow", f"{b}/fail", f"{b}/report.pdf", f"{b}/news/gallery", f"{b}/loop/0",
            f"{b}/news/no-such-story", "ftp://127.0.0.1/file"]  # fmt: skip
    summary = fetch(raw, log, feeds=[f"{b}/feeds/broken.rss", f"{b}/feeds/missing.rss"], urls=urls, politeness=QUICK)
    reasons = {e["address"]: (e["reason"], e["status"]) for e in _log(log)}
    assert reasons == {
        f"{b}/feeds/broken.rss": ("feed_unparsable", 200),
        f"{b}/feeds/missing.rss": ("http_error", 404),
        f"{b}/private/leak": ("robots_disallowed", None),
        f"{b}/slow": ("timeout", None),
        f"{b}/fail": ("http_error", 503),
        f"{b}/report.pdf": ("not_html", 200),
        f"{b}/news/gallery": ("no_article_text", 200),
        f"{b}/loop/0": ("too_many_redirects", None),
        f"{b}/news/no-such-story": ("http_error", 404),
        "ftp://127.0.0.1/file": ("connection_error", None),
    }
    assert all(e["detail"] and e["file"] is None for e in _log(log))
    assert not summary.files and not raw.exists()
    assert site.hits["/private/leak"] == 0  # robots.txt is read first, and obeyed
    assert site.hits["/slow"] == site.hits["/fail"] == 2  # a transient failure is tried once more (retries=1)
    assert site.hits["/news/no-such-story"] == 1  # a 404 is not
    assert site.hits["/loop/5"] == 1 and site.hits["/loop/6"] == 0  # five redirects followed, not a sixth


def test_requests_name_the_project_and_one_host_is_asked_at_most_once_per_delay(site, tmp_path):
    polite = Politeness(delay=0.25, timeout=2.0, retries=0)
    fetch(
        tmp_path / "raw", tmp_path / "log.jsonl", urls=[f"{site.base}/news/{p.slug}" for p in SEED_PAGES[:3]], politeness=polite
    )
    assert set(site.agents) == {USER_AGENT} and "critical-minerals-diplomacy" in USER_AGENT
    times = [t for _, t in site.times]
    assert len(times) == 4  # robots.txt, then three pages
    assert all(later - earlier >= 0.24 for earlier, later in zip(times, times[1:], strict=False))


def test_robots_txt_can_shut_the_fetcher_out_of_a_whole_site(tmp_path):
    with Newsroom(robots="User-agent: critical-minerals-diplomacy-fetch\nDisallow: /\n") as site:
        fetch(tmp_path / "raw", tmp_path / "log.jsonl", feeds=[f"{site.base}/feeds/latest.rss"], politeness=QUICK)
        assert set(site.hits) == {"/robots.txt"}
    assert [e["reason"] for e in _log(tmp_path / "log.jsonl")] == ["robots_disallowed"]


def test_the_fetch_command_reads_an_address_list_and_says_where_the_log_is(site, tmp_path, capsys):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# two stories\n{site.base}/news/{SEED_PAGES[1].slug}\n\n{site.base}/go/{SEED_PAGES[2].slug}\n")
    raw, log = tmp_path / "raw", tmp_path / "log.jsonl"
    assert main(["fetch", "--urls", str(urls), "--raw", str(raw), "--log", str(log), "--delay", "0"]) == 0
    assert "2 new file(s)" in capsys.readouterr().out and len(_log(log)) == 2
    assert len(list((raw / "fetched").glob("*.md"))) == 2
    assert main(["fetch", "--raw", str(raw), "--log", str(log), "--feeds", str(tmp_path / "none.yaml")]) == 2


def test_a_robots_txt_behind_a_redirect_is_followed_and_obeyed(tmp_path):
    with Newsroom() as site:
        site.routes["/robots.txt"] = (301, {"Location": "/static/robots.txt"}, b"")
        site.routes["/static/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /news/story-000\n")
        urls = [f"{site.base}/news/{p.slug}" for p in SEED_PAGES[:2]]
        fetch(tmp_path / "raw", tmp_path / "log.jsonl", urls=urls, politeness=QUICK)
        assert site.hits["/static/robots.txt"] == 1 and site.hits["/news/story-000"] == 0
    assert [e["reason"] for e in _log(tmp_path / "log.jsonl")] == ["robots_disallowed", "saved"]
