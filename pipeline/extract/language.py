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
def _function_words() -> tuple[float, dict[str, frozenset[str]]]:
    data = load_yaml("languages.yaml")
    return float(data["min_share"]), {lang: frozenset(words) for lang, words in data["languages"].items()}


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language whose function words are most frequent, or "und"."""
    words = [w.lower() for w in _WORD_RE.findall(text[:20000])]
    if len(words) < 3:
        return "und"
    min_share, languages = _function_words()
    counts: Counter[str] = Counter()
    for w in words:
        for lang, vocabulary in languages.items():
            if w in vocabulary:
                counts[lang] += 1
    if not counts:
        return "und"
    lang, hits = counts.most_common(1)[0]
    return lang if hits / len(words) >= min_share else "und"
