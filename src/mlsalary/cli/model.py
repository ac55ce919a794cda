"""`mlsalary estimate` and `mlsalary model train|evaluate`: the personal pay estimate and its measured quality."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mlsalary import schema
from mlsalary.cli.output import AS_OF_HELP, amount, as_of, console, print_json

app = typer.Typer(help="Train the pay model and measure how often its ranges are right.", no_args_is_help=True)


def _choices(values: tuple[str, ...]) -> str:
    return " | ".join(values)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="model")
    root.command(name="estimate")(estimate)


@app.command()
def train(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_of_date: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Train the calibrated pay model on everything loaded and save it (deterministic).

    Example: mlsalary model train
    """
    from mlsalary.model import train as training
    from mlsalary.progress import reporting

    with reporting(), as_of(as_of_date):  # each step that runs long says so, with the time (mlsalary.progress)
        info = training.describe(training.train(save=True))
    if as_json:
        print_json(info)
        return
    console().print(
        f"trained model {info['model_version']} on {info['rows']:,} rows (calibration: {info['calibration']}, "
        f"{info['calibration_rows']:,} rows); saved to {info['path']}"
    )
    if info["calibration_fallback"]:
        console().print(f"[yellow]calibration fell back to a random split: {info['calibration_fallback']}[/yellow]")


@app.command()
def evaluate(
    test_data: Annotated[
        Path | None, typer.Option("--test-data", help="An aijobs.net-format CSV to test on (rows not in training).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_of_date: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Measure the estimate on data it never saw: coverage of its 50% and 80% ranges, pinball loss, errors — for
    the model and two baselines. Default: train on years before the latest full year, test on that year.

    Example: mlsalary model evaluate --json
    """
    from mlsalary.model.evaluate import evaluate as run
    from mlsalary.progress import reporting

    with reporting(), as_of(as_of_date):
        report = run(test_data)
    if as_json:
        print_json(report)
        return
    from rich.table import Table

    t = Table(title=f"Pay model on {report['n_test']:,} unseen rows — {report['split']}")
    for c in ("", "coverage 50%", "coverage 80%", "pinball (mean)", "MAE log", "median abs % error", "80% width"):
        t.add_column(c)
    rows = [("model (calibrated)", report["model"])] + [(k, v) for k, v in report["baselines"].items()]
    for name, m in rows:
        t.add_row(name, f"{m['coverage_50']:.3f}", f"{m['coverage_80']:.3f}", f"{m['pinball_mean']:.4f}",
                  f"{m['mae_log']:.3f}", f"{m['median_abs_pct_error']:.1f}%", f"${m['width_80']:,.0f}")  # fmt: skip
    console().print(t)
    whose = {"group_quantiles": "the group quantiles'", "gbm_uncalibrated": "the uncalibrated model's"}
    for name, v in report["versus"].items():
        console().print(f"pinball loss, the model's minus {whose[name]}: {_signed(v['difference'])} (95% interval "
                        f"{_signed(v['ci_low'])} to {_signed(v['ci_high'])}, paired over the same rows)", markup=False)
    console().print(f"calibration: {report['calibration']}")
    if report["calibration_fallback"]:
        console().print(f"[yellow]calibration fell back to a random split: {report['calibration_fallback']}[/yellow]")
    seg = Table(title="The model's coverage by segment")
    for c in ("segment", "n", "coverage 50%", "coverage 80%", "80% width"):
        seg.add_column(c)
    for name, m in report["segments"].items():
        if "coverage_80" in m:
            seg.add_row(name, f"{m['n']:,}", f"{m['coverage_50']:.3f}", f"{m['coverage_80']:.3f}",
                        f"${m['width_80']:,.0f}")  # fmt: skip
        else:
            seg.add_row(name, "fewer than 5" if m["n"] is None else f"{m['n']:,}", "—", "—", "—")
    console().print(seg)


@app.command()
def backtest(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The estimate's published accuracy: for every aijobs.net snapshot in the store's history, the model trained as
    of it and scored on the next snapshot's new machine-learning postings — coverage of the 50% and 80% ranges,
    pinball loss and widths, per origin and pooled, beside the two baselines.

    Example: mlsalary model backtest --json
    """
    import time

    from mlsalary.model.backtest import backtest as run

    start = time.monotonic()

    def step(text: str) -> None:
        typer.echo(f"[{time.monotonic() - start:5.0f} s] {text}", err=True)

    report = run(progress=step)
    if as_json:
        print_json(report)
        return
    from rich import box
    from rich.table import Table

    t = Table(title="Backtest: trained as of each snapshot, tested on the next one's new ML postings",
              caption="coverage of the 50% and 80% ranges; mean pinball loss of the model, of group quantiles by "
              "level x country and of the model uncalibrated (lower is better); mean 80% width",
              box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)  # fmt: skip
    for c in ("origin", "next", "n", "50%", "80%", "pinball", "groups", "uncal.", "width"):
        t.add_column(c, no_wrap=True, justify="left" if c in ("origin", "next") else "right")
    rows = [(e["origin"], e["tested_on"], e) for e in report["origins"]]
    rows.append((f"pooled ({report['pooled']['origins']})", "", report["pooled"]))
    for origin, tested, e in rows:
        if "model" not in e:  # its reason is printed under the table
            t.add_row(origin, tested, f"{e['n_test']:,}", "—", "—", "—", "—", "—", "—")
            continue
        m, b = e["model"], e["baselines"]
        t.add_row(origin, tested, f"{e['n_test']:,}", f"{m['coverage_50']:.3f}", f"{m['coverage_80']:.3f}",
                  f"{m['pinball_mean']:.4f}", f"{b['group_quantiles']['pinball_mean']:.4f}",
                  f"{b['gbm_uncalibrated']['pinball_mean']:.4f}", f"${m['width_80']:,.0f}")  # fmt: skip
    console().print(t)
    said = [(origin, e["versus"]) for origin, _, e in rows if "versus" in e]
    if said:
        v = Table(title="Pinball loss, the model's minus each baseline's", caption="with its paired 95% interval; an "
                  "interval that holds 0 cannot tell the two apart (it does not make them equal)",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)  # fmt: skip
        for c in ("origin", "vs groups", "95% interval", "vs uncal.", "95% interval"):
            v.add_column(c, no_wrap=True, justify="left" if c == "origin" else "right")
        for origin, d in said:
            g, u = d["group_quantiles"], d["gbm_uncalibrated"]
            v.add_row(origin, _signed(g["difference"]), f"{_signed(g['ci_low'])}, {_signed(g['ci_high'])}",
                      _signed(u["difference"]), f"{_signed(u['ci_low'])}, {_signed(u['ci_high'])}")  # fmt: skip
        console().print(v)
    for e in report["origins"]:
        if not e.get("scored", True):
            console().print(f"{e['origin']}: not scored: {e['why']}")
        if e.get("calibration_fallback"):
            console().print(f"[yellow]{e['origin']}: calibration fell back to a random split: "
                            f"{e['calibration_fallback']}[/yellow]")  # fmt: skip


def _signed(x: float) -> str:
    return f"{x:+.4f}".replace("-", "−")


def estimate(
    role: Annotated[str, typer.Option("--role", help=_choices(schema.ROLES))] = "ml_engineer",
    level: Annotated[str | None, typer.Option("--level", help=_choices(schema.LEVELS) + " (or --years)")] = None,
    years: Annotated[float | None, typer.Option("--years", help="Years of professional experience.")] = None,
    country: Annotated[str, typer.Option("--country", help="Country of the employer (ISO code or name).")] = "US",
    metro: Annotated[str | None, typer.Option("--metro", help="US metro, e.g. Seattle (its pay factor).")] = None,
    remote: Annotated[str | None, typer.Option("--remote", help=_choices(schema.REMOTE))] = None,
    company_size: Annotated[str | None, typer.Option("--company-size", help=_choices(schema.COMPANY_SIZES))] = None,
    industry: Annotated[str | None, typer.Option("--industry", help=_choices(schema.INDUSTRIES))] = None,
    education: Annotated[str | None, typer.Option("--education", help=_choices(schema.EDUCATION_LEVELS))] = None,
    skill: Annotated[
        list[str] | None, typer.Option("--skill", help="python, pytorch, tensorflow, spark (repeat, or a comma list).")
    ] = None,
    currency: Annotated[
        str, typer.Option("--currency", help="Answer in this currency (ISO 4217, e.g. EUR), at the data year's rate.")
    ] = "USD",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_of_date: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Your pay range: p10-p90 of annual pay for a profile, with what moves it and how much data stands behind it.
    The range's coverage is measured by `mlsalary model evaluate`.

    Example: mlsalary estimate --role ml_engineer --level senior --country US --metro Seattle
    """
    from mlsalary.model.estimate import estimate as run

    def training() -> None:
        typer.echo("no trained model for the data loaded: training one first (once; `mlsalary model train`)", err=True)

    from mlsalary.progress import reporting

    with reporting(), as_of(as_of_date):  # quick, unless a model must be trained first: its steps say so
        result = run(role=role, level=level, country=country, years_experience=years, metro=metro, remote=remote,
                     company_size=company_size, industry=industry, education=education, skills=skill,
                     currency=currency, on_train=training)  # fmt: skip
    if as_json:
        print_json(result)
        return
    out = console()
    for note in result["notes"]:
        out.print(f"[yellow]note:[/] {note}")
    lo, hi = result["p10"], result["p90"]
    width = 50

    def pos(v: float) -> int:
        return round((v - lo) / (hi - lo) * (width - 1)) if hi > lo else 0

    bar = ["─"] * width
    for i in range(pos(result["p25"]), pos(result["p75"]) + 1):
        bar[i] = "━"
    bar[pos(result["p50"])] = "●"
    cur = result["currency"]

    def m(v: float) -> str:
        return amount(v, cur)

    out.print(f"{result['year']} annual pay, {cur} (model {result['model_version']})", markup=False)
    out.print(f"  {m(lo)} {''.join(bar)} {m(hi)}", markup=False)
    out.print(f"  80% range {m(lo)} – {m(hi)} · 50% range {m(result['p25'])} – {m(result['p75'])} · "
              f"median {m(result['p50'])}", markup=False)  # fmt: skip
    flag = "" if result["in_support"] else " — outside the data's support"
    from mlsalary import disclosure

    out.print(f"  support: {disclosure.said(result['support_n'], 'similar records')}{flag}")
    from mlsalary import age

    out.print("  data: " + "; ".join(f"{d['source']} {age.text(d)}" for d in result["data"]), markup=False)
    for d in result["data"]:
        if d["warning"]:
            out.print(f"  warning: {d['warning']}", markup=False)
    if result["contributions"]:
        ref = ", ".join(f"{k} {v}" for k, v in result["reference"].items())
        out.print(f"  from the reference profile ({ref}; median {m(result['reference_p50'])}), one input at a time:",
                  markup=False)  # fmt: skip
        for c in result["contributions"]:
            out.print(f"    {c['feature']}: {c['from'] or 'any'} → {c['to']}: {c['effect']:+,} {cur}", markup=False)
    for k in result["skills"]:
        if k["known"]:
            ci = f"{k['ci_low_pct']:+.1f}% to {k['ci_high_pct']:+.1f}%"
            out.print(f"  skill {k['skill']}: {k['effect_pct']:+.1f}% ({ci}) among {k['population']}; not applied to "
                      "your range", markup=False)  # fmt: skip
        else:
            out.print(f"  skill {k['skill']}: {k['reason']}", markup=False)
