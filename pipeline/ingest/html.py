"""A web page's article: its main text without the page's chrome, and what the page says about it.

trafilatura finds the article among navigation, cookie banners, advertisements, related links and
footers, and reads the title, authors, canonical address, site name and publication date from the
page's metadata, its JSON-LD and (htmldate) its markup.
"""

from __future__ import annotations

import re

import trafilatura
from trafilatura.settings import set_date_params

from pipeline.ingest.records import Citation, clean_str, host_of, normalize_url, parse_date

_HTML_MARKERS = re.compile(r"<!doctype html|<html[\s>]|<body[\s>]|<p[\s>]|<div[\s>]", re.IGNORECASE)
_LANG_RE = re.compile(r"<html\b[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2})(?:[-_][A-Za-z]+)?\b", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return _HTML_MARKERS.search(text, 0, 2000) is not None


def page_article(page: str, url: str | None = None) -> tuple[str | None, Citation]:
    """The article text of `page` (None when the page holds none) and its citation.

    `url` is where the page was found; the page's canonical address, when it states one, is preferred."""
    found = trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        # Precision over recall: a page with no article (a gallery, an index) must give no text rather than its chrome.
        favor_precision=True,
        # Only a date the page states about itself (its metadata, JSON-LD, <time>), never one guessed
        # from a year somewhere in the text: a wrong date would move every relative date in the article.
        date_extraction_params=set_date_params(extensive=False),
    )
    lang = _LANG_RE.search(page, 0, 5000)
    if found is None:
        return None, Citation(url=normalize_url(url), language=lang.group(1).lower() if lang else None)
    meta = found.as_dict()
    address = normalize_url(meta.get("url")) or normalize_url(url)
    citation = Citation(
        url=address,
        title=clean_str(meta.get("title")),
        outlet=clean_str(meta.get("sitename")) or host_of(address),
        authors=clean_str(meta.get("author")),
        published=parse_date(meta.get("date")),
        language=lang.group(1).lower() if lang else None,
    )
    return _without_headline(meta.get("text") or "", citation.title) or None, citation


def _without_headline(text: str, title: str | None) -> str:
    """The article text without the headline trafilatura puts first: the headline is the `title`, and
    as a first line without a full stop it would run into the first sentence."""
    first, _, rest = text.partition("\n")
    if title and rest.strip() and " ".join(first.split()).casefold() == title.casefold():
        return rest
    return text
