"""The claim checker: claims about ML pay — common ones and ones others have published, with their citations — each
tied to figures and judged by the one verdict rule (stats.verdict): *supported*, *contradicted*, *no effect found*,
*inconclusive* or *cannot be tested* (with the reason); a claim of several parts asserts each of them. Each
verdict names the population its figures describe; a published claim says where mlsalary's comparison differs from
the claim's own (across jobs or within a title, postings or offers, base or total pay).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from mlsalary.figures.model import Figure, Group
from mlsalary.stats import verdict as rule

VERDICTS = rule.VERDICTS


@dataclass(frozen=True)
class Verdict:
    id: str
    claim: str
    verdict: str
    figures: list[str]
    explanation: str
    population: str = ""
    citation: str = ""
    differs: str = ""
    #: What each of its figures holds fixed (its declared strata, figures.measure.STRATA), by figure id.
    held_fixed: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def cited(self) -> str:
        """The claim with who published it."""
        return self.claim + (f" ({self.citation})" if self.citation else "")

    @property
    def numbers(self) -> str:
        """The explanation, and how mlsalary's comparison differs from the published claim's own."""
        return self.explanation + (f" {DIFFERS} {self.differs}" if self.differs else "")


#: A compared group's n that is not shown (below the privacy floor; for postings, below the minimum n).
WITHHELD = "too few to count"
#: How a published claim's own comparison is introduced, wherever a claim is shown.
DIFFERS = "How this differs from the claim's own comparison:"

#: A claim's verdict and explanation from the figures and the sizes its text states (Claim.sizes).
Judge = Callable[[dict[str, Figure], tuple[float, ...]], tuple[str, str]]


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    figures: tuple[str, ...]
    judge: Judge
    citation: str = ""  # who published the claim, where and when (empty: a common claim)
    differs: str = ""  # how mlsalary's comparison differs from the claim's own
    #: The sizes the claim's text states, in percent and in the order it states them (a range: its lower end) — what
    #: its judge tests against ("40-60% above" is judged as "more than +40%").
    sizes: tuple[float, ...] = ()


def pct(x: float | None) -> str:
    return "?" if x is None else f"{x:+.1f}%"


def usd(x: float | None) -> str:
    return "?" if x is None else f"${x:,.0f}"


def interval(f: Figure) -> str:
    if f.ci_low is None or f.ci_high is None:
        return ""
    fmt = formatter(f.value_unit)
    if f.compared:  # a comparison: each group's n, as its headline gives them
        n = " vs ".join(WITHHELD if c["n"] is None else f"{c['n']:,}" for c in f.compared)
    else:
        n = f"{f.n:,}" if f.n else ""
    return f" (95% interval {fmt(f.ci_low)} to {fmt(f.ci_high)}, n = {n})" if n else ""


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
        if f.not_yet_public:
            return f"figure {i} has no data: {f.caveats[-1]}"
        if f.status == "source_missing":
            return f"figure {i} needs a source that is not loaded: {f.remedy}"
        if f.status != "ok":
            return f"figure {i} is suppressed: too few records for an honest number"
    return None


def gap(f: Figure, above: float = 0.0, direction: int = 1) -> str:
    """The verdict rule on a percent-gap figure: "a is higher than b (by more than `above` %)"; a change over time
    is negligible within the band of its span (rule.negligible_over)."""
    return rule.judge(f.ci_low, f.ci_high, direction, above, negligible=negligible_for(f))


def span(f: Figure) -> float:
    """The years a figure's change covers (its first to its last year)."""
    return float(f.years[-1] - f.years[0]) if len(f.years) > 1 else 1.0


def negligible_for(f: Figure) -> float:
    """The negligible band of a figure's difference: a change over time scales with its span, a gap does not."""
    return rule.negligible_over(span(f)) if f.topic == "trends" and f.value_unit == "percent" else rule.NEGLIGIBLE


def find(f: Figure, label: str) -> Group | None:
    return next((g for g in f.groups if g.label == label and g.status == "ok"), None)


def single(fid: str) -> Judge:
    """One gap figure: "higher than the other group (by more than the claim's size, if it states one)", which the
    explanation states."""

    def judge(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
        f = figs[fid]
        above = sizes[0] if sizes else 0.0
        size = f"; the claim is {above:+g}% or more" if above else ""
        return gap(f, above), f"{describe(f)}{size}."

    return judge


def all_of(*fids: str) -> Judge:
    """Several gap figures, each "higher" (by more than its size, when the claim states one per figure): one verdict
    by the rule's combination (stats.verdict.combine)."""

    def judge(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
        aboves = sizes or (0.0,) * len(fids)
        verdicts = [gap(figs[fid], above) for fid, above in zip(fids, aboves, strict=True)]
        text = " ".join(f"{describe(figs[fid])}: {v}." for fid, v in zip(fids, verdicts, strict=True))
        return rule.combine(verdicts), text

    return judge


def est(g: Group) -> Any:
    from mlsalary import stats

    return stats.Estimate(g.value, g.ci_low, g.ci_high, g.n or 0, "")


def group_gap(a: Group, b: Group) -> tuple[float | None, float | None, float | None]:
    """a / b - 1 in percent, with the Price-Bonett interval from the two groups' own intervals."""
    from mlsalary import stats

    r = stats.ratio(est(a), est(b))
    return tuple(None if x is None else (x - 1) * 100 for x in (r.value, r.ci_low, r.ci_high))  # type: ignore[return-value]


def against(pairs: list[tuple[str, Group | None, float]], base: Group | None, base_name: str, direction: int = 1,
            why: str = "too few records for an honest comparison") -> tuple[list[str], list[str]]:
    """Each named group (with the size a claim gives it, 0 for none) against one base group, by the verdict rule:
    (the verdicts, a sentence each)."""
    parts, text = [], []
    for name, g, size in pairs:
        if g is None or base is None:
            parts.append("cannot be tested")
            text.append(f"{name}: {why}")
            continue
        v, lo, hi = group_gap(g, base)
        parts.append(rule.judge(lo, hi, direction, size))
        claimed = f"; claimed {size:+g}%" if size else ""
        text.append(f"{name} vs {base_name} {pct(v)} (95% interval {pct(lo)} to {pct(hi)}; n {g.n:,} vs "
                    f"{base.n:,}{claimed})")  # fmt: skip
    return parts, text


def entry_below_typical(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    e, m, s, j = (figs[i] for i in ("entry-us-ml-median", "mid-us-ml-median", "senior-us-ml-median",
                                     "entry-to-mid-jump"))  # fmt: skip
    share = e.value / s.value * 100 if e.value and s.value else None
    return gap(j), (f"US entry-level ML engineers: median {usd(e.value)}{interval(e)}; mid-level {usd(m.value)}; "
                    f"senior {usd(s.value)}" + (f" — entry pay is {share:.0f}% of senior pay" if share else "")
                    + f". {describe(j)}.")  # fmt: skip


def senior_top(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    f = figs["mid-to-senior-jump"]
    s = figs["senior-us-ml-median"]
    return gap(f), f"Senior median {usd(s.value)}{interval(s)}; {describe(f)}. Executives: see the executive figure."


def specialists(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    f = figs["scientist-premium"]
    base = find(f, "no specialization")
    named = {"NLP": "title names NLP", "computer vision": "title names computer vision",
             "distributed systems": "title names distributed systems"}  # fmt: skip
    parts, text = against([(name, find(f, label), 0.0) for name, label in named.items()], base,
                          "no specialization", why="too few titles for an honest comparison")
    tested = [p for p in parts if p != "cannot be tested"]
    return rule.combine(parts), "; ".join(text) + (f". The claim names {len(parts)} specializations; {len(tested)} can "
                                                   "be tested.")


def hubs(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    f = figs["tech-hub-premium"]
    each = ", ".join(f"{g.label} {pct(g.value)}" for g in f.groups if g.value is not None)
    return gap(f, sizes[0]), (f"Published OEWS medians for data scientists vs national: {each}; {describe(f)}; the "
                              f"claim is more than {sizes[0]:+g}%.")  # fmt: skip


def remote_policy(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    f = figs["remote-gap"]
    return "cannot be tested", (
        f"Open data records no employer pay policies. What it shows: {describe(f)} — a gap near zero for US remote "
        "and on-site roles says nothing about how individual employers set remote pay."
    )


def tech_finance(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    t, fin = figs["industry-tech-median"], figs["finance-vs-tech"]
    tech = find(t, "tech_software")
    others = [g for g in t.groups if g.status == "ok" and g.label not in ("tech_software", "internet_services")]
    tops = []
    for g in others:
        _, lo, hi = group_gap(tech, g) if tech else (None, None, None)
        tops.append(rule.judge(lo, hi))
    top = rule.combine(tops) if tops else "cannot be tested"
    competitive = rule.same(fin.ci_low, fin.ci_high)  # within 5% of tech, either way
    ranked = sorted((g for g in t.groups if g.value is not None), key=lambda g: -(g.value or 0))
    order = ", ".join(f"{g.label} {usd(g.value)}" for g in ranked)
    return rule.combine([top, competitive]), (
        f"Industry medians (Kaggle, US): {order}. Tech above each other industry: {top}. {describe(fin)}: finance "
        f"competitive (within {rule.NEGLIGIBLE:g}% of tech): {competitive}."
    )


def non_core(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    t = figs["industry-tech-median"]
    industries = ("healthcare_pharma", "manufacturing_automotive", "retail_ecommerce")
    parts, text = against([(i, find(t, i), 0.0) for i in industries], find(t, "tech_software"), "tech/software",
                          direction=-1, why="too few respondents")
    return rule.combine(parts), "; ".join(text) + (
        ". Whether ML is core to those employers is not in the comparison: the ML-in-production figure is "
        "suppressed when its comparable groups are too thin.")


def education(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    early, late, jump = figs["education-early-career"], figs["education-experienced"], figs["mid-to-senior-jump"]
    outweighs = rule.exceeds(jump.ci_low, jump.ci_high, late.ci_low, late.ci_high)
    text = (f"{describe(early)}: {gap(early)}. {describe(late)}. {describe(jump)}: experience outweighs the degree "
            f"later: {outweighs}.")  # fmt: skip
    return rule.combine([gap(early), outweighs]), text


def cannot(why: str) -> Judge:
    def judge(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
        return "cannot be tested", why

    return judge


def rising(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    y, o = figs["yoy-ml-median"], figs["oews-ds-real-change"]
    real = rule.judge(y.extra.get("real_change_ci_low"), y.extra.get("real_change_ci_high"),
                      negligible=rule.negligible_over(span(y)))
    text = (
        f"{describe(y)}: nominal {gap(y)}; real {pct(y.extra.get('real_change'))} (95% interval "
        f"{pct(y.extra.get('real_change_ci_low'))} to {pct(y.extra.get('real_change_ci_high'))}): {real}. "
        f"{describe(o)}: {gap(o)} (BLS: not designed for comparisons over time)."
    )
    return rule.combine([real, gap(o)]), text


def entry_scarcer(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    f = figs["entry-share-trend"]
    lo, hi = f.extra.get("change_ci_low"), f.extra.get("change_ci_high")
    if lo is None or hi is None:
        return "cannot be tested", "The posting era has fewer than two years."
    era = int(f.extra["era_start"] or 0)
    held = ""
    if "change_pp_unadjusted" in f.extra:  # held within strata: the unadjusted change is said beside it
        from mlsalary.figures.measure import said

        held = (f" with the same {said(f.held_fixed)} (unadjusted {f.extra['change_pp_unadjusted']:+.1f} "
                "points)")  # fmt: skip
    return f.answer, (f"Within the posting era (from {era}), the entry-level share of ML postings moved "
                      f"{f.extra['change_pp']:+.1f} points (95% interval {lo:+.1f} to {hi:+.1f}){held}; latest "
                      f"{share(f.value)}. Open data has no applicant counts, so competition itself is not measured.")


def genai(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    p, s = figs["genai-premium"], figs["genai-share-trend"]
    grows = s.answer  # the figure's own answer to "growing?", by the same rule (figures.headline)
    text = (f"{describe(p)}: {gap(p)}. GenAI titles' share of postings, within the posting era: "
            f"{s.extra.get('change_pp') or 0:+.1f} points: {grows}. Reinforcement-learning titles are too rare to "
            "test.")  # fmt: skip
    return rule.combine([grows, gap(p)]), text


def ai_skill_counts(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    f = figs["ai-skill-premium"]
    one, more = sizes
    claimed = [("one AI library", find(f, "one AI library"), one), ("two or more", find(f, "two or more"), more)]
    parts, text = against(claimed, find(f, "no AI library"), "none")
    return rule.combine(parts), "; ".join(text) + "."


def ai_vs_masters(figs: dict[str, Figure], sizes: tuple[float, ...]) -> tuple[str, str]:
    """The AI premium at least its claimed size and above the master's premium (the study's own master's figure, the
    second size, is said beside ours)."""
    ai, m = figs["ai-skill-premium"], figs["education-early-career"]
    ai_size, masters = sizes
    above = gap(ai, ai_size)
    beats = rule.exceeds(ai.ci_low, ai.ci_high, m.ci_low, m.ci_high)
    return rule.combine([above, beats]), (f"{describe(ai)}: {ai_size:g}% or more: {above}. {describe(m)} (the "
                                          f"study's {masters:g}%): the AI premium above the master's: {beats}.")


LIGHTCAST = "Lightcast, 'Beyond the Buzz: Developing the AI Skills Employers Actually Need', July 2025"
ALEKSEEVA = ("Alekseeva, Azar, Giné, Samila and Taska (2021), 'The demand for AI skills in the labor market', "
             "Labour Economics 71:102002")
OII = ("Bone, González Ehlinger and Stephany (2025), 'Skills or degree? The rise of skill-based hiring for AI and "
       "green jobs', Technological Forecasting and Social Change")
HAKIA = "hakia.com, AI/ML engineer career guide (salary section)"
PWC = "PwC, Global AI Jobs Barometer, 2025"

CLAIMS: tuple[Claim, ...] = (
    Claim("entry-below-typical", "Entry-level ML pay sits well below the field's typical pay.",
          ("entry-us-ml-median", "mid-us-ml-median", "senior-us-ml-median", "entry-to-mid-jump"),
          entry_below_typical),
    Claim("entry-to-mid-jump", "Pay jumps notably (more than 10%) from entry to mid level.", ("entry-to-mid-jump",),
          single("entry-to-mid-jump"), sizes=(10.0,)),
    Claim("specialists-out-earn", "NLP, computer-vision and distributed-systems specialists out-earn generalists.",
          ("scientist-premium",), specialists),
    Claim("senior-top-earners", "Senior engineers are among the top earners.",
          ("mid-to-senior-jump", "senior-us-ml-median"), senior_top),
    Claim("tech-hubs-pay-more", "Tech hubs pay significantly (more than 10%) more.", ("tech-hub-premium",), hubs,
          sizes=(10.0,)),
    Claim("remote-pay-adjusted", "Some employers adjust remote pay to location while others don't.",
          ("remote-gap",), remote_policy),
    Claim("tech-pays-most-finance-competitive", "AI-product and tech firms pay most, and finance pays competitively.",
          ("industry-tech-median", "finance-vs-tech"), tech_finance),
    Claim("non-core-industries-pay-less", "Healthcare, automotive and e-commerce pay less where ML is not core to "
          "the business.", ("industry-tech-median",), non_core),
    Claim("skills-raise-pay", "Python, deep-learning frameworks and big-data skills raise pay.",
          ("python-premium", "dl-framework-premium", "spark-premium"),
          all_of("python-premium", "dl-framework-premium", "spark-premium")),
    Claim("degrees-raise-starting-pay", "Master's and PhD degrees raise starting pay, but experience outweighs "
          "education later.", ("education-early-career", "education-experienced", "mid-to-senior-jump"), education),
    Claim("switching-beats-staying", "Switching employers beats internal raises.", (),
          cannot("No open source here follows the same people over time; it needs panel data (payroll records or a "
                 "longitudinal survey).")),
    Claim("stock-large-share", "Stock is a large share of pay at top firms.", (),
          cannot("None of the open sources here separates base, bonus and stock; it needs total-compensation "
                 "breakdowns (offers or pay stubs).")),
    Claim("ml-pay-rising", "Demand keeps ML pay rising (after inflation).", ("yoy-ml-median", "oews-ds-real-change"),
          rising),
    Claim("entry-roles-scarcer", "Entry-level ML jobs are becoming scarcer (a shrinking share of postings).",
          ("entry-share-trend",), entry_scarcer),
    Claim("genai-high-paying", "Generative AI creates new, high-paying roles.",
          ("genai-premium", "genai-share-trend"), genai),
    Claim("ml-in-production-pays-more", "Employers with ML in production pay more than those without ML.",
          ("ml-centrality-gap",), single("ml-centrality-gap")),
    # --- claims others have published, with their citations
    Claim("lightcast-ai-skills-28-43", "One AI skill adds 28% to posted pay; two or more add 43%.",
          ("ai-skill-premium",), ai_skill_counts, LIGHTCAST, sizes=(28.0, 43.0), differs=
          "Lightcast compares job postings across all occupations (posted pay); here: US full-time developers' "
          "self-reported pay (Stack Overflow 2024), across developer roles, AI skill = using an AI/ML library."),
    Claim("alekseeva-within-title-5", "AI skills add 5% to pay within the same job title.",
          ("ai-skill-within-role",), single("ai-skill-within-role"), ALEKSEEVA, sizes=(5.0,), differs=
          "The paper uses US job postings 2010-2019 with firm and job-title fixed effects (posted pay); here: "
          "developers' self-reported pay within a developer role (Stack Overflow 2024), no firm effects."),
    Claim("oii-ai-23-over-masters-13", "AI skills carry a 23% premium, more than a master's degree (13%).",
          ("ai-skill-premium", "education-early-career"), ai_vs_masters, OII, sizes=(23.0, 13.0), differs=
          "The study uses UK job postings (posted pay); here: US developers' self-reported pay for the AI skill "
          "and US Kaggle respondents' pay bands (early career, master's vs bachelor's) for the degree."),
    Claim("hakia-genai-40", "GenAI/LLM specialists earn 40-60% above baseline ML salaries.",
          ("genai-premium",), single("genai-premium"), HAKIA, sizes=(40.0,), differs=
          "The guide gives no method or data; here: US full-time postings' posted ranges (midpoints), GenAI "
          "titles including AI Engineer against every other ML practitioner title, the same year."),
    Claim("hakia-phd-15", "A PhD adds 15-30% to pay.",
          ("education-experienced",), single("education-experienced"), HAKIA, sizes=(15.0,), differs=
          "The guide gives no method or data; here: US Kaggle respondents at senior level, doctorate vs "
          "bachelor's within the same role, pay bands (a survey, not offers)."),
    Claim("pwc-ai-56", "AI skills carry a 56% wage premium.",
          ("ai-skill-within-role",), single("ai-skill-within-role"), PWC, sizes=(56.0,), differs=
          "PwC compares postings requiring AI skills with others in the same occupation, worldwide (posted pay); "
          "here: US full-time developers' self-reported pay (Stack Overflow 2024), within the same developer role."),
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
            verdict, text = c.judge(figs, c.sizes)
            if c.citation and verdict != "cannot be tested":  # another population than the study's: say whose
                text += f" The verdict is for this population ({c.differs.split('here: ')[-1].rstrip('.')}), not " \
                        "for the source's own."
        population = "; ".join(f"{i}: {figs[i].definition}" for i in c.figures if i in figs)
        held = {i: list(figs[i].held_fixed) for i in c.figures if i in figs}
        out.append(Verdict(c.id, c.claim, verdict, list(c.figures), text, population, c.citation, c.differs, held))
    return out
