"""`paperboy` as people run it: real process for the console script, CliRunner for the rest."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from tests.conftest import OWN_FIXTURES

REQUIRED = {
    "arxiv_id",
    "version",
    "title",
    "authors",
    "abstract",
    "published",
    "updated",
    "categories",
    "upvotes",
    "num_comments",
    "github_url",
    "github_stars",
    "project_url",
    "abs_url",
    "pdf_url",
    "hf_url",
    "thumbnail_url",
    "ai_summary",
    "doi",
    "journal_ref",
    "comment",
    "announce_type",
    "sources",
}


def _records(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_parse_prints_json_lines_with_every_field() -> None:
    result = CliRunner().invoke(app, ["parse", str(OWN_FIXTURES / "arxiv_rss_mixed.xml")])
    assert result.exit_code == 0, result.output
    records = _records(result.stdout)
    assert [r["arxiv_id"] for r in records] == [
        "2605.01234",
        "2605.01300",
        "2511.04321",
        "hep-th/9901001",
    ]
    assert all(r.keys() >= REQUIRED for r in records)
    first = records[0]
    assert first["published"] == "2026-05-05T04:00:00Z"
    assert first["abs_url"] == "https://arxiv.org/abs/2605.01234"
    assert first["pdf_url"] == "https://arxiv.org/pdf/2605.01234"
    assert (first["hf_url"], first["upvotes"], first["doi"]) == (None, None, None)
    assert first["sources"] == ["arxiv-rss"]
    assert "item 4" in result.stderr  # the broken item is reported, the rest still printed


def test_parse_format_option_and_bad_files_exit_2_but_parse_the_rest(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text("[{not json")
    html = tmp_path / "page.html"
    html.write_text("<html><body>Service unavailable</body></html>")
    error_feed = OWN_FIXTURES / "arxiv_api_error_current_400.atom.xml"
    good = OWN_FIXTURES / "hf_daily_2024_schema.json"
    args = [
        "parse",
        str(garbage),
        str(tmp_path / "missing.xml"),
        str(error_feed),
        str(html),
        str(good),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert [r["arxiv_id"] for r in _records(result.stdout)] == ["2410.01234", "2410.05678"]
    errors = [line for line in result.stderr.splitlines() if "skipped" not in line]
    assert len(errors) == 4
    assert errors[0].startswith(f"paperboy: {garbage}: ")
    assert "not JSON" in errors[0]
    assert "missing.xml: No such file or directory" in errors[1]
    assert "incorrect id format for 1234.12345" in errors[2]
    assert "not a Hugging Face JSON, arXiv Atom or arXiv RSS response" in errors[3]
    assert "Traceback" not in result.output


def test_parse_with_a_wrong_forced_format_fails_clearly() -> None:
    result = CliRunner().invoke(
        app, ["parse", "--format", "hf-daily", str(OWN_FIXTURES / "arxiv_rss_mixed.xml")]
    )
    assert result.exit_code == 2
    assert "not JSON" in result.stderr
    assert "Traceback" not in result.output


def test_fetch_rejects_a_bad_source_with_a_clear_message() -> None:
    result = CliRunner().invoke(app, ["fetch", "--source", "hf-daily:yesterday", "--dry-run"])
    assert result.exit_code == 2
    assert "hf-daily takes a day" in result.output


def test_console_script_runs_as_installed(tmp_path: Path) -> None:
    exe = shutil.which("paperboy", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("the paperboy console script is not installed next to this Python")
    done = subprocess.run(
        [exe, "parse", str(OWN_FIXTURES / "arxiv_rss_weekend_empty.xml"), str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""  # an empty weekend feed prints nothing and is no error
    assert done.stderr.strip() == f"paperboy: {tmp_path / 'nope'}: No such file or directory"
