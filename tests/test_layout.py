"""Readable anywhere, and by everyone, in headless Chromium at 1280 and 390 px: the start-here form answers (n, years,
data age) for the two people the issue names; no page and not the report scrolls sideways; no table cell lies
off-screen on a phone (tables stack: no total or p90 in a sideways box); no chart text is under 11 px as rendered;
every chart has a title and a description; every control is a 44 px tap target on a phone; and axe-core finds no
accessibility violation of any impact on any page. Screenshots are saved to build/screenshots."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from conftest import SCREENSHOTS, assert_screenshot, run_cli
from test_browser import server  # noqa: F401  (the uvicorn fixture)

WIDTHS = (1280, 390)
MIN_CHART_TEXT_PX = 11
#: The smallest tap target on a phone (WCAG 2.5.5's 44 CSS px) for buttons, fields and menu links; links inside
#: running text are exempt, as WCAG exempts them.
MIN_TAP_PX = 44
PHONE = 390
#: axe-core's violations on the page (every rule of its default run), as (rule, impact, count, first target).
AXE_JS = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .map(v => [v.id, v.impact, v.nodes.length, JSON.stringify(v.nodes[0].target)])"""
#: Table cells whose right edge lies past the screen's (a column hidden off-screen or in a sideways box).
CELLS_OFF_SCREEN_JS = """() => [...document.querySelectorAll('td, th')].filter(c => {
  const r = c.getBoundingClientRect(), box = c.closest('tr').getBoundingClientRect();
  return r.width > 0 && box.height > 0 && r.right > window.innerWidth + 0.5; }).map(c => c.textContent.slice(0, 40))"""
#: Controls smaller than a finger: buttons, fields, menus and the labels of check boxes.
SMALL_TARGETS_JS = """(min) => [...document.querySelectorAll(
  'button, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), header nav a, .toc a,'
  + ' label.check')].filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height < min; })
  .map(e => e.outerHTML.slice(0, 80))"""
#: Charts without a name and a description: role="img", an aria-label, and non-empty <title> and <desc>.
UNLABELLED_CHARTS_JS = """() => [...document.querySelectorAll('.chart > svg')].filter(s => !(
  s.getAttribute('role') === 'img' && (s.getAttribute('aria-label') || '').trim()
  && (s.querySelector(':scope > title')?.textContent || '').trim()
  && (s.querySelector(':scope > desc')?.textContent || '').trim())).length"""
#: The smallest rendered chart text on a page: each SVG text's computed font size times the SVG's display scale.
SMALLEST_TEXT_JS = """() => {
  let smallest = Infinity;
  for (const svg of document.querySelectorAll('svg')) {
    const natural = svg.viewBox.baseVal && svg.viewBox.baseVal.width ? svg.viewBox.baseVal.width
                    : svg.width.baseVal.value;
    const scale = svg.getBoundingClientRect().width / natural;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
  }
  return smallest;
}"""

PAGES = {
    "start": "/",
    "start-berlin": "/?role=ml_engineer&years_experience=4&country=Germany&city=Berlin&currency=EUR",
    "start-seattle": "/?role=ml_engineer&level=senior&country=US&city=Seattle",
    "figures": "/figures",
    "figure-metro": "/figures/top-paying-metro",
    "figure-trend": "/figures/oews-ds-real-change",
    "explore": "/explore?role=ml_engineer&country=US",
    "estimate": "/estimate?role=ml_engineer&level=senior&country=US&metro=Seattle",
    "offer-form": "/offer",
    "claims": "/claims",
    "sources": "/sources",
    "metros": "/metros",
    "employers": "/employers",
    "employer": "/employers?name=google",
    "estimate-eur": "/estimate?role=ml_engineer&level=mid&country=Germany&currency=EUR",
    "offer-link": "/offer?offers=" + quote(json.dumps([
        {"offer": {"company": "Example AI", "base": 185000, "bonus_target_pct": 15,
                   "equity": {"kind": "rsu", "grant_value": 400000}},
         "profile": {"role": "ml_engineer", "level": "senior", "country": "US"}, "current": {"base": 170000}},
        {"offer": {"company": "Berlin GmbH", "base": 120000, "currency": "EUR"},
         "profile": {"role": "ml_engineer", "level": "senior", "country": "DE"}}])),
}  # fmt: skip


@pytest.fixture
def pages(browser: Any, trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[int, Any]]:
    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    out = {w: browser.new_page(viewport={"width": w, "height": 900}) for w in WIDTHS}
    for p in out.values():
        p.set_default_timeout(60_000)
    yield out
    for p in out.values():
        p.close()


def check(page: Any, width: int, name: str, axe: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways at {width} px"
    if width <= PHONE:
        assert page.evaluate(CELLS_OFF_SCREEN_JS) == [], f"{name}: table cells off-screen at {width} px"
        assert page.evaluate(SMALL_TARGETS_JS, MIN_TAP_PX) == [], f"{name}: tap targets under {MIN_TAP_PX} px"
    assert page.evaluate(UNLABELLED_CHARTS_JS) == 0, f"{name}: a chart without a title and a description"
    page.evaluate(axe)  # through the browser's debugging protocol, which the pages' CSP does not block
    assert page.evaluate(AXE_JS) == [], f"{name} at {width} px: axe-core's violations"
    smallest = page.evaluate(SMALLEST_TEXT_JS)
    assert smallest >= MIN_CHART_TEXT_PX, f"{name} at {width} px: chart text of {smallest:.1f} px"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    assert_screenshot(path)


def test_every_page_fits_and_its_charts_are_legible(server: str, pages: dict[int, Any], axe: str) -> None:  # noqa: F811
    for width, page in pages.items():
        for name, url in PAGES.items():
            assert page.goto(server + url).status == 200, url
            check(page, width, name, axe)


def test_a_missing_page_is_a_page_like_the_others(server: str, pages: dict[int, Any], axe: str) -> None:  # noqa: F811
    """A mistyped address gets a page with the menu, a title and one line naming the path, not JSON."""
    for width, page in pages.items():
        response = page.goto(server + "/figure/no-such-page")
        assert response.status == 404 and response.headers["content-type"].startswith("text/html")
        assert page.locator("h1").inner_text() == "Not Found"
        assert page.locator(".error").inner_text() == "There is no page at /figure/no-such-page."
        check(page, width, "not-found", axe)


def test_offer_result_and_comparison_fit(server: str, pages: dict[int, Any], axe: str) -> None:  # noqa: F811
    root = Path(__file__).resolve().parents[1] / "examples"
    for width, page in pages.items():
        page.goto(server + "/offer")
        page.set_input_files("#upload-form input[type=file]", [str(root / "offer.toml"),
                                                                 str(root / "offer_startup.toml")])  # fmt: skip
        page.click("#upload-form button[type=submit]")
        page.locator("#offer-result").wait_for()
        check(page, width, "offer-compare", axe)
        labels = page.eval_on_selector_all("#offer-result svg text", "els => els.map(e => e.textContent)")
        assert "Example AI" in labels and "Seed Stage Labs" in labels  # the chart names its offers
        table = page.locator("#offer-result table").first.inner_text()
        assert table.index("Example AI") < table.index("Seed Stage Labs")  # and the table lists them in that order
        assert labels.index("Example AI") < labels.index("Seed Stage Labs")


def test_the_start_form_answers_for_berlin_and_seattle(server: str, pages: dict[int, Any], axe: str) -> None:  # noqa: F811
    page = pages[390]
    page.goto(server + "/")
    page.select_option("#f-role", "ml_engineer")
    page.fill("#f-years_experience", "4")
    page.fill("#f-country", "Germany")
    page.fill("#f-city", "Berlin")
    page.fill("#f-currency", "EUR")
    page.click("#start-form button[type=submit]")
    card = page.locator("#start-card")
    card.wait_for()
    text = card.inner_text()
    assert "Germany" in text and "EUR" in text and "postings" in text and "months old" in text
    assert "Berlin: pay by city is known for US metros only" in text
    api = page.request.get(server + "/api/v1/start?" + page.url.split("?", 1)[1]).json()
    # German ML postings in euros are too few for any group's percentiles: the answer is the estimate, widened
    assert api["headline"] in text and not api["market"]["available"] and api["answer"]["from"] == "estimate"
    assert "outside the data's support" in text and "EUR per USD" in text
    check(page, 390, "start-berlin-form", axe)
    page.goto(server + "/")
    page.select_option("#f-level", "senior")
    page.fill("#f-city", "Seattle")
    page.click("#start-form button[type=submit]")
    card.wait_for()
    text = card.inner_text()
    api = page.request.get(server + "/api/v1/start?" + page.url.split("?", 1)[1]).json()
    assert api["market"]["exact"] and f"{api['market']['n']:,} postings" in text
    assert "Seattle-Tacoma-Bellevue, WA" in text and "months old" in text
    assert api["official"]["area"] == "Seattle-Tacoma-Bellevue, WA"
    check(page, 390, "start-seattle-form", axe)


def test_the_report_fits_a_phone_and_its_charts_are_legible(pages: dict[int, Any], tmp_path: Path, axe: str) -> None:
    """The files the CLI writes, read offline: report.html and two offers' page (`offer compare --html`)."""
    code, _, err = run_cli("figures", "--out", str(tmp_path))
    assert code == 0, err
    root = Path(__file__).resolve().parents[1] / "examples"
    code, _, err = run_cli("offer", "compare", str(root / "offer.toml"), str(root / "offer_startup.toml"),
                           "--html", str(tmp_path / "offer.html"))  # fmt: skip
    assert code == 0, err
    for width, page in pages.items():
        for name in ("report", "offer"):
            page.goto((tmp_path / f"{name}.html").as_uri())
            check(page, width, name, axe)
