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


def test_required_literals_are_what_every_match_holds():
    from pipeline.extract.literal_gates import required_literals

    assert required_literals("signed") == {"signed"}
    assert required_literals(r"(?:took|Acquired)\s+\d+%") == {"took", "acquired"}
    assert required_literals(r"joint [\w-]+ (?:investment )?fund") == {"joint "}
    assert required_literals(r"finali[sz]ed") == {"finali"}
    assert required_literals(r"\w+ ago") == {" ago"}
    assert required_literals(r"\w+") is None and required_literals("a?") is None and required_literals("(?=deal)") is None


def test_fold_refuses_letters_that_fold_irregularly():
    from pipeline.extract.literal_gates import fold

    assert fold("Signed in Zürich") == "signed in zürich"
    assert fold("ſigned") is None and fold("SIGNED IN İZMİR") is None and fold("sıgned") is None


def _cue_lists() -> list:
    cues = load_vocabulary().cues
    return [*cues["instruments"].values(), *cues["value_chain"].values(), *cues["topics"].values(), *cues["events"].values()]


def _rule_patterns() -> list:
    """The gated patterns of every rule of pipeline/rules/."""
    from pipeline.extract.rules import load_rules

    return [rule.pattern for rules in load_rules().values() for rule in rules]


_GATE_WORDS = st.sampled_from(["signed", "SIGNED", "ſigned", "sıgned", "İnked", "inked", "deal", "Deals", "MoU", "talks",
                               "supply", "KIT", "mining", "in", "force", "into", "the", "a", "35%", "stake", "took",
                               "minister", "Prime", "visit", "summit", "over-reliance", "on", "China", "’s", "-", "\n", "dependence", "export",
                               "controls", "with", "under", "the", "existing", "will", "sign"])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(_GATE_WORDS, max_size=25),
    seps=st.sampled_from([" ", "  ", "-", ""]),
    window=st.tuples(st.integers(0, 200), st.integers(0, 200)),
)
def test_a_gated_search_finds_what_the_pattern_finds(words, seps, window):
    from pipeline.extract.patterns import gated_phrases

    text = seps.join(words)
    lo, hi = sorted(window)
    for gated in [gated_phrases(phrases) for phrases in _cue_lists()] + _rule_patterns():
        for a, b in ((0, len(text)), (lo, hi)):
            found = gated.search(text, a, b)
            expected = gated.pattern.search(text, a, b)
            assert (found and found.span()) == (expected and expected.span()), (gated.pattern.pattern, text, a, b)


def test_gated_searches_find_what_the_patterns_find_on_the_development_articles():
    from pathlib import Path

    from pipeline.extract.patterns import gated_phrases

    gates = [gated_phrases(phrases) for phrases in _cue_lists()] + _rule_patterns()
    for path in sorted((Path(__file__).parent / "fixtures" / "dev" / "raw").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        pos = 0
        for line in text.split("\n"):
            lo, hi = pos, pos + len(line)
            pos = hi + 1
            for gated in gates:
                assert [m.span() for m in gated.finditer(text, lo, hi)] == [
                    m.span() for m in gated.pattern.finditer(text, lo, hi)
                ]


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(["Key", "Keystone", "Keystones", "keystone", "Keystone’s", "xKeystone", "’s", "_",
                                       "KABIL", "KABILs", "A&B", "A&", "(", ")", "foreign", "Minister", "&", "é"]), max_size=20),
       sep=st.sampled_from([" ", ""]))  # fmt: skip
def test_word_spans_are_the_spans_of_the_word_pattern(words, sep):
    from pipeline.extract.patterns import word_spans

    text = sep.join(words)
    unless = re.compile(r"[’']s\s+[a-z]+\s+(?:Minister|President)")
    for word in ("Keystone", "KABIL", "A&B", "A&", "Key", "é"):
        expected = [m.span() for m in re.finditer(rf"\b{re.escape(word)}\b", text)]
        assert list(word_spans(text, word)) == expected, (word, text)
        expected = [m.span() for m in re.finditer(rf"\b{re.escape(word)}\b(?!{unless.pattern})", text)]
        assert list(word_spans(text, word, unless)) == expected, (word, text)


def test_a_text_with_letters_that_fold_irregularly_keeps_every_gate_open():
    from pipeline.extract.patterns import gated_phrases

    gated = gated_phrases(("signed", "inked"))
    assert gated.gate.admits("They ſigned it.") and gated.search("They ſigned it.") is not None
    assert not gated.gate.admits("They agreed.") and gated.search("They agreed.") is None
    text = "Turkey’s İZMİR INKED a deal. Then talks."
    assert gated.search(text, 0, 29).span() == (15, 20) and gated.search(text, 29) is None


def test_required_literals_read_caseless_characters_and_small_classes():
    from pipeline.extract.literal_gates import required_literals

    assert required_literals(r"\s[–—]\s") == {"–", "—"}
    assert required_literals(r"world['’]s (?:largest|biggest)") == {"largest", "biggest"}


def test_a_gated_search_starts_early_enough_for_a_match_that_opens_before_its_literal():
    from pipeline.extract.patterns import gated_phrases

    gated = gated_phrases(("joint declaration of intent", "declaration of intent", r"asset[- ]acquisition talks"))
    assert gated.gate.literals == ("acquisition talks", "declaration of intent") and gated.gate.lead >= 6
    text = "They signed a joint declaration of intent and held asset-acquisition talks."
    assert [m.group(0) for m in gated.finditer(text)] == ["joint declaration of intent", "asset-acquisition talks"]
    assert gated.search(text, 20).group(0) == "declaration of intent"
