"""Shared fixtures. Every test gets its own MLSALARY_HOME; real data comes from the mirror (MLSALARY_MIRROR).

Tests that need the real data fail in CI when the mirror is missing, and are reported as skipped (never as passed)
on a machine that has no copy of it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def _mirror() -> Path | None:
    env = os.environ.get("MLSALARY_MIRROR")
    candidates = [Path(env)] if env else [REPO.parent / "shared" / "data"]
    for c in candidates:
        if (c / "aijobs").is_dir():
            return c.resolve()
    return None


MIRROR = _mirror()
# The in-process test client's Host is "testserver"; schemathesis loads the app's schema when its test module is
# imported, before any fixture runs.
os.environ["MLSALARY_ALLOWED_HOSTS"] = "testserver"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty MLSALARY_HOME; no mirror and no network unless a test asks for them."""
    h = tmp_path / "home"
    monkeypatch.setenv("MLSALARY_HOME", str(h))
    monkeypatch.delenv("MLSALARY_MIRROR", raising=False)
    monkeypatch.setenv("MLSALARY_OFFLINE", "1")
    # Progress lines come when a step runs past 3 s, which a busy CI machine decides: a test of a command's exact
    # output would depend on it. tests/test_progress.py turns them on and checks them.
    from mlsalary import progress

    monkeypatch.setattr(progress, "AFTER_S", 1e6)
    return h


@pytest.fixture(scope="session")
def mirror() -> Path:
    if MIRROR is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs the real data: set MLSALARY_MIRROR (e.g. ../shared/data)")
        pytest.skip("real data not found: set MLSALARY_MIRROR to a copy of shared/data")
    return MIRROR


@contextlib.contextmanager
def environ(**values: str) -> Iterator[None]:
    """The environment with `values` set, then as it was (for session fixtures, which monkeypatch cannot serve)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def loaded_db(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with every source pulled from the mirror once per test session (read it, do not write it)."""
    from mlsalary import api

    h = tmp_path_factory.mktemp("loaded")
    with environ(MLSALARY_HOME=str(h), MLSALARY_MIRROR=str(mirror), MLSALARY_OFFLINE="1"):
        outcomes = api.pull()
    # A registered source the mirror does not have is reported with its reason, not a failure; its tests skip.
    assert all(o.status in ("loaded", "unavailable") for o in outcomes), outcomes
    for o in outcomes:
        if o.status == "unavailable":
            print(f"note: {o.source} is not in the mirror, its tests are skipped: {o.message}")
    return h


@pytest.fixture(scope="session")
def small_db(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one small aijobs.net snapshot of the mirror (2023-12-31), without a model: for tests of what
    happens around training (a model trained on demand, a server's warm-up), where the full data only costs time.
    Copy its database before writing to it."""
    from mlsalary import api

    h = tmp_path_factory.mktemp("small")
    with environ(MLSALARY_HOME=str(h), MLSALARY_OFFLINE="1"):
        (outcome,) = api.pull(["aijobs"], from_path=mirror / "aijobs" / "salaries_2023-12-31.csv")
    assert outcome.status == "loaded", outcome
    return h


@pytest.fixture
def use_loaded(loaded_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point this test at the session's loaded store."""
    monkeypatch.setenv("MLSALARY_HOME", str(loaded_db))
    return loaded_db


@pytest.fixture(scope="session")
def trained_home(loaded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's store with the pay model trained on it (once per test session)."""
    import json
    import shutil

    home = tmp_path_factory.mktemp("model-home")
    shutil.copy(loaded_db / "mlsalary.duckdb", home / "mlsalary.duckdb")
    mp = pytest.MonkeyPatch()
    mp.setenv("MLSALARY_HOME", str(home))
    try:
        code, out, err = run_cli("model", "train", "--json")
        assert code == 0, err
        assert json.loads(out)["calibration"].startswith("drift hedge")
    finally:
        mp.undo()
    return home


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process as a user would; returns (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from mlsalary.cli import app

    r = CliRunner().invoke(app, list(args), prog_name="mlsalary")
    return r.exit_code, r.stdout, r.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Where the browser tests save their screenshots (for people to look at; build/ is not committed).
SCREENSHOTS = Path(os.environ.get("MLSALARY_SCREENSHOTS", REPO / "build" / "screenshots"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless chromium driven by Playwright (not pip's bundled browsers: the machine reaches only
    package registries). Missing in CI is a failure; elsewhere the browser tests are reported as skipped."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])  # fmt: skip
        yield b
        b.close()


#: axe-core, installed by `make test` (its `browser` target: npm ci in tests/a11y, the version pinned in its lockfile).
AXE = REPO / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe() -> str:
    """axe-core's source, to run inside a page. Missing in CI is a failure; elsewhere its tests are skipped."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs axe-core for the accessibility checks: {AXE} is missing (make browser installs it)")
        pytest.skip("axe-core not installed (make browser installs it with npm)")
    return AXE.read_text(encoding="utf-8")


def phone_page(browser: Any, errors: list[str]) -> Any:
    """A page at phone width (390 px) that records console errors and uncaught exceptions into errors."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    return page


def assert_screenshot(path: Path) -> None:
    """A saved screenshot that is a real picture: wide enough for a phone and not blank."""
    from PIL import Image

    img = Image.open(path).convert("L")
    assert img.width >= 300 and img.height >= 200, img.size
    assert len(img.getcolors(maxcolors=65536) or []) > 20  # text, bars and axes, not a blank image
