"""The web app in headless Chromium (Debian's, driven by Playwright) at phone width, served by uvicorn on 127.0.0.1:
every page renders with no console errors, and the estimate and offer forms work end to end. Screenshots are saved
to build/screenshots (MLSALARY_SCREENSHOTS) and checked."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import SCREENSHOTS, assert_screenshot, phone_page

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """uvicorn serving the app in a thread; each test points MLSALARY_HOME at its data."""
    import uvicorn

    from mlsalary.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def errors() -> list[str]:
    """The console errors and uncaught exceptions of the test's page; none are allowed."""
    return []


@pytest.fixture
def page(browser: Any, trained_home: Path, monkeypatch: pytest.MonkeyPatch, errors: list[str]) -> Iterator[Any]:
    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    p = phone_page(browser, errors)
    p.set_default_timeout(60_000)  # the first figures page renders 30 charts
    yield p
    p.close()
    assert errors == [], errors


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert_screenshot(path)


def test_every_page_renders_with_no_console_errors(server: str, page: Any) -> None:
    pages = {
        "figures": "/figures",
        "figure": "/figures/senior-us-ml-median",
        "explore": "/explore?role=ml_engineer&country=US",
        "estimate-form": "/estimate",
        "offer-form": "/offer",
        "claims": "/claims",
        "sources": "/sources",
    }
    for name, url in pages.items():
        response = page.goto(server + url)
        assert response.status == 200, url
        assert page.locator("h1").count() == 1
        # Nothing is wider than a phone's screen: wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        shot(page, name)
    page.goto(server + "/figures")
    from mlsalary.figures.catalogue import CATALOGUE

    assert page.locator(".fig").count() == len(CATALOGUE) and page.locator(".chart svg").count() >= 20
    page.locator("a.permalink").first.click()
    page.wait_for_url("**/figures/entry-us-ml-median")
    assert page.locator(".fig .value").inner_text().startswith("$")


def test_estimate_form_end_to_end(server: str, page: Any, errors: list[str]) -> None:
    page.goto(server + "/estimate")
    page.select_option("#f-role", "ml_engineer")
    page.select_option("#f-level", "senior")
    page.fill("#f-country", "United States")
    page.fill("#f-metro", "Seattle")
    page.check("input[name=skills][value=pytorch]")
    page.click("#estimate-form button[type=submit]")
    result = page.locator("#estimate-result")
    result.wait_for()
    # The answer has a short address to share: the filled-in fields only.
    query = "role=ml_engineer&level=senior&country=United+States&metro=Seattle&skills=pytorch"
    assert page.url == f"{server}/estimate?{query}"
    p50 = int(result.locator("[data-p50]").get_attribute("data-p50"))
    api = page.request.post(server + "/api/v1/estimate", data={"role": "ml_engineer", "level": "senior",
                            "country": "United States", "metro": "Seattle", "skills": ["pytorch"]}).json()  # fmt: skip
    assert p50 == api["p50"]
    assert f"{api['p10']:,}" in result.inner_text() and result.locator(".chart svg").count() == 1
    shot(page, "estimate-result")
    # A bad value: the form comes back with one line naming the field, and that field gets the focus.
    page.fill("#f-country", "Atlantis")
    page.click("#estimate-form button[type=submit]")
    error = page.locator(".error")
    error.wait_for()
    assert error.get_attribute("data-field") == "country" and "Atlantis" in error.inner_text()
    assert page.evaluate("document.activeElement.id") == "f-country"
    # Chromium logs the page's 422 status itself; that one line is expected, anything else is not.
    expected = f"{page.url}: Failed to load resource: the server responded with a status of 422"
    assert len(errors) == 1 and errors[0].startswith(expected), errors
    errors.clear()


def test_offer_form_end_to_end_then_compare(server: str, page: Any) -> None:
    page.goto(server + "/offer")
    # The equity fields follow the kind: shares and prices for options, a grant value for RSUs.
    assert page.locator("#f-offer-equity-shares").is_hidden()
    page.select_option("#f-offer-equity-kind", "options")
    assert page.locator("#f-offer-equity-shares").is_visible()
    assert page.locator("#f-offer-equity-grant_value").is_hidden()
    page.select_option("#f-offer-equity-kind", "rsu")
    page.fill("#f-offer-company", "Example AI")
    page.fill("#f-offer-base", "185000")
    page.fill("#f-offer-bonus_target_pct", "15")
    page.fill("#f-offer-sign_on", "30000")
    page.fill("#f-offer-equity-grant_value", "400000")
    page.select_option("#f-profile-level", "senior")
    page.click("#offer-form button[type=submit]")
    result = page.locator("#offer-result")
    result.wait_for()
    text = result.inner_text()
    assert "342,750" in text  # 185,000 + 27,750 + 30,000 + 100,000 in year one
    assert "Market position of the base" in text and "Negotiation" in text
    assert result.locator(".chart svg").count() == 1
    shot(page, "offer-result")
    # Compare: upload two more offer files; the first offer is carried along.
    page.set_input_files("#upload-form input[type=file]", [str(EXAMPLES / "offer_startup.toml"),
                                                             str(EXAMPLES / "offer_options.toml")])  # fmt: skip
    page.click("#upload-form button[type=submit]")
    page.locator("#offer-result").wait_for()
    table = page.locator("#offer-result table").first.inner_text()
    assert "Example AI" in table and table.count("\n") >= 3  # a header and three offers side by side
    shot(page, "offer-compare")
