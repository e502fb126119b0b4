"""Text articles with a front-matter header: a YAML block between `---` lines before the text.

    ---
    url: https://example.org/news/india-chile-lithium
    title: India and Chile sign lithium pact
    outlet: Example News
    authors: [A. Writer, B. Writer]
    published: 2026-02-24
    language: en
    ---
    The article's text ...

It is how `python -m pipeline fetch` writes what it downloads, and how a person can cite a `.txt`.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from pipeline.ingest.records import Citation, clean_str, host_of, normalize_url, parse_date

FIELDS = ("url", "title", "outlet", "authors", "published", "language")
_BLOCK_RE = re.compile(r"\A\ufeff?---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


class FrontMatterError(ValueError):
    """The header is there but is not YAML."""


def split_front_matter(text: str) -> tuple[Citation | None, str]:
    """The header's citation and the text after it; (None, text) when the text has no header.

    A block between `---` lines that is YAML but not a mapping (a Markdown rule, say) is text."""
    m = _BLOCK_RE.match(text.replace("\r\n", "\n"))
    if m is None:
        return None, text
    try:
        fields = yaml.safe_load(m.group(1) or "")
    except yaml.YAMLError as exc:
        raise FrontMatterError(" ".join(str(exc).split())) from exc
    if not isinstance(fields, dict):
        return None, text
    url = normalize_url(clean_str(fields.get("url")))
    language = clean_str(fields.get("language"))
    citation = Citation(
        url=url,
        title=clean_str(fields.get("title")),
        outlet=clean_str(fields.get("outlet")) or host_of(url),
        authors=clean_str(fields.get("authors")),
        published=parse_date(fields.get("published")),
        language=language.lower()[:2] if language else None,
    )
    return citation, text.replace("\r\n", "\n")[m.end() :]


def with_front_matter(citation: Citation, body: str, extra: dict[str, str] | None = None) -> str:
    """`body` under a header holding `citation` (and `extra` fields, e.g. when it was fetched)."""
    fields: dict[str, object] = {}
    for name in FIELDS:
        value = getattr(citation, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        if value:
            fields[name] = value
    fields.update(extra or {})
    header = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{header}---\n{body.strip()}\n"
