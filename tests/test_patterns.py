"""The fast alternation finds exactly what the plain alternation of the same phrases finds."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract.patterns import dispatch_alternation, phrase_pattern
from pipeline.extract.vocab import load_vocabulary

_WORDS = st.sampled_from(["deal", "deals", "Deal", "mou", "MoUs", "pact", "partnership", "joint venture", "joint",
                          "venture", "7-year", "accord", "and", "the", "signed", "talks", "(JV)", "rare earths"])  # fmt: skip


def _plain(phrases: tuple[str, ...], right: str = r"\b") -> re.Pattern[str]:
    return re.compile(rf"\b(?:{'|'.join(phrases)}){right}", re.IGNORECASE)


@settings(max_examples=200, deadline=None)
@given(
    phrases=st.lists(
        st.sampled_from(
            [
                "deals?",
                "mous?",
                "pact",
                "partnerships?",
                "joint venture",
                "joint",
                "accords?",
                "7-year",
                "talks",
                "rare earths?",
                "venture",
            ]
        ),
        min_size=1,
        max_size=8,
        unique=True,
    ),  # fmt: skip
    words=st.lists(_WORDS, max_size=30),
)
def test_dispatch_finds_the_same_matches_as_the_plain_alternation(phrases, words):
    text = " ".join(words)
    fast = [(m.start(), m.end()) for m in phrase_pattern(tuple(phrases)).finditer(text)]
    assert fast == [(m.start(), m.end()) for m in _plain(tuple(phrases)).finditer(text)]


def test_the_instrument_cues_of_the_vocabulary_match_as_before_on_the_development_articles():
    from pathlib import Path

    cues = load_vocabulary().cues["instruments"]
    named = [(f"k{n}_{m}", p) for n, (_, ps) in enumerate(cues.items()) for m, p in enumerate(ps)]
    named.sort(key=lambda t: -len(t[1]))
    fast = re.compile(rf"\b(?:{dispatch_alternation(named)})(?![\w-])", re.IGNORECASE)
    plain = re.compile(rf"\b(?:{'|'.join(f'(?P<{n}>{p})' for n, p in named)})(?![\w-])", re.IGNORECASE)
    for path in sorted((Path(__file__).parent / "fixtures" / "dev" / "raw").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert [(m.span(), m.lastgroup) for m in fast.finditer(text)] == [(m.span(), m.lastgroup) for m in plain.finditer(text)]


def test_first_characters_are_read_from_the_pattern_and_unknown_when_not_a_few_letters():
    from pipeline.extract.patterns import first_characters

    assert first_characters("(?:run|go) through") == {"r", "g"}
    assert first_characters("a?b") == {"a", "b"}
    assert first_characters(r"\bdeal") == {"d"}
    assert first_characters(r"\w+ deal") is None and first_characters("(?:%|per) cent") is None
    assert first_characters("x?") is None  # may match nothing


def test_a_branch_that_opens_with_a_group_or_holds_an_alternation_still_matches():
    pattern = phrase_pattern(("(?:co-)?operation", "memo|memorandum", "deal"))
    assert [m.group(0) for m in pattern.finditer("co-operation and a memorandum, then the deal")] == [
        "co-operation", "memorandum", "deal"]  # fmt: skip
