"""The headline figures, declared as data — id, question, unit, sources, definition (population and statistic),
duplicate policy, caveats and chart (figures.measure.FigureDef) — each beside the measure that computes it, in its
topic's module (figures.levels, location, work, filings, trends, negotiation); gathered here in the report's order.
And the questions no open source here can answer."""

from __future__ import annotations

from mlsalary.figures import filings, levels, location, negotiation, trends, work
from mlsalary.figures.measure import FigureDef

CATALOGUE: tuple[FigureDef, ...] = (*levels.FIGURES, *location.FIGURES, *work.FIGURES, *filings.FIGURES,
                                    *trends.FIGURES, *negotiation.FIGURES)  # fmt: skip


#: Questions no open source here can answer, and the data that would.
UNANSWERABLE: tuple[tuple[str, str], ...] = (
    (
        "What share of total pay is stock at top firms?",
        "Needs offer or pay-stub data that splits base, bonus and stock (e.g. self-reported total-compensation "
        "breakdowns); none of the open sources here has bonus or stock components.",
    ),
    (
        "Does switching employers beat staying for raises?",
        "Needs panel data following the same people over years (e.g. payroll or longitudinal surveys); the sources "
        "here are cross-sections.",
    ),
)
