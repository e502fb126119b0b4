"""Pattern rules are named, validated records, and each one is tested by its own example."""

import time

import pytest
import yaml

from pipeline.extract.rules import RuleError, example_span, load_rules, parse_rule, read_rule_file

ALL_RULES = [rule for rules in load_rules().values() for rule in rules]


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.name for r in ALL_RULES])
def test_every_rule_fires_on_its_example_and_not_on_its_counterexample(rule):
    text, start, end = example_span(rule.example)
    assert rule.fires(text, start, end, 0, len(text)), f"{rule.name} does not fire on its example: {rule.example}"
    if rule.counterexample:
        text, start, end = example_span(rule.counterexample)
        assert not rule.fires(text, start, end, 0, len(text)), f"{rule.name} fires on its counterexample"


def test_every_rule_has_an_example_and_almost_every_one_a_counterexample():
    assert ALL_RULES and all(r.example for r in ALL_RULES)
    assert sum(1 for r in ALL_RULES if r.counterexample) >= 0.9 * len(ALL_RULES)


def _record(**overrides):
    record = {"name": "dependence_on", "direction": "before", "pattern": r"dependence\s+on\s+$", "signals": "rival",
              "example": "the dependence on [China]"}  # fmt: skip
    record.update(overrides)
    return record


def test_a_rule_with_an_unknown_key_is_refused_with_its_file_and_name():
    with pytest.raises(RuleError, match=r"entity\.yaml: rule 'dependence_on' has unknown keys \['scop'\]"):
        parse_rule(_record(scop="entity"), "entity", "entity.yaml")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pattern": "(unclosed"}, "does not compile"),
        ({"direction": "around"}, "direction 'around'"),
        ({"window": 0}, "window 0"),
        ({"name": "Dependence On"}, "not snake_case"),
        ({"signals": "Rival!"}, "not a snake_case name"),
    ],
)
def test_a_malformed_rule_is_refused(overrides, message):
    with pytest.raises(RuleError, match=message):
        parse_rule(_record(**overrides), "entity", "entity.yaml")


def test_a_rule_without_an_example_is_refused():
    record = _record()
    del record["example"]
    with pytest.raises(RuleError, match=r"lacks \['example'\]"):
        parse_rule(record, "entity", "entity.yaml")


def test_a_rule_file_of_an_unknown_scope_or_shape_is_refused(tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(yaml.safe_dump({"scope": "paragraph", "rules": [_record()]}), encoding="utf-8")
    with pytest.raises(RuleError, match="scope 'paragraph'"):
        read_rule_file(path)
    path.write_text(yaml.safe_dump({"scope": "entity", "rules": [_record()], "extra": 1}), encoding="utf-8")
    with pytest.raises(RuleError, match="exactly the keys"):
        read_rule_file(path)


def test_rule_names_are_unique_across_files():
    names = [r.name for r in ALL_RULES]
    assert len(names) == len(set(names))


def test_a_before_rule_reads_only_the_words_just_before_the_candidate():
    rule = parse_rule(_record(window=20), "entity", "entity.yaml")
    text = "Europe wants less dependence on China and more trade with Chile."
    china, chile = text.index("China"), text.index("Chile")
    assert rule.fires(text, china, china + 5, 0, len(text))
    assert not rule.fires(text, chile, chile + 5, 0, len(text))


_HOSTILE = ["India and " * 400, "A. B. " * 700, "U.S. " * 800, "." * 4000, "ABCDEFGH IJKLMNOP " * 220,
            "Aaa Bbb Ccc Ddd " * 250, "signed agreement with " * 180, "(" * 2000 + ")" * 2000]  # fmt: skip


@pytest.mark.parametrize("hostile", _HOSTILE, ids=lambda h: repr(h[:12]))
def test_no_rule_takes_long_on_hostile_text(hostile):
    """Every rule is asked at every word of 4 KB of pathological text, in its own sentence: linear time,
    a few milliseconds per kilobyte (a rule that backtracks would take seconds)."""
    started = time.perf_counter()
    for rule in ALL_RULES:
        for pos in range(0, len(hostile), 9):
            rule.fires(hostile, pos, min(len(hostile), pos + 5), max(0, pos - 300), min(len(hostile), pos + 300))
    assert time.perf_counter() - started < 10.0
