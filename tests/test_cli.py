"""The CLI as a user meets it: instant help, an example in every command's help, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli

HEAVY = ("pandas", "duckdb", "pyarrow", "numpy", "httpx", "currency_converter", "cpi", "python_calamine")


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys\nfrom mlsalary.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def _commands() -> list[list[str]]:
    from typer.main import get_command

    from mlsalary.cli import app

    root = get_command(app)
    out = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            out += [[name, sub] for sub in subs]
        else:
            out.append([name])
    return out


def test_every_command_help_has_an_example() -> None:
    cmds = _commands()
    assert ["data", "pull"] in cmds and ["oews"] in cmds and ["data", "sql"] in cmds
    for cmd in cmds:
        code, out, _ = run_cli(*cmd, "--help")
        assert code == 0
        assert "Example: mlsalary " + " ".join(cmd) in " ".join(out.split()), cmd


def test_sources_lists_licences_and_loaded_state() -> None:
    code, out, _ = run_cli("data", "sources", "--json")
    rows = {r["name"]: r for r in json.loads(out)["sources"]}
    assert rows["aijobs"]["licence"].startswith("CC0") and rows["aijobs"]["loaded"] is False
    assert "public domain" in rows["oews"]["licence"]


def test_unknown_source_is_one_line() -> None:
    code, out, err = run_cli("data", "pull", "nope")
    assert code == 1
    assert err.strip() == "error: unknown source 'nope': choose from aijobs, oews, stackoverflow, kaggle-survey, lca"


def test_bad_option_value_is_a_usage_error_not_a_traceback() -> None:
    code, out, err = run_cli("data", "export", "--format", "xml")
    assert code == 2 and "Traceback" not in err and "xml" in err


def test_cli_reference_in_docs_is_current() -> None:
    from conftest import REPO
    from mlsalary.cli import reference

    assert (REPO / "docs" / "cli.md").read_text() == reference.markdown(), (
        "docs/cli.md is stale: run `python -m mlsalary.cli.reference > docs/cli.md`"
    )


def test_serve_says_where_it_is_and_logs_requests(tmp_path: Path) -> None:
    """`mlsalary serve` prints its address at once, says when it is ready, and logs one line per request."""
    import os
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("mlsalary")
    env = {**os.environ, "MLSALARY_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, text=True)  # fmt: skip
    try:
        start, lines = time.monotonic(), []
        while time.monotonic() - start < 5:
            line = proc.stdout.readline() if proc.stdout else ""
            lines.append(line)
            if f"http://127.0.0.1:{port}/" in line:
                break
        assert any(f"mlsalary: serving http://127.0.0.1:{port}/" in ln for ln in lines), lines
        assert time.monotonic() - start < 5
        deadline = time.monotonic() + 30
        while not any("Uvicorn running on" in ln for ln in lines):  # uvicorn's ready line, once it listens
            assert time.monotonic() < deadline, lines
            lines.append(proc.stdout.readline() if proc.stdout else "")
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=10).read()
        while not any('"GET /api/v1/health HTTP/1.1" 200' in ln for ln in lines):
            assert time.monotonic() < deadline, lines
            lines.append(proc.stdout.readline() if proc.stdout else "")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _words_kept(out: str, tables: list) -> list[str]:
    """The words of the tables' cells that the output does not hold as many times as the cells do (a broken word).
    Headers are not counted: a record names its first columns' values without their headers ("1. What does…")."""
    from collections import Counter

    from rich.console import Console

    render = Console().render_str
    cells = [render(c).plain if isinstance(c, str) else c.plain
             for t in tables for col in t.columns for c in col.cells]  # fmt: skip
    want = Counter(w for c in cells for w in c.split())
    return [w for w, n in want.items() if out.count(w) < n]


def test_a_table_reflows_into_records_instead_of_breaking_words() -> None:
    """Wide enough, a table is drawn as it is; too narrow for its words, each row becomes a record (its first cell,
    then "column: value" lines). Either way no word is broken and no line is wider than the terminal."""
    import io

    from rich.console import Console
    from rich.table import Table

    from mlsalary.cli.output import Fitted

    t = Table(title="Figures")
    for c in ("#", "figure", "value", "years"):
        t.add_column(c)
    t.add_row("1", "What does a US machine learning engineer earn at entry-level?", "$147,750",
              "2024–2025 (2025: January–August; final data)")  # fmt: skip
    t.add_row("2", "What do ML engineers earn outside the US?", "suppressed (too few records)", "2025")
    for width, drawn in ((160, True), (80, True), (44, False), (30, False)):
        buf = io.StringIO()
        Console(file=buf, width=width).print(Fitted(t))
        out = buf.getvalue()
        assert _words_kept(out, [t]) == [], width
        assert max(len(line) for line in out.splitlines()) <= width
        assert ("┃ figure" in out) is drawn, out
        if not drawn:
            assert "1. What does a US machine" in out and "\n   value: $147,750 · years:" in out


def test_the_commands_tables_break_no_word_at_80_columns(trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """figures, claims, data sources, employers and offer (one offer, three compared) at COLUMNS=80: every word of
    every table they print is whole in the output."""
    from mlsalary.cli import output

    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))  # the offers' market position needs a trained model
    monkeypatch.setenv("COLUMNS", "80")
    tables: list = []
    fitted = output.Fitted.__init__

    def keep(self: output.Fitted, table: object) -> None:
        tables.append(table)
        fitted(self, table)

    monkeypatch.setattr(output.Fitted, "__init__", keep)
    examples = Path(__file__).resolve().parents[1] / "examples"
    for args in (["figures"], ["claims"], ["data", "sources"], ["employers"], ["offer", str(examples / "offer.toml")],
                 ["offer", "compare", *(str(examples / f"offer{s}.toml") for s in ("", "_startup", "_options"))]):
        tables.clear()
        code, out, err = run_cli(*args)
        assert code == 0, err
        assert tables, args  # the command printed its table through the fitting console
        assert _words_kept(out, tables) == [], args
        assert max(len(line) for line in out.splitlines()) <= 80, args
