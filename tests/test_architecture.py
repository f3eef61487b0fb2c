"""The import rules hold, and the checker really catches a core module that breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    for name in ("bot", "adapters", "storage"):
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_project_keeps_its_import_rules(tmp_path: Path) -> None:
    done = _lint(_copy(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    "forbidden", ["sqlalchemy", "discord", "slack_bolt", "openai", "adapters.cli", "storage"]
)
def test_a_core_module_importing_a_platform_breaks_the_check(
    tmp_path: Path, forbidden: str
) -> None:
    tree = _copy(tmp_path)
    (tree / "bot" / "leak.py").write_text(f"import {forbidden}\n")
    done = _lint(tree)
    assert done.returncode != 0
    assert "BROKEN" in done.stdout
    assert f"bot.leak -> {forbidden}" in done.stdout
