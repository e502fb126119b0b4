"""`python -m pipeline fetch`: news from feeds and address lists, downloaded into the raw folder.

Each article is saved as a front-matter text (its address, title, outlet, authors and date above
the article text that trafilatura found in the page), which the next build reads like any other
article. Fetching is polite: robots.txt is obeyed, one host is asked at most once per `delay`
seconds, the User-Agent names the project, and an address is never downloaded twice unless
`refresh` is set. Every attempt - saved, skipped or failed, and why - is appended to the fetch
log (JSON Lines), so nothing is lost silently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import urllib3
import yaml
from protego import Protego

from pipeline.ingest.files import MAX_BYTES, decode_bytes
from pipeline.ingest.frontmatter import with_front_matter
from pipeline.ingest.html import page_article
from pipeline.ingest.records import Citation, clean_str, normalize_url

USER_AGENT = "critical-minerals-diplomacy-fetch/0.1 (an open dataset of critical-minerals diplomacy; python -m pipeline fetch)"
ROBOTS_AGENT = "critical-minerals-diplomacy-fetch"  # the token robots.txt rules name
FETCHED_DIR = "fetched"  # inside the raw folder
FETCH_LOG = "fetch_log.jsonl"  # inside the warehouse
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("xml", "rss", "atom", "text/plain", "text/html")
TRANSIENT = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Politeness:
    """How `fetch` treats the sites it reads (see README, *Fetching news*)."""

    delay: float = 1.0  # seconds between two requests to one host (longer when robots.txt asks for a crawl delay)
    timeout: float = 20.0  # seconds to connect, and between bytes received
    retries: int = 3  # further attempts after a time-out, a lost connection, 429 or 5xx
    backoff: float = 2.0  # seconds before the first retry, doubled each time (or the server's Retry-After)
    max_bytes: int = MAX_BYTES  # a page larger than this is not read
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass
class Response:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Failure:
    reason: str  # http_error, timeout, connection_error, robots_disallowed, too_large, too_many_redirects
    detail: str
    status: int | None = None


@dataclass
class FetchSummary:
    outcomes: Counter = field(default_factory=Counter)  # reason -> attempts
    files: list[str] = field(default_factory=list)  # written this time, relative to the raw folder

    def line(self) -> str:
        return ", ".join(f"{reason}: {n}" for reason, n in sorted(self.outcomes.items())) or "nothing to fetch"


def load_feeds(path: Path) -> tuple[list[str], Politeness]:
    """The feed addresses listed in a YAML file (`feeds: [url, ...]`) and its `politeness` settings
    (`delay`, `timeout`, `retries`, `max_bytes`); no feeds when the file is absent."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) if Path(path).is_file() else None
    data = data if isinstance(data, dict) else {}
    feeds = [str(f).strip() for f in data.get("feeds") or [] if str(f).strip()]
    settings = data.get("politeness") or {}
    known = {k: settings[k] for k in ("delay", "timeout", "retries", "backoff", "max_bytes") if k in settings}
    return feeds, Politeness(**known)


def read_url_list(path: Path) -> list[str]:
    """One address a line; blank lines and lines starting with # are skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class Fetcher:
    """Downloads feeds and pages into `raw_dir`, logging every attempt to `log_path`."""

    def __init__(self, raw_dir: Path, log_path: Path, politeness: Politeness = Politeness(), refresh: bool = False) -> None:
        self.raw = Path(raw_dir)
        self.log_path = Path(log_path)
        self.polite = politeness
        self.refresh = refresh
        self.http = urllib3.PoolManager(retries=False)
        self.robots: dict[str, Protego | None] = {}
        self.last_request: dict[str, float] = {}
        self.summary = FetchSummary()
        self.saved: dict[str, str] = {}  # address -> file, from the log: never downloaded twice
        self.feed_tags: dict[str, dict[str, str]] = {}  # feed -> its last ETag / Last-Modified
        for entry in self._read_log():
            if entry.get("reason") == "saved" and entry.get("file"):
                for address in (entry.get("address"), entry.get("final_address"), entry.get("canonical")):
                    if address:
                        self.saved[address] = entry["file"]
            if entry.get("kind") == "feed" and entry.get("validators"):
                self.feed_tags[entry["address"]] = entry["validators"]

    # ------------------------------------------------------------------ the log

    def _read_log(self) -> list[dict]:
        if not self.log_path.is_file():
            return []
        entries = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a killed run: the attempt it recorded is made again
        return entries

    def _log(self, kind: str, address: str, reason: str, status: int | None = None, detail: str = "", **extra) -> None:
        entry = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "kind": kind, "address": address,
                 "status": status, "reason": reason, "detail": detail, "file": extra.pop("file", None), **extra}  # fmt: skip
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.summary.outcomes[reason] += 1

    # ------------------------------------------------------------------ HTTP, politely

    def _wait_for(self, host: str, delay: float) -> None:
        wait = self.last_request.get(host, -1e9) + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last_request[host] = time.monotonic()

    def _request(self, url: str, headers: dict[str, str] | None = None, html_only: bool = False) -> Response | Failure:
        """One address, retried while the failure is transient; redirects are not followed here."""
        host = urlsplit(url).netloc
        attempt = 0
        while True:
            robots = self.robots.get(host)
            delay = max(self.polite.delay, (robots.crawl_delay(ROBOTS_AGENT) or 0) if robots else 0)
            self._wait_for(host, delay)
            result = self._request_once(url, headers or {}, html_only)
            status = result.status
            transient = (isinstance(result, Failure) and result.reason in ("timeout", "connection_error")) or status in TRANSIENT
            if not transient or attempt >= self.polite.retries:
                return result
            retry_after = result.headers.get("retry-after", "") if isinstance(result, Response) else ""
            pause = float(retry_after) if retry_after.isdigit() else self.polite.backoff * 2**attempt
            time.sleep(min(pause, 60.0))
            attempt += 1

    def _request_once(self, url: str, headers: dict[str, str], html_only: bool) -> Response | Failure:
        """One GET. The body is read only for a 2xx answer (and, with `html_only`, only when it is a web
        page), at most `max_bytes` of it; a connection left with unread data is closed, not reused."""
        timeout = urllib3.Timeout(connect=self.polite.timeout, read=self.polite.timeout)
        try:
            r = self.http.request("GET", url, headers={"User-Agent": self.polite.user_agent, **headers}, redirect=False,
                                  preload_content=False, timeout=timeout)  # fmt: skip
        except urllib3.exceptions.TimeoutError as exc:
            return Failure("timeout", f"no answer within {self.polite.timeout} s ({type(exc).__name__})")
        except urllib3.exceptions.HTTPError as exc:
            return Failure("connection_error", " ".join(str(exc).split())[:300])
        complete = False
        try:
            head = {k.lower(): v for k, v in r.headers.items()}
            content_type = head.get("content-type", "").split(";")[0].strip().lower()
            length = head.get("content-length", "")
            if length.isdigit() and int(length) > self.polite.max_bytes:
                return Failure("too_large", f"{length} bytes; the limit is {self.polite.max_bytes}", r.status)
            body = b""
            if 200 <= r.status < 300 and not (html_only and content_type and content_type not in HTML_TYPES):
                for chunk in r.stream(64 * 1024):
                    body += chunk
                    if len(body) > self.polite.max_bytes:
                        return Failure("too_large", f"more than {self.polite.max_bytes} bytes", r.status)
                complete = True
            return Response(url, r.status, content_type, body, head)
        except urllib3.exceptions.TimeoutError:
            return Failure("timeout", f"the answer stalled for more than {self.polite.timeout} s")
        except urllib3.exceptions.HTTPError as exc:
            return Failure("connection_error", " ".join(str(exc).split())[:300])
        finally:
            if complete:
                r.release_conn()
            else:
                r.close()

    def _allowed(self, url: str) -> bool:
        """What the site's robots.txt says of `url` (read once per site and run). A robots.txt that
        cannot be read for a server error or a lost connection forbids everything (RFC 9309); a
        missing one (4xx, or redirects past five hops) allows everything."""
        parts = urlsplit(url)
        if parts.netloc not in self.robots:
            address = f"{parts.scheme}://{parts.netloc}/robots.txt"
            for _ in range(self.polite.max_redirects + 1):  # a robots.txt may redirect, too (RFC 9309: five hops)
                answer = self._request(address)
                if not (
                    isinstance(answer, Response) and answer.status in (301, 302, 303, 307, 308) and "location" in answer.headers
                ):
                    break
                address = urljoin(address, answer.headers["location"])
            if isinstance(answer, Response) and 200 <= answer.status < 300:
                self.robots[parts.netloc] = Protego.parse(decode_bytes(answer.body) or "")
            elif isinstance(answer, Response) and 300 <= answer.status < 500:
                self.robots[parts.netloc] = None  # no rules
            else:
                self.robots[parts.netloc] = Protego.parse("User-agent: *\nDisallow: /")
        robots = self.robots[parts.netloc]
        return robots is None or robots.can_fetch(url, ROBOTS_AGENT)

    def get(self, url: str, headers: dict[str, str] | None = None, html_only: bool = False) -> Response | Failure:
        """`url`, following at most `max_redirects` redirects, each target checked against its robots.txt."""
        for _ in range(self.polite.max_redirects + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                return Failure("connection_error", f"not a web address: {url}")
            if not self._allowed(url):
                return Failure("robots_disallowed", f"the site's robots.txt does not allow {ROBOTS_AGENT} to read {url}")
            answer = self._request(url, headers, html_only)
            if isinstance(answer, Failure) or answer.status not in (301, 302, 303, 307, 308):
                return answer
            location = answer.headers.get("location")
            if not location:
                return Failure("http_error", f"HTTP {answer.status} without a Location", answer.status)
            url = urljoin(url, location)
        return Failure("too_many_redirects", f"more than {self.polite.max_redirects} redirects (the last to {url})")

    # ------------------------------------------------------------------ feeds and articles

    def fetch_feed(self, feed_url: str) -> None:
        """Every article a feed (RSS or Atom) links to."""
        tags = self.feed_tags.get(feed_url, {})
        conditional = {
            k: v for k, v in (("If-None-Match", tags.get("etag")), ("If-Modified-Since", tags.get("last-modified"))) if v
        }
        answer = self.get(feed_url, conditional)
        if isinstance(answer, Failure):
            return self._log("feed", feed_url, answer.reason, answer.status, answer.detail)
        if answer.status == 304:
            return self._log("feed", feed_url, "not_modified", 304, "the feed has not changed since the last fetch")
        if not 200 <= answer.status < 300:
            return self._log("feed", feed_url, "http_error", answer.status, f"HTTP {answer.status}")
        parsed = feedparser.parse(answer.body)
        if not parsed.entries and (parsed.bozo or not parsed.get("version")):
            detail = f"not an RSS or Atom feed ({answer.content_type or 'no content type'}): {parsed.get('bozo_exception', '')}"
            return self._log("feed", feed_url, "feed_unparsable", answer.status, " ".join(detail.split())[:300])
        validators = {k: answer.headers[k] for k in ("etag", "last-modified") if k in answer.headers}
        self._log("feed", feed_url, "feed_read", answer.status, f"{len(parsed.entries)} entries", validators=validators)
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                self._log("feed", feed_url, "entry_without_link", None, clean_str(entry.get("title")) or "an entry with no title")
                continue
            published = entry.get("published_parsed") or entry.get("updated_parsed")
            authors = [a.get("name") for a in entry.get("authors", []) if a.get("name")]
            hint = Citation(
                title=clean_str(entry.get("title")),
                authors=clean_str(authors),
                published=dt.date(*published[:3]) if published else None,
                outlet=clean_str(parsed.feed.get("title")),
            )
            self.fetch_article(urljoin(feed_url, link), hint)

    def fetch_article(self, url: str, hint: Citation | None = None) -> None:
        """One page's article, saved as a front-matter text; `hint` (from a feed) fills what the page does not say."""
        address = normalize_url(url)
        if address is None:
            return self._log("article", url, "connection_error", None, "not an http(s) address")
        if address in self.saved and not self.refresh:
            return self._log("article", address, "already_fetched", None, "fetched before (--refresh fetches it again)",
                             file=self.saved[address])  # fmt: skip
        answer = self.get(address, html_only=True)
        if isinstance(answer, Failure):
            return self._log("article", address, answer.reason, answer.status, answer.detail)
        if not 200 <= answer.status < 300:
            return self._log("article", address, "http_error", answer.status, f"HTTP {answer.status}")
        if answer.content_type and answer.content_type not in HTML_TYPES:
            return self._log("article", address, "not_html", answer.status, f"{answer.content_type}, not a web page")
        page = decode_bytes(answer.body)
        body, found = page_article(page, answer.url) if page is not None else (None, Citation())
        if body is None:
            return self._log("article", address, "no_article_text", answer.status, "the page holds no article text")
        citation = found.over(hint or Citation())
        name = (
            f"{FETCHED_DIR}/{urlsplit(address).netloc.replace(':', '_')}-{hashlib.sha256(address.encode()).hexdigest()[:16]}.md"
        )
        extra = {"fetched": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "fetched_from": address}
        _write_atomically(self.raw / name, with_front_matter(citation, body, extra))
        self.saved[address] = name
        self.summary.files.append(name)
        self._log("article", address, "saved", answer.status, f"{len(body.split())} words", file=name,
                  final_address=normalize_url(answer.url), canonical=citation.url)  # fmt: skip


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def fetch(raw_dir: Path, log_path: Path, feeds: list[str] = (), urls: list[str] = (), politeness: Politeness = Politeness(),
          refresh: bool = False) -> FetchSummary:  # fmt: skip
    """Every article of `feeds` and every page of `urls`, into `raw_dir/fetched/`."""
    fetcher = Fetcher(raw_dir, log_path, politeness, refresh)
    for feed in feeds:
        fetcher.fetch_feed(feed)
    for url in urls:
        fetcher.fetch_article(url)
    return fetcher.summary
