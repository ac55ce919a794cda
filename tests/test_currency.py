"""Any currency: the estimate, the offer's market position and negotiation, and switch vs stay answer in the currency
asked, converted at the data year's average ECB rate (shown); unknown codes are refused naming the field; an offer
table fits 80 columns."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import run_cli
from mlsalary.normalize import money
from mlsalary.offer import schema

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

EUR_OFFER = """[offer]
company = "Berlin AI"
currency = "EUR"
base = 95000
[profile]
role = "ml_engineer"
level = "senior"
country = "US"
"""


@pytest.fixture
def model_home(trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLSALARY_HOME", str(trained_home))
    return trained_home


def test_the_estimate_answers_in_the_currency_asked(model_home: Path) -> None:
    code, out, err = run_cli("estimate", "--role", "ml_engineer", "--level", "mid", "--currency", "eur", "--json")
    assert code == 0, err
    r = json.loads(out)
    per_usd = 1 / money.usd_per_unit("EUR", r["year"])
    assert r["currency"] == "EUR" and r["conversion"]["year"] == r["year"]
    assert r["conversion"]["per_usd"] == pytest.approx(per_usd, rel=1e-6)
    for k in ("p10", "p25", "p50", "p75", "p90"):
        assert r[k] == round(r["usd"][k] * r["conversion"]["per_usd"])
    assert r["p50"] < r["usd"]["p50"]  # a euro was worth more than a dollar in 2025
    code, _, err = run_cli("estimate", "--role", "ml_engineer", "--level", "mid", "--currency", "XYZ")
    assert code == 1 and err.startswith("error: currency: unknown currency 'XYZ'") and "\n" not in err.strip()


def test_an_eur_offer_is_placed_in_eur(model_home: Path, tmp_path: Path) -> None:
    f = tmp_path / "eur.toml"
    f.write_text(EUR_OFFER)
    r = json.loads(run_cli("offer", str(f), "--json")[1])
    usd = json.loads(run_cli("estimate", "--role", "ml_engineer", "--level", "senior", "--currency", "EUR",
                             "--json")[1])  # fmt: skip
    m = r["market"]
    assert m["currency"] == "EUR" and m["range_50"] == [usd["p25"], usd["p75"]] and m["median"] == usd["p50"]
    # 95,000 EUR is about 107,000 USD: far below a US senior ML engineer's range, whichever unit is used
    assert m["verdict"] == "below market"
    n = r["negotiation"]
    assert n["comparable"]["currency"] == "EUR" and "EUR" in n["evidence"]
    # in USD the same number would sit higher in the (USD) market: the conversion matters
    f.write_text(EUR_OFFER.replace('currency = "EUR"', 'currency = "USD"'))
    as_usd = json.loads(run_cli("offer", str(f), "--json")[1])["market"]
    assert as_usd["range_50"] == [usd["usd"]["p25"], usd["usd"]["p75"]]


@pytest.mark.parametrize(
    ("toml", "message"),
    [('[offer]\nbase = 1\ncurrency = "XYZ"\n', "x.toml: offer.currency: unknown currency 'XYZ'"),
     ('[offer]\nbase = 1\n[current]\nbase = 1\ncurrency = "XYZ"\n',
      "x.toml: current.currency: unknown currency 'XYZ'")],
)  # fmt: skip
def test_unknown_currencies_are_refused_naming_the_field(tmp_path: Path, toml: str, message: str) -> None:
    f = tmp_path / "x.toml"
    f.write_text(toml)
    code, _, err = run_cli("offer", str(f), "--no-market")
    assert code == 1 and err.startswith(f"error: {message}: give an ISO 4217 code")


def test_the_seattle_offer_gets_the_same_verdict_with_and_without_optional_fields(model_home: Path,
                                                                                 tmp_path: Path) -> None:  # fmt: skip
    base = (EXAMPLES / "offer.toml").read_text()
    fuller = tmp_path / "fuller.toml"
    fuller.write_text(base.replace('metro = "Seattle"', 'metro = "Seattle"\nremote = "onsite"\ncompany_size = "large"'))
    plain = json.loads(run_cli("offer", str(EXAMPLES / "offer.toml"), "--json")[1])["market"]
    full = json.loads(run_cli("offer", str(fuller), "--json")[1])["market"]
    assert plain["verdict"] == full["verdict"]


def test_switch_vs_stay_across_currencies_and_countries() -> None:
    of = schema.parse({"offer": {"company": "Seattle", "base": 185_000, "currency": "USD"},
                       "profile": {"role": "ml_engineer", "level": "mid", "country": "US"},
                       "current": {"base": 80_000, "currency": "EUR", "country": "DE", "raise_pct": 0}},
                      "t.toml")  # fmt: skip
    from mlsalary.offer.api import switch_vs_stay

    sw = switch_vs_stay(of)
    year = money.latest_rate_year()
    assert sw["currency"] == "USD" and f"of {year}" in sw["conversion"]
    assert sw["years"][0]["stay"] == pytest.approx(80_000 * money.usd_per_unit("EUR", year))
    ppp = sw["ppp"]
    assert ppp["available"] and ppp["countries"] == {"offer": "US", "current": "DE"}
    y = money.ppp_year()
    assert ppp["years"][0]["stay"] == pytest.approx(
        money.usd_to_international(80_000 * money.usd_per_unit("EUR", y), "DE", y)
    )
    assert "tax" in ppp["leaves_out"] and "rent" in ppp["leaves_out"]
    from mlsalary.offer.api import evaluate

    shown = evaluate(of, with_market=False, show_in="EUR")["switch_vs_stay"]["ppp"]  # the same jobs, read in euros
    assert [y[k] for y in shown["years"] for k in ("offer", "stay")] == pytest.approx(
        [y[k] for y in ppp["years"] for k in ("offer", "stay")])  # a PPP view does not move with the currency asked
    same = schema.parse({"offer": {"base": 100_000}, "current": {"base": 90_000}}, "t.toml")
    assert "ppp" not in switch_vs_stay(same) and "conversion" not in switch_vs_stay(same)


def test_at_80_columns_every_offer_total_is_shown_in_full(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run_cli("offer", str(EXAMPLES / "offer.toml"), "--no-market")
    assert code == 0, err
    r = json.loads(run_cli("offer", str(EXAMPLES / "offer.toml"), "--no-market", "--json")[1])
    assert max(len(line) for line in out.splitlines()) <= 80 and "…" not in out
    for y in r["years"]:
        assert re.search(rf"\b{y['year']}\s.*\b{y['total']:,.0f}\b.*\b{y['cash']:,.0f}$", out, re.M)
    assert "sign-on" in out  # the example has a sign-on: its column is shown
    # a column that is zero in every year is left out: an offer with no sign-on, equity or refreshers
    plain = tmp_path / "plain.toml"
    plain.write_text('[offer]\ncompany = "Plain"\nbase = 150000\nbonus_target_pct = 10\n')
    code, out, err = run_cli("offer", str(plain), "--no-market")
    assert code == 0, err
    assert "sign-on" not in out and "equity" not in out.split("year one")[0] and "165,000" in out


def test_the_offer_form_comes_back_filled_in(model_home: Path) -> None:
    from mlsalary.web.app import create_app

    form = {"offer.company": "Berlin AI", "offer.base": "95000", "offer.currency": "EUR", "profile.role": "ml_engineer",
            "profile.level": "senior", "profile.country": "US", "current.base": "80000"}  # fmt: skip
    with TestClient(create_app()) as client:
        page = client.post("/offer", data=form)
        assert page.status_code == 200, page.text
        html = page.text
        assert "95,000 EUR is at" in html
        for name, value in form.items():
            if name.startswith("profile.role") or name.startswith("profile.level"):
                assert re.search(rf'<option value="{value}" selected>', html)
            else:
                assert re.search(rf'name="{re.escape(name)}"[^>]*\n?[^>]*value="{value}"', html), name
        bad = client.post("/offer", data={**form, "offer.currency": "XYZ"})
        assert bad.status_code == 422 and 'data-field="offer.currency"' in bad.text
        assert 'value="95000"' in bad.text  # an error keeps what was typed


def test_explore_answers_in_the_currency_asked(use_loaded: Path) -> None:
    from mlsalary.web.app import create_app

    query = {"role": "ml_engineer", "country": "US", "level": "mid", "year": 2025}
    with TestClient(create_app()) as client:
        usd = client.get("/api/v1/explore", params=query).json()
        eur = client.get("/api/v1/explore", params={**query, "currency": "eur"}).json()
        per_usd = 1 / money.usd_per_unit("EUR", 2025)
        assert eur["currency"] == "EUR" and eur["conversion"]["year"] == 2025 and eur["n"] == usd["n"]
        for a, b in zip(usd["quantiles"], eur["quantiles"], strict=True):
            assert b["value"] == pytest.approx(a["value"] * per_usd, rel=1e-5)
        bad = client.get("/api/v1/explore", params={**query, "currency": "XYZ"})
        assert bad.status_code == 422 and "currency" in bad.text
        page = client.get("/explore", params={**query, "currency": "EUR"})
        assert page.status_code == 200 and "EUR a year" in page.text


def test_an_unknown_currency_lists_only_currencies_with_a_rate_now() -> None:
    """The message listed CYP, EEK, LTL… (ended by the euro) and RUB (no ECB rate since 2022) as choices."""
    from mlsalary.errors import InputError

    with pytest.raises(InputError) as e:
        money.require_currency("XYZ")
    listed = str(e.value).split("(", 1)[1]
    for dead in ("CYP", "EEK", "LTL", "LVL", "MTL", "SIT", "SKK", "HRK", "RUB"):
        assert dead not in listed, dead
    for live in ("EUR", "GBP", "INR", "JPY", "CAD"):
        assert live in listed, live


def test_offers_in_two_currencies_are_compared_in_one(tmp_path: Path) -> None:
    """The same offer typed in EUR and in USD: side by side in the first offer's currency, the other converted at
    the latest full year's ECB rates (shown) — the same on the CLI (table and JSON), the API and the web page, and the
    chart is drawn in one currency (it was 291,000 vs 257,535 on one axis, no currency named)."""
    from mlsalary.web.app import create_app

    year = money.latest_rate_year()
    eur_per_usd = money.usd_per_unit("USD", year) / money.usd_per_unit("EUR", year)
    usd_base = 250_000
    eur_base = round(usd_base * eur_per_usd)
    files = []
    for name, cur, base in (("in_eur", "EUR", eur_base), ("in_usd", "USD", usd_base)):
        f = tmp_path / f"{name}.toml"
        f.write_text(f'[offer]\ncompany = "Same Co {cur}"\ncurrency = "{cur}"\nbase = {base}\n')
        files.append(f)
    code, out, err = run_cli("offer", "compare", *map(str, files), "--json", "--no-market")
    assert code == 0, err
    cli = json.loads(out)["comparison"]
    assert cli["currency"] == "EUR" and cli["year"] == year and f"per USD, the average ECB reference rates of {year}" \
        in cli["conversion"]  # fmt: skip
    first, second = cli["offers"]
    assert (first["currency"], second["currency"]) == ("EUR", "USD") and first["factor"] == 1.0
    assert abs(second["year_one_total"] - first["year_one_total"]) <= 1  # the same offer, in one currency
    html = tmp_path / "shown.html"
    code, out, err = run_cli("offer", "compare", *map(str, files), "--json", "--no-market", "--in", "EUR",
                             "--html", str(html))  # fmt: skip
    assert code == 0, err
    assert f"{cli['conversion']}; each offer below is in EUR, as asked." in html.read_text(encoding="utf-8")
    shown = json.loads(out)["comparison"]  # every amount in euros first (--in): the dollars' offer is paid in dollars
    assert [o["currency"] for o in shown["offers"]] == ["EUR", "USD"] and shown["conversion"] == cli["conversion"]
    assert all(abs(a["year_one_total"] - b["year_one_total"]) <= 1 for a, b in zip(shown["offers"], cli["offers"],
                                                                                  strict=True))  # fmt: skip
    typed = [schema.parse(tomllib_load(f), f.name).model_dump(mode="json", exclude_unset=True) for f in files]
    client = TestClient(create_app(), raise_server_exceptions=False)
    api = client.post("/api/v1/offer/compare", json={"offers": typed}).json()["comparison"]
    assert api == cli
    code, text, err = run_cli("offer", "compare", *map(str, files), "--no-market")
    assert code == 0, err
    flat = " ".join(text.split())
    assert "side by side, in EUR" in flat and cli["conversion"] in flat
    assert re.search(r"paid in\s*│\s*EUR\s*│\s*USD", text)
    page = client.post("/offer", data={"toml": files[0].read_text()},
                       files=[("files", (files[1].name, files[1].read_bytes(), "text/plain"))]).text
    assert "Side by side, in EUR" in page and '<td data-label="paid in">USD</td>' in page and cli["conversion"] in page
    assert f"{first['year_one_total']:,}" in page and f"{second['year_one_total']:,}" in page
    assert "EUR, converted" in page and "each offer's own currency" not in page  # the chart's axis
    from mlsalary.offer.html import chart_data

    results = [json.loads(run_cli("offer", str(f), "--json", "--no-market")[1]) for f in files]
    names, rows, unit = chart_data(results)
    drawn = [sum(r["value"] for r in rows if r["offer"] == n and r["year"] == "year 1") for n in names]
    assert unit == "EUR, converted" and all(abs(d - o["year_one_total"]) <= 1 for d, o in zip(drawn, cli["offers"],
                                                                                          strict=True))  # fmt: skip


def test_offers_in_two_countries_are_also_compared_at_their_prices(tmp_path: Path) -> None:
    """Berlin in euros, Seattle in dollars: beside the table at market rates (93,500 EUR against 214,605 reads as
    "2.3x"), each 4-year average at its country's prices, in international dollars (World Bank PPP), from the
    currency it is paid in — the same with every amount shown in euros (--in) — on the CLI, the API and the page,
    with what PPP leaves out; a country without a kept PPP factor says so; offers in one country get no PPP view."""
    from mlsalary.web.app import create_app

    year = money.ppp_year()

    def offer(name: str, cur: str, base: int, country: str) -> Path:
        f = tmp_path / f"{name}.toml"
        f.write_text(f'[offer]\ncompany = "{name}"\ncurrency = "{cur}"\nbase = {base}\n'
                     f'[profile]\nrole = "ml_engineer"\nlevel = "mid"\ncountry = "{country}"\n')  # fmt: skip
        return f

    files = [offer("Berlin", "EUR", 90_000, "DE"), offer("Seattle", "USD", 180_000, "US")]
    runs = [json.loads(run_cli("offer", "compare", *map(str, files), "--json", "--no-market", *extra)[1])["comparison"]
            for extra in ([], ["--in", "EUR"])]  # fmt: skip
    ppp = runs[0]["ppp"]
    assert ppp["available"] and ppp["unit"] == f"international dollars of {year} (World Bank PPP)"
    assert [(o["company"], o["country"], o["average_total_4y"]) for o in ppp["offers"]] == [
        ("Berlin", "DE", round(money.local_to_international(90_000, "DE", year))),
        ("Seattle", "US", round(money.local_to_international(180_000, "US", year)))]
    assert runs[1]["ppp"] == ppp and "income tax" in ppp["leaves_out"]
    typed = [schema.parse(tomllib_load(f), f.name).model_dump(mode="json", exclude_unset=True) for f in files]
    client = TestClient(create_app(), raise_server_exceptions=False)
    assert client.post("/api/v1/offer/compare", json={"offers": typed}).json()["comparison"]["ppp"] == ppp
    said = (f"4-year average at each country's prices, in {ppp['unit']}: Berlin (DE) "
            f"{ppp['offers'][0]['average_total_4y']:,}; Seattle (US) {ppp['offers'][1]['average_total_4y']:,}")
    text = run_cli("offer", "compare", *map(str, files), "--no-market")[1]
    assert said in " ".join(text.split())
    page = client.post("/offer", data={"toml": files[0].read_text()},
                       files=[("files", (files[1].name, files[1].read_bytes(), "text/plain"))]).text
    assert said in page
    paris = offer("Paris", "EUR", 80_000, "FR")
    side = json.loads(run_cli("offer", "compare", str(paris), str(files[1]), "--json", "--no-market")[1])["comparison"]
    assert not side["ppp"]["available"] and "no World Bank PPP factor kept for FR" in side["ppp"]["reason"]
    both_us = json.loads(run_cli("offer", "compare", str(files[1]), str(offer("Austin", "USD", 150_000, "US")),
                                 "--json", "--no-market")[1])["comparison"]  # fmt: skip
    assert "ppp" not in both_us


def tomllib_load(path: Path) -> dict:
    import tomllib

    return tomllib.loads(path.read_text())


SEATTLE_USD = """[offer]
company = "Seattle AI"
currency = "USD"
base = 210000
bonus_target_pct = 10
sign_on = 20000
[offer.equity]
grant_value = 200000
vesting = "25/25/25/25"
[profile]
role = "ml_engineer"
level = "senior"
country = "US"
[current]
base = 95000
currency = "EUR"
country = "DE"
"""


def test_a_usd_offer_is_shown_in_eur_on_every_surface(model_home: Path, tmp_path: Path) -> None:
    """Berlin's engineer with a Seattle offer in dollars sees it in euros: every amount converted at the latest ECB
    rates (said), the market and the ask in euros — the same on the CLI, the API and the web page (and its link)."""
    from mlsalary.web.app import create_app

    f = tmp_path / "seattle.toml"
    f.write_text(SEATTLE_USD)
    usd = json.loads(run_cli("offer", str(f), "--json")[1])
    code, out, err = run_cli("offer", str(f), "--json", "--in", "eur")
    assert code == 0, err
    eur = json.loads(out)
    year = money.latest_rate_year()
    rate = money.usd_per_unit("USD", year) / money.usd_per_unit("EUR", year)
    assert eur["currency"] == "EUR"
    assert eur["shown_in"].startswith(f"Shown in EUR: the offer's USD amounts converted at {rate:,.4f} EUR per USD")
    for a, b in zip(usd["years"], eur["years"], strict=True):
        assert abs(b["total"] - a["total"] * rate) <= 2 and abs(b["cash"] - a["cash"] * rate) <= 2
    assert abs(eur["present_value"] - usd["present_value"] * rate) <= 2
    assert eur["market"]["currency"] == "EUR"
    assert eur["market"]["percentile"] == pytest.approx(usd["market"]["percentile"], abs=0.01)
    assert abs(eur["negotiation"]["target_ask"] - usd["negotiation"]["target_ask"] * rate) <= 2
    assert eur["switch_vs_stay"]["currency"] == "EUR" and "conversion" not in eur["switch_vs_stay"]  # now in its own
    client = TestClient(create_app(), raise_server_exceptions=False)
    typed = schema.parse(tomllib_load(f), f.name).model_dump(mode="json", exclude_unset=True)
    api = client.post("/api/v1/offer/evaluate", params={"show_in": "EUR"}, json=typed).json()
    assert api["years"] == eur["years"] and api["shown_in"] == eur["shown_in"]
    assert api["negotiation"]["target_ask"] == eur["negotiation"]["target_ask"]
    code, text, err = run_cli("offer", str(f), "--in", "EUR")
    assert code == 0 and eur["shown_in"] in " ".join(text.split())
    page = client.post("/offer", data={"toml": SEATTLE_USD, "show_in": "EUR"})
    assert page.status_code == 200 and eur["shown_in"] in html_unescape(page.text)
    assert f"{eur['year_one_total']:,.0f}" in page.text and f"{usd['year_one_total']:,.0f}" not in page.text
    link = re.search(r'<a href="([^"]*)" id="offer-link">', page.text)
    assert link and "show_in=EUR" in link.group(1)
    assert eur["shown_in"] in html_unescape(client.get(html_unescape(link.group(1))).text)
    bad = client.post("/offer", data={"toml": SEATTLE_USD, "show_in": "XYZ"})
    assert bad.status_code == 422 and "show_in: unknown currency" in bad.text
    code, _, err = run_cli("offer", str(f), "--in", "XYZ")
    assert code == 1 and err.strip().startswith("error: show_in: unknown currency 'XYZ'")
    # A current job without a currency is paid in the offer's own (dollars): shown in euros, it is converted too.
    same = tmp_path / "same.toml"
    same.write_text(SEATTLE_USD.replace('currency = "EUR"\ncountry = "DE"', 'country = "US"'))
    stay_usd = json.loads(run_cli("offer", str(same), "--json", "--no-market")[1])["switch_vs_stay"]["years"]
    stay_eur = json.loads(run_cli("offer", str(same), "--json", "--no-market", "--in", "EUR")[1])
    assert all(abs(b["stay"] - a["stay"] * rate) <= 2 for a, b in zip(stay_usd, stay_eur["switch_vs_stay"]["years"],
                                                                   strict=True))  # fmt: skip


def test_every_amount_of_an_offer_is_declared_for_conversion() -> None:
    """offer.api.MONEY_FIELDS (what shown_in converts) lists every amount field of an offer's terms: a new amount
    left out would stay in the old currency beside converted ones."""
    from mlsalary.offer.api import MONEY_FIELDS

    tables = {"": schema.OfferTerms, "equity": schema.Equity, "refresher": schema.Refresher,
              "benefits": schema.Benefits}  # fmt: skip
    for where, model in tables.items():
        amounts = {name for name, fld in model.model_fields.items()
                   if any(getattr(m, "le", None) == schema.MAX_AMOUNT for m in fld.metadata)
                   and name not in ("shares",)}  # fmt: skip  (a count of shares, not money)
        assert set(MONEY_FIELDS[where]) == amounts, where


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_at_80_columns_four_offers_side_by_side_are_shown_in_full(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:  # fmt: skip
    """`offer compare` of four offers in three currencies at 80 columns: every row label and every number whole (the
    headers had grown to "Company (EUR, paid in USD)" and squeezed the labels' column to nothing)."""
    monkeypatch.setenv("COLUMNS", "80")
    files = []
    for i, (cur, base) in enumerate((("EUR", 185_000), ("USD", 210_000), ("GBP", 150_000), ("EUR", 1_250_000))):
        f = tmp_path / f"o{i}.toml"
        f.write_text(f'[offer]\ncompany = "Company number {i}"\ncurrency = "{cur}"\nbase = {base}\n'
                     f'sign_on = {20_000 * i}\n')  # fmt: skip
        files.append(str(f))
    code, out, err = run_cli("offer", "compare", *files, "--no-market")
    assert code == 0, err
    side = json.loads(run_cli("offer", "compare", *files, "--no-market", "--json")[1])["comparison"]
    assert max(len(line) for line in out.splitlines()) <= 80 and "…" not in out
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 2}
    assert list(lines)[:3] == ["paid in", "year 1 total", "year 2 total"]
    assert [c.strip() for c in lines["paid in"].split("│")[2:6]] == ["EUR", "USD", "GBP", "EUR"]
    assert [c.strip() for c in lines["year 1 total"].split("│")[2:6]] == \
        [f"{o['year_one_total']:,}" for o in side["offers"]]  # fmt: skip


def _dollars_outside_the_rate(text: str) -> list[str]:
    """The pieces of a page or an answer (sentences, and the parts of a line separated by "·") that mention dollars
    — "USD" or "$" before a digit — other than the one naming the rate ("… EUR per USD …"), which must."""
    plain = " ".join(html_unescape(re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", text,
                                          flags=re.S)).split())  # fmt: skip
    pieces = re.split(r"(?<=\.)\s|·", plain)
    return [p for p in pieces if re.search(r"\bUSD\b|\$\d", p) and "EUR per USD" not in p]


def test_in_euros_no_page_or_answer_speaks_dollars_but_the_rate(model_home: Path, tmp_path: Path) -> None:
    """With currency=EUR (show_in=EUR for an offer in dollars) the start card, the estimate, explore and the offer —
    on the web and on the CLI — say USD only where they name the rate, however the question is put."""
    from mlsalary.web.app import create_app

    offers = json.dumps([{"offer": {"company": "X", "base": 185000, "equity": {"kind": "rsu", "grant_value": 400000}},
                          "profile": {"role": "ml_engineer", "level": "senior", "metro": "Seattle"},
                          "current": {"base": 90000, "currency": "EUR", "country": "DE"}}])  # fmt: skip
    pages = [("/", {"role": "ml_engineer", "level": "senior", "country": "US", "city": "Seattle", "currency": "EUR"}),
             ("/", {"role": "ml_engineer", "years_experience": "4", "country": "Germany", "city": "Berlin",
                    "currency": "EUR"}),
             ("/estimate", {"role": "ml_engineer", "level": "senior", "country": "US", "metro": "Seattle",
                            "currency": "EUR"}),
             ("/estimate", {"role": "ml_engineer", "level": "mid", "country": "DE", "currency": "EUR"}),
             ("/explore", {"role": "ml_engineer", "country": "US", "currency": "EUR"}),
             ("/offer", {"offers": offers, "show_in": "EUR"})]  # fmt: skip
    client = TestClient(create_app(), raise_server_exceptions=False)
    for path, params in pages:
        r = client.get(path, params=params)
        assert r.status_code == 200, (path, params)
        assert "EUR per USD" in html_unescape(r.text), (path, params)  # the rate is named
        assert _dollars_outside_the_rate(r.text) == [], (path, params)
    f = tmp_path / "seattle.toml"
    f.write_text(SEATTLE_USD)
    for args in (["estimate", "--role", "ml_engineer", "--level", "senior", "--metro", "Seattle", "--currency", "EUR"],
                 ["offer", str(f), "--in", "EUR"]):  # fmt: skip
        code, out, err = run_cli(*args)
        assert code == 0, err
        assert _dollars_outside_the_rate(out) == [], args
