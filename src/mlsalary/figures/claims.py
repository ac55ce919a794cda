"""The claim checker: common claims about ML pay, each tied to figures, with a verdict and the numbers behind it.

Verdicts: ``supported`` (the interval of the relevant difference lies on the claimed side, beyond any size the claim
implies), ``contradicted`` (it lies on the other side), ``mixed`` (the interval includes no difference, or the
figures disagree), ``cannot be tested`` (no open source here has the data, or the figures are missing or
suppressed — the explanation says which and why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from mlsalary.figures.model import Figure, Group

VERDICTS = ("supported", "contradicted", "mixed", "cannot be tested")


@dataclass(frozen=True)
class Verdict:
    id: str
    claim: str
    verdict: str
    figures: list[str]
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Judge = Callable[[dict[str, Figure]], tuple[str, str]]


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    figures: tuple[str, ...]
    judge: Judge


def pct(x: float | None) -> str:
    return "?" if x is None else f"{x:+.1f}%"


def usd(x: float | None) -> str:
    return "?" if x is None else f"${x:,.0f}"


def interval(f: Figure) -> str:
    if f.ci_low is None or f.ci_high is None:
        return ""
    fmt = formatter(f.value_unit)
    return f" (95% interval {fmt(f.ci_low)} to {fmt(f.ci_high)}, n = {f.n:,})" if f.n else ""


def share(x: float | None) -> str:
    return "?" if x is None else f"{x:.1f}%"


def formatter(unit: str) -> Callable[[float | None], str]:
    return {"percent": pct, "share": share, "ratio": lambda x: "?" if x is None else f"{x:.2f}x"}.get(unit, usd)


def describe(f: Figure) -> str:
    fmt = formatter(f.value_unit)
    return f"{f.question} {fmt(f.value)}{interval(f)}, {', '.join(map(str, f.years))}"


def unusable(figs: dict[str, Figure], ids: tuple[str, ...]) -> str | None:
    """Why the figures cannot carry a verdict (missing source or suppressed), else None."""
    for i in ids:
        f = figs.get(i)
        if f is None:
            return f"figure {i} was not computed"
        if f.status == "source_missing":
            return f"figure {i} needs a source that is not loaded: {f.remedy}"
        if f.status != "ok":
            return f"figure {i} is suppressed: too few records for an honest number"
    return None


def gap(f: Figure, above: float = 0.0) -> str:
    """Verdict for "a is higher than b (by more than `above` %)" from a percent-gap figure's interval."""
    if f.ci_low is None or f.ci_high is None:
        return "supported" if (f.value or 0) > above else "contradicted"
    if f.ci_low > above:
        return "supported"
    if f.ci_high < 0:
        return "contradicted"
    return "mixed"


def find(f: Figure, label: str) -> Group | None:
    return next((g for g in f.groups if g.label == label and g.status == "ok"), None)


def single(fid: str, above: float = 0.0, lead: str = "") -> Judge:
    def judge(figs: dict[str, Figure]) -> tuple[str, str]:
        f = figs[fid]
        return gap(f, above), f"{lead}{describe(f)}."

    return judge


def all_of(*parts: tuple[str, float]) -> Judge:
    """Several gap figures: supported if all are, contradicted if all are, otherwise mixed."""

    def judge(figs: dict[str, Figure]) -> tuple[str, str]:
        verdicts = [gap(figs[fid], above) for fid, above in parts]
        text = " ".join(f"{describe(figs[fid])}: {v}." for (fid, _), v in zip(parts, verdicts, strict=True))
        if all(v == verdicts[0] for v in verdicts):
            return verdicts[0], text
        return "mixed", text

    return judge


def entry_below_typical(figs: dict[str, Figure]) -> tuple[str, str]:
    e, m, s = figs["entry-us-ml-median"], figs["mid-us-ml-median"], figs["senior-us-ml-median"]
    share = e.value / s.value * 100 if e.value and s.value else None
    v = "supported" if e.ci_high and m.ci_low and e.ci_high < m.ci_low else "mixed"
    return v, (
        f"US entry-level ML engineers: median {usd(e.value)}{interval(e)}; mid-level {usd(m.value)}; senior "
        f"{usd(s.value)} — entry pay is {share:.0f}% of senior pay."
        if share
        else f"Entry {usd(e.value)}, mid {usd(m.value)}."
    )


def senior_top(figs: dict[str, Figure]) -> tuple[str, str]:
    f = figs["mid-to-senior-jump"]
    s = figs["senior-us-ml-median"]
    return gap(f), f"Senior median {usd(s.value)}{interval(s)}; {describe(f)}. Executives: see the executive figure."


def specialists(figs: dict[str, Figure]) -> tuple[str, str]:
    f = figs["scientist-premium"]
    base = find(f, "no specialization")
    specs = [g for g in (find(f, "title names NLP"), find(f, "title names computer vision")) if g]
    if base is None or not specs:
        return "cannot be tested", "Too few titles name NLP or computer vision for an honest comparison."
    text = "; ".join(f"{g.label}: {usd(g.value)} (n = {g.n})" for g in specs)
    text += f"; no specialization: {usd(base.value)} (n = {base.n})."
    above = [g for g in specs if g.ci_low is not None and base.ci_high is not None and g.ci_low > base.ci_high]
    below = [g for g in specs if g.ci_high is not None and base.ci_low is not None and g.ci_high < base.ci_low]
    verdict = "supported" if len(above) == len(specs) else "contradicted" if len(below) == len(specs) else "mixed"
    return verdict, text + " Distributed-systems titles are too rare to test separately."


def hubs(figs: dict[str, Figure]) -> tuple[str, str]:
    f = figs["tech-hub-premium"]
    each = ", ".join(f"{g.label} {pct(g.value)}" for g in f.groups if g.value is not None)
    v = "supported" if (f.value or 0) > 10 and all((g.value or 0) > 0 for g in f.groups) else "mixed"
    return v, f"Published OEWS medians for data scientists vs national: {each}; weighted {pct(f.value)}."


def remote_policy(figs: dict[str, Figure]) -> tuple[str, str]:
    f = figs["remote-gap"]
    return "cannot be tested", (
        f"Open data records no employer pay policies. What it shows: {describe(f)} — a gap near zero for US remote "
        "and on-site roles says nothing about how individual employers set remote pay."
    )


def tech_finance(figs: dict[str, Figure]) -> tuple[str, str]:
    t, fin = figs["industry-tech-median"], figs["finance-vs-tech"]
    ranked = sorted((g for g in t.groups if g.value is not None), key=lambda g: -(g.value or 0))
    order = ", ".join(f"{g.label} {usd(g.value)}" for g in ranked)
    tech_top = bool(ranked) and ranked[0].label in {"tech_software", "internet_services"}
    competitive = fin.ci_low is not None and fin.ci_high is not None and fin.ci_low < 0 < fin.ci_high
    v = "supported" if tech_top and competitive else "mixed" if tech_top or competitive else "contradicted"
    return v, f"Industry medians (Kaggle, US): {order}. {describe(fin)}."


def non_core(figs: dict[str, Figure]) -> tuple[str, str]:
    t, c = figs["industry-tech-median"], figs["ml-centrality-gap"]
    tech = find(t, "tech_software")
    lower = [
        g
        for g in (find(t, i) for i in ("healthcare_pharma", "manufacturing_automotive", "retail_ecommerce"))
        if g and tech and g.ci_high is not None and tech.ci_low is not None and g.ci_high < tech.ci_low
    ]
    v_core = gap(c)
    v = "supported" if v_core == "supported" and len(lower) == 3 else "mixed" if v_core == "supported" else v_core
    names = ", ".join(g.label for g in lower) or "none of them clearly"
    return v, f"{describe(c)}. Below tech with non-overlapping intervals: {names}."


def education(figs: dict[str, Figure]) -> tuple[str, str]:
    early, late, jump = figs["education-early-career"], figs["education-experienced"], figs["mid-to-senior-jump"]
    v_early = gap(early)
    text = f"{describe(early)}. {describe(late)}. {describe(jump)}."
    if v_early == "supported" and gap(late) != "supported":
        return "supported", text
    return ("mixed" if v_early != "contradicted" else "contradicted"), text


def cannot(why: str) -> Judge:
    def judge(figs: dict[str, Figure]) -> tuple[str, str]:
        return "cannot be tested", why

    return judge


def rising(figs: dict[str, Figure]) -> tuple[str, str]:
    y, o = figs["yoy-ml-median"], figs["oews-ds-real-change"]
    v = gap(y)
    text = (
        f"{describe(y)}; real {pct(y.extra.get('real_change'))}. {describe(o)} "
        "(BLS: not designed for comparisons over time)."
    )
    if v == "supported" and (o.value or 0) > 0:
        return "supported", text
    return ("contradicted" if v == "contradicted" else "mixed"), text


def entry_competition(figs: dict[str, Figure]) -> tuple[str, str]:
    f = figs["entry-share-trend"]
    shown = [g for g in f.groups if g.value is not None]
    if len(shown) < 2:
        return "cannot be tested", "Too few years with enough rows."
    first, last = shown[0], shown[-1]
    text = (
        f"Entry-level share of ML rows: {first.label} {first.value:.1f}%, {last.label} {last.value:.1f}% "
        f"({describe(f)}). A shrinking share of entry roles is consistent with more competition for them; "
        "open data has no applicant counts."
    )
    return ("mixed" if (last.value or 0) < (first.value or 0) else "contradicted"), text


def genai(figs: dict[str, Figure]) -> tuple[str, str]:
    p, s = figs["genai-premium"], figs["genai-share-trend"]
    text = f"{describe(p)}. {describe(s)}. Reinforcement-learning titles are too rare to test."
    return gap(p), text


CLAIMS: tuple[Claim, ...] = (
    Claim("entry-below-typical", "Entry-level ML pay sits well below the field's typical pay.",
          ("entry-us-ml-median", "mid-us-ml-median", "senior-us-ml-median"), entry_below_typical),
    Claim("entry-to-mid-jump", "Pay jumps notably (more than 10%) from entry to mid level.", ("entry-to-mid-jump",),
          single("entry-to-mid-jump", 10.0)),
    Claim("specialists-out-earn", "NLP, computer-vision and distributed-systems specialists out-earn generalists.",
          ("scientist-premium",), specialists),
    Claim("senior-top-earners", "Senior engineers are among the top earners.",
          ("mid-to-senior-jump", "senior-us-ml-median"), senior_top),
    Claim("tech-hubs-pay-more", "Tech hubs pay significantly (more than 10%) more.", ("tech-hub-premium",), hubs),
    Claim("remote-pay-adjusted", "Some employers adjust remote pay to location while others don't.",
          ("remote-gap",), remote_policy),
    Claim("tech-pays-most-finance-competitive", "AI-product and tech firms pay most, and finance pays competitively.",
          ("industry-tech-median", "finance-vs-tech"), tech_finance),
    Claim("non-core-industries-pay-less", "Healthcare, automotive and e-commerce pay less where ML is not core to "
          "the business.", ("industry-tech-median", "ml-centrality-gap"), non_core),
    Claim("skills-raise-pay", "Python, deep-learning frameworks and big-data skills raise pay.",
          ("python-premium", "pytorch-vs-tensorflow", "spark-premium"),
          all_of(("python-premium", 0.0), ("pytorch-vs-tensorflow", 0.0), ("spark-premium", 0.0))),
    Claim("degrees-raise-starting-pay", "Master's and PhD degrees raise starting pay, but experience outweighs "
          "education later.", ("education-early-career", "education-experienced", "mid-to-senior-jump"), education),
    Claim("switching-beats-staying", "Switching employers beats internal raises.", (),
          cannot("No open source here follows the same people over time; it needs panel data (payroll records or a "
                 "longitudinal survey).")),
    Claim("stock-large-share", "Stock is a large share of pay at top firms.", (),
          cannot("None of the open sources here separates base, bonus and stock; it needs total-compensation "
                 "breakdowns (offers or pay stubs).")),
    Claim("ml-pay-rising", "Demand keeps ML pay rising.", ("yoy-ml-median", "oews-ds-real-change"), rising),
    Claim("entry-competition-rising", "Entry-level competition is increasing.", ("entry-share-trend",),
          entry_competition),
    Claim("genai-high-paying", "Generative AI and reinforcement learning create new high-paying roles.",
          ("genai-premium", "genai-share-trend"), genai),
)  # fmt: skip


def check(figures: list[Figure]) -> list[Verdict]:
    """Every claim's verdict from computed figures."""
    figs = {f.id: f for f in figures}
    out = []
    for c in CLAIMS:
        why = unusable(figs, c.figures)
        if why:
            verdict, text = "cannot be tested", f"Cannot be tested: {why}."
        else:
            verdict, text = c.judge(figs)
        out.append(Verdict(c.id, c.claim, verdict, list(c.figures), text))
    return out
