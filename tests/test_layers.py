"""The packages import downwards only: growthmart (the library) ← assets (Dagster assets) ← orchestration
(definitions, CLI). tools/ and bench/ are tools: they may import any layer, no layer imports them.

Every import counts, also one inside a function (a lazy import is still a dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What each layer must not import (top-level package names).
FORBIDDEN = {
    "growthmart": {"assets", "orchestration", "tools", "bench"},
    "assets": {"orchestration", "tools", "bench"},
}


def imported_packages(source: str, module: str) -> set[tuple[str, int]]:
    """(top-level package, line) of every import in `source`, at any depth; relative imports resolved against
    `module` (the importing module's dotted name)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {(alias.name.split(".")[0], node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: the importing module's package, `level - 1` levels up
                base = module.split(".")[: -node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add((name.split(".")[0], node.lineno))
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts)


def violations(layer: str) -> list[str]:
    out = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for package, line in sorted(imported_packages(path.read_text(encoding="utf-8"), module_name(path))):
            if package in FORBIDDEN[layer]:
                out.append(f"{path.relative_to(ROOT)}:{line} imports {package}")
    return out


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_a_layer_above_it_or_a_tool(layer):
    assert (ROOT / layer).is_dir()
    assert violations(layer) == []


def test_the_checker_sees_lazy_and_relative_imports():
    source = (
        "import os\n"
        "from growthmart.config import settings\n"
        "def run():\n"
        "    from orchestration.run_summary import render\n"
        "    import tools.demo\n"
        "from ..bench import harness\n"
    )
    found = imported_packages(source, "growthmart.quality.x")
    assert {package for package, _ in found} == {"os", "growthmart", "orchestration", "tools"}
    assert ("orchestration", 4) in found and ("tools", 5) in found
    # `..bench` from growthmart/quality/x.py is growthmart.bench, not the bench tool
    assert ("growthmart", 6) in found
