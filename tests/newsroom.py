"""A news site on 127.0.0.1 for the tests: the seed articles as ordinary news pages, with feeds.

Each page wraps the real article text in the chrome of a news site - a cookie banner, navigation,
advertisements, a newsletter box, related stories, a footer - and describes itself in its
metadata (Open Graph, a canonical link) and JSON-LD, as news sites do. The chrome names
countries and minerals on purpose: if any of it reached an article's text, extraction would
find them. The site also has an RSS and an Atom feed, a robots.txt, redirects, a slow and a
failing address, a PDF and a page with no article.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "fixtures" / "seeds" / "raw"
OUTLET = "The Mining Ledger"
CHROME_PHRASES = (
    "We use cookies",
    "Accept all cookies",
    "Sign up for our newsletter",
    "Australian lithium miners",
    "Chile and Argentina",
    "cobalt prices in the Congo",
    "All rights reserved",
    "Most read",
)


@dataclass(frozen=True)
class SeedPage:
    slug: str
    seed: str  # the seed file's name
    title: str
    author: str
    published: str | None  # ISO date, when the seed states one
    body: str  # the seed's text without its ` date` header (and without its headline, which the page shows as <h1>)


def _seed_pages() -> list[SeedPage]:
    headlines = {  # the headline a news site would give each seed; 001 has its own first line
        "000": "India and Canada agree to deepen cooperation on critical minerals and clean mobility",
        "002": "Cabinet may approve critical minerals cooperation with Germany and Canada",
        "003": "What India's critical minerals partnerships have delivered so far",
        "004": "United States and India near a critical minerals agreement, says Ambassador Gor",
    }
    authors = ["Asha Rao", "Daniel Mensah", "Priya Nair", "Tom Whitfield", "Leena Kapoor"]
    pages = []
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        text = path.read_text(encoding="utf-8")
        published = None
        if text.startswith(" date "):
            published, text = text[6:16], text[17:]
        key = path.name[:3]
        title = headlines.get(key)
        if title is None:
            title, text = text.split("\n", 1)
        pages.append(SeedPage(f"story-{key}", path.name, title, authors[i], published, text.strip()))
    return pages


SEED_PAGES = _seed_pages()


def news_page(page: SeedPage, base: str) -> str:
    """The article as a news site serves it: the text among page chrome, described by its metadata."""
    url = f"{base}/news/{page.slug}"
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": page.title, "mainEntityOfPage": url,
          "author": [{"@type": "Person", "name": page.author}], "publisher": {"@type": "Organization", "name": OUTLET}}  # fmt: skip
    if page.published:
        ld["datePublished"] = ld["dateModified"] = f"{page.published}T09:30:00+05:30"
    paragraphs = "\n".join(f"      <p>{html.escape(p)}</p>" for p in page.body.split("\n") if p.strip())
    published = f'<time datetime="{page.published}T09:30:00+05:30">{page.published}</time>' if page.published else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{html.escape(page.title)} | {OUTLET}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="description" content="{html.escape(page.body[:150])}">
  <meta name="author" content="{page.author}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{html.escape(page.title)}">
  <meta property="og:site_name" content="{OUTLET}">
  <meta property="og:url" content="{url}">
  <link rel="canonical" href="{url}">
  <link rel="stylesheet" href="/static/site.css">
  <script type="application/ld+json">{json.dumps(ld)}</script>
  <script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}} gtag('js', 'Japan');</script>
</head>
<body>
  <div id="cookie-banner" class="cookie-consent" role="dialog">
    <p>We use cookies to improve your experience and to show you advertising about Brazil and nickel.
    <button>Accept all cookies</button> <button>Manage preferences</button></p>
  </div>
  <header class="site-header">
    <a class="logo" href="/">{OUTLET}</a>
    <nav class="main-nav"><ul>
      <li><a href="/">Home</a></li><li><a href="/section/markets">Markets</a></li>
      <li><a href="/section/world">World</a></li><li><a href="/section/australia">Australia</a></li>
      <li><a href="/section/lithium">Lithium</a></li><li><a href="/section/opinion">Opinion</a></li>
    </ul></nav>
  </header>
  <div class="ad ad-leaderboard">Advertisement - Invest in Australian lithium miners today with Southern Cross Capital</div>
  <main>
    <article class="story">
      <h1>{html.escape(page.title)}</h1>
      <p class="byline">By <a rel="author" href="/authors/{page.slug}">{page.author}</a> {published}</p>
{paragraphs}
    </article>
    <aside class="newsletter"><h3>Sign up for our newsletter</h3><p>The week in Japan, Korea and rare earths, every Friday.</p>
      <form><input type="email" placeholder="Email"><button>Subscribe</button></form></aside>
    <aside class="related"><h3>Related stories</h3><ul>
      <li><a href="/news/chile-argentina">Chile and Argentina sign a lithium memorandum of understanding</a></li>
      <li><a href="/news/congo-cobalt">What cobalt prices in the Congo mean for battery makers</a></li>
      <li><a href="/news/indonesia-nickel">Indonesia and Japan discuss a nickel export deal</a></li>
    </ul></aside>
    <aside class="most-read"><h3>Most read</h3><ol><li><a href="/news/peru">Peru approves copper mine expansion</a></li></ol></aside>
  </main>
  <div class="ad ad-footer">Sponsored: gold bullion from Zurich, delivered insured</div>
  <footer class="site-footer"><p>&copy; {OUTLET}. All rights reserved.</p>
    <ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy policy</a></li><li><a href="/contact">Contact</a></li></ul>
  </footer>
</body>
</html>
"""


def rss_feed(base: str, items: list[tuple[str, str, str | None]]) -> str:
    """An RSS 2.0 feed of (title, link, ISO date or None)."""
    entries = "".join(
        f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link><guid>{html.escape(link)}</guid>"
        + (f"<pubDate>{_rfc2822(date)}</pubDate>" if date else "")
        + "</item>"
        for title, link, date in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{OUTLET}</title><link>{base}/</link><description>Critical minerals news</description>{entries}</channel></rss>"
    )


def atom_feed(base: str, items: list[tuple[str, str, str | None]]) -> str:
    entries = "".join(
        f'<entry><title>{html.escape(title)}</title><link href="{html.escape(link)}"/><id>{html.escape(link)}</id>'
        f"<updated>{date or '2026-03-20'}T00:00:00Z</updated></entry>"
        for title, link, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{OUTLET}</title><id>{base}/</id><updated>2026-03-20T00:00:00Z</updated>{entries}</feed>"
    )


def _rfc2822(date: str) -> str:
    import datetime as dt

    return format_datetime(dt.datetime.fromisoformat(date).replace(hour=4, tzinfo=dt.UTC))


class Newsroom:
    """The site, served from a thread on an ephemeral port of 127.0.0.1; `hits` counts requests per path."""

    def __init__(self, robots: str = "User-agent: *\nDisallow: /private/\n", slow_seconds: float = 2.0) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.hits: Counter = Counter()
        self.agents: list[str] = []
        self.times: list[tuple[str, float]] = []
        self.slow_seconds = slow_seconds
        self.robots = robots
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._populate()

    def _populate(self) -> None:
        b = self.base
        html_type = {"Content-Type": "text/html; charset=utf-8"}
        for page in SEED_PAGES:
            self.routes[f"/news/{page.slug}"] = (200, html_type, news_page(page, b).encode())
        self.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, self.robots.encode())
        items = [(p.title, f"{b}/news/{p.slug}", p.published) for p in SEED_PAGES]
        # The RSS feed links two stories through a redirect, as tracking links do.
        rss_items = [(t, link.replace("/news/", "/go/") if i % 2 else link, d) for i, (t, link, d) in enumerate(items)]
        self.routes["/feeds/latest.rss"] = (
            200,
            {"Content-Type": "application/rss+xml", "ETag": '"v1"'},
            rss_feed(b, rss_items).encode(),
        )
        self.routes["/feeds/latest.atom"] = (200, {"Content-Type": "application/atom+xml"}, atom_feed(b, items).encode())
        for page in SEED_PAGES:
            self.routes[f"/go/{page.slug}"] = (301, {"Location": f"/news/{page.slug}"}, b"")
        for i in range(7):  # a redirect loop longer than five hops
            self.routes[f"/loop/{i}"] = (302, {"Location": f"/loop/{i + 1}"}, b"")
        self.routes["/slow"] = (200, html_type, news_page(SEED_PAGES[1], b).encode())  # answered after slow_seconds
        self.routes["/private/leak"] = (200, html_type, news_page(SEED_PAGES[0], b).encode())
        self.routes["/report.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 binary report")
        chrome_only = news_page(SEED_PAGES[0], b).split("<article")[0] + "</main></body></html>"
        self.routes["/news/gallery"] = (200, html_type, chrome_only.encode())
        self.routes["/feeds/broken.rss"] = (200, {"Content-Type": "text/html"}, b"<html><body>Oops, our feed moved</body></html>")

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as news sites answer: a connection left half-read must not be reused

            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                path = self.path.split("?")[0]
                site.hits[path] += 1
                site.agents.append(self.headers.get("User-Agent", ""))
                site.times.append((path, time.monotonic()))
                if path == "/slow":
                    time.sleep(site.slow_seconds)
                if path == "/fail":
                    self._send(503, {"Content-Type": "text/plain"}, b"Service unavailable")
                    return
                status, headers, body = site.routes.get(path, (404, {"Content-Type": "text/plain"}, b"not found"))
                if headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                    status, body = 304, b""
                self._send(status, headers, body)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out): nothing to answer

            def log_message(self, *args) -> None:
                pass

        return Handler

    def __enter__(self) -> Newsroom:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
