"""Every library the pipeline imports is one the project pins and explains (pyproject.toml), never one
that happens to arrive with another package and could change or vanish with its next release."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported_top_level_modules(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _pinned() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {}
    for requirement in project["dependencies"]:
        name, _, version = requirement.partition("==")
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_every_library_the_pipeline_imports_is_pinned_in_pyproject():
    ours = {"pipeline", "schemas"}
    third_party = _imported_top_level_modules(ROOT / "pipeline") - set(sys.stdlib_module_names) - ours
    distributions = packages_distributions()
    pinned = _pinned()
    unpinned = {}
    for module in sorted(third_party):
        owners = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(module, [module])}
        if not owners & set(pinned):
            unpinned[module] = sorted(owners)
    assert not unpinned, f"imported but not pinned in pyproject.toml: {unpinned}"


def test_every_pin_is_exact_and_explained():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for name, version in _pinned().items():
        assert re.fullmatch(r"\d+(\.\d+)*", version), f"{name} is not pinned to one version"
        assert re.search(rf"#.*\b{re.escape(name)}\b", text, re.IGNORECASE), f"{name} has no reason in pyproject.toml"
