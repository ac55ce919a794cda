"""The CLI as a user meets it: instant help, an example in every command's help, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

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
    assert err.strip() == "error: unknown source 'nope': choose from aijobs, oews, stackoverflow, kaggle-survey"


def test_bad_option_value_is_a_usage_error_not_a_traceback() -> None:
    code, out, err = run_cli("data", "export", "--format", "xml")
    assert code == 2 and "Traceback" not in err and "xml" in err


def test_cli_reference_in_docs_is_current() -> None:
    from conftest import REPO
    from mlsalary.cli import reference

    assert (REPO / "docs" / "cli.md").read_text() == reference.markdown(), (
        "docs/cli.md is stale: run `python -m mlsalary.cli.reference > docs/cli.md`"
    )
