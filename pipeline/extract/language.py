"""The language of an article, from its function words (see pipeline/vocab/languages.yaml).

Extraction rules and vocabularies are English; an article in another language is published
with its language flagged and yields no entities rather than invented ones.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from pipeline.extract.vocab import load_yaml

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


@cache
def _function_words() -> tuple[float, dict[str, tuple[str, ...]]]:
    """The minimum share, and for each function word the languages it belongs to."""
    data = load_yaml("languages.yaml")
    languages: dict[str, list[str]] = {}
    for lang, words in data["languages"].items():
        for word in dict.fromkeys(words):
            languages.setdefault(word, []).append(lang)
    return float(data["min_share"]), {w: tuple(langs) for w, langs in languages.items()}


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language whose function words are most frequent, or "und"."""
    words = [w.lower() for w in _WORD_RE.findall(text[:20000])]
    if len(words) < 3:
        return "und"
    min_share, languages = _function_words()
    counts: Counter[str] = Counter()
    for w, n in Counter(words).items():
        for lang in languages.get(w, ()):
            counts[lang] += n
    if not counts:
        return "und"
    lang, hits = counts.most_common(1)[0]
    return lang if hits / len(words) >= min_share else "und"
