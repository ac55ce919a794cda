"""Progress lines: a step that runs long says so, with the time since the command began, as plain lines (a terminal
and a log file alike); a quick step, or work outside a command, prints nothing."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from conftest import run_cli
from mlsalary import progress


def test_a_long_step_says_so_and_a_quick_one_stays_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "AFTER_S", 0.05)
    monkeypatch.setattr(progress, "EVERY_S", 0.1)
    lines: list[str] = []
    with progress.reporting(lines.append):
        with progress.step("quick"):
            pass
        with progress.step("fitting"):
            time.sleep(0.35)
    assert lines[0] == "[    0 s] fitting…"
    assert any(re.fullmatch(r"\[    0 s\] fitting: still running, 0 s so far", x) for x in lines[1:-1]), lines
    assert re.fullmatch(r"\[    0 s\] fitting: done in 0\.[34]\d* s", lines[-1]), lines
    assert not any("quick" in x for x in lines)
    with progress.step("outside a command"):  # the web app, the Python API: silent
        time.sleep(0.1)
    assert len(lines) == len([x for x in lines if "fitting" in x])


def test_a_pull_reports_its_steps_when_its_output_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A logged `make run` was silent for 52 minutes: the steps now print plain lines whatever the output is (the test
    runner's is not a terminal)."""
    monkeypatch.setattr(progress, "AFTER_S", 0.0)
    header = ("work_year,experience_level,employment_type,job_title,salary,salary_currency,salary_in_usd,"
              "employee_residence,remote_ratio,company_location,company_size")  # fmt: skip
    f = tmp_path / "salaries.csv"
    f.write_text(header + "\n2024,SE,FT,Machine Learning Engineer,200000,USD,200000,US,0,US,M\n")
    code, out, err = run_cli("data", "pull", "aijobs", "--from", str(f))
    assert code == 0, err
    said = err.splitlines()
    # The file is read and written batch by batch: one step.
    for name in ("aijobs: finding its files", "aijobs: reading salaries.csv into the store"):
        assert any(re.fullmatch(rf"\[ +\d+ s\] {name}…", x) for x in said), (name, said)
        assert any(re.fullmatch(rf"\[ +\d+ s\] {name}: done in \d+\.\d s", x) for x in said), (name, said)
    assert "\x1b" not in err  # plain lines, no spinner


#: The longest a log of `make run` may stay quiet.
QUIET_S = 3.0


def test_make_run_is_never_quiet_for_more_than_3_s(home: Path, tmp_path: Path) -> None:
    """`make run`'s commands (read from the Makefile's run target), offline from the bundled data, with their output
    to a pipe as to a log file: from each command's start to its end, no two lines are more than QUIET_S apart."""
    import os
    import subprocess
    import sys

    from conftest import REPO

    recipe = (REPO / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    commands = [line.strip().lstrip("-").split()[1:] for line in recipe.splitlines()
                if line.strip().lstrip("-").startswith("$(BIN)/mlsalary ")]  # fmt: skip
    assert [c[0] for c in commands] == ["data", "model", "figures", "claims"]
    exe = str(Path(sys.executable).parent / "mlsalary")
    env = {k: v for k, v in os.environ.items() if k != "MLSALARY_MIRROR"} | {"MLSALARY_HOME": str(home),
                                                                             "MLSALARY_OFFLINE": "1"}  # fmt: skip
    for args in commands:
        began = last = time.monotonic()
        quiet: list[tuple[float, str]] = []
        proc = subprocess.Popen([exe, *args], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)  # fmt: skip
        assert proc.stdout is not None
        for line in proc.stdout:
            now = time.monotonic()
            quiet.append((now - last, line.strip()))
            last = now
        assert proc.wait() == 0, args
        quiet.append((time.monotonic() - last, "<the end>"))
        longest = max(quiet)
        assert longest[0] <= QUIET_S, (args, f"{longest[0]:.1f} s quiet before {longest[1]!r}",
                                       f"{time.monotonic() - began:.0f} s in all")  # fmt: skip
