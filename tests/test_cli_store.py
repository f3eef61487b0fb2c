"""`paperboy db upgrade`, `import`, `show` and `search` as a person runs them (SQLite), in this
process: what they print and exit with (tests/test_cli.py runs the installed console script)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.migrate import head
from tests.conftest import OWN_FIXTURES
from tests.fakes import invoke_paperboy


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    db_url = f"sqlite:///{tmp_path / 'db' / 'papers.db'}"
    env = {"PAPERBOY_DATABASE_URL": db_url, "PAPERBOY_HF_LIVE_SEARCH": "false"}

    def paperboy(*args: str):  # type: ignore[no-untyped-def]
        return invoke_paperboy(args, env, tmp_path)

    paperboy.db_url, paperboy.cwd = db_url, tmp_path  # type: ignore[attr-defined]
    return paperboy


def test_db_upgrade_creates_then_reports_current(run) -> None:  # type: ignore[no-untyped-def]
    first, second = run("db", "upgrade"), run("db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert f"schema upgraded from empty to revision {head()}" in first.stdout
    assert f"schema already at revision {head()}" in second.stdout


def test_import_show_and_search(run) -> None:  # type: ignore[no-untyped-def]
    files = [
        str(OWN_FIXTURES / n)
        for n in ("arxiv_snapshot_small.jsonl", "arxiv_rss_mixed.xml", "hf_daily_2024_schema.json")
    ]
    imported = run("import", *files)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "9 new, 0 updated, 0 unchanged, 6 bad records"
    assert "arxiv_snapshot_small.jsonl:3:" in imported.stderr
    again = run("import", *files)
    assert again.stdout.strip() == "0 new, 0 updated, 9 unchanged, 6 bad records"

    card = run("show", "https://arxiv.org/abs/0704.0001v2")
    assert card.returncode == 0, card.stderr
    assert card.stdout.splitlines()[:2] == [
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
        "arXiv:0704.0001v2",
    ]
    assert "Versions: v2 (2007-07-24)" in card.stdout
    record = json.loads(run("show", "0704.0001", "--format", "json").stdout)
    assert record["doi"] == "10.1103/PhysRevD.76.013009"
    assert record["versions"] == [{"version": 2, "updated": "2007-07-24T20:10:27Z"}]

    found = run("search", "diphoton", "--json")
    assert [json.loads(line)["arxiv_id"] for line in found.stdout.splitlines()] == ["0704.0001"]
    first = json.loads(found.stdout.splitlines()[0])
    assert first["rank"] == 1
    assert first["score"] > 0
    assert first["live"] is False
    listed = run("search", "", "--category", "cs.LG", "--sort", "recent")
    assert listed.stdout.startswith("1. Sparse Mixture of α-Experts for Fast Training")
    assert run("search", "zebra crossing").stderr.strip() == "No papers found."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("search", "x" * 10_000), "please keep it under 1,000"),
        (("search", '"'), "Type some words to search for"),
        (("search", "a", "--since", "yesterday"), "not a date like 2026-06-12"),
        (("show", "not-an-id"), "'not-an-id' is not an arXiv id or URL"),
        (("import", "/nonexistent/file.jsonl"), "No such file or directory"),
    ],
)
def test_bad_input_gets_one_clear_line(run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_show_of_an_unknown_paper(run) -> None:  # type: ignore[no-untyped-def]
    done = run("show", "2401.12345")
    assert done.returncode == 1
    assert "2401.12345 is not stored" in done.stderr


def test_ask_answers_from_what_it_can_read(run) -> None:  # type: ignore[no-untyped-def]
    from tests.fake_sources import FakeSources

    assert run("import", str(OWN_FIXTURES / "arxiv_snapshot_small.jsonl")).returncode == 0
    with FakeSources({}) as fake:  # no HTML or markdown for this paper: the abstract it is
        done = invoke_paperboy(
            ["ask", "0704.0001", "What is calculated for hadron colliders?", "--json"],
            {**fake.env(), "PAPERBOY_DATABASE_URL": run.db_url, "PAPERBOY_HF_LIVE_SEARCH": "false"},
            run.cwd,
        )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert (answer["arxiv_id"], answer["read"], answer["by_model"]) == (
        "0704.0001",
        "abstract",
        False,
    )
    assert (
        "A fully differential calculation in perturbative quantum chromodynamics"
        in answer["answer"]
    )
    assert answer["answer"].endswith("https://arxiv.org/abs/0704.0001")
    assert "ask a question" in run("ask", "0704.0001", " ").stderr
