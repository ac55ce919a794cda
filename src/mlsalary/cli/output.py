"""Formatting helpers shared by the commands (Rich tables, JSON)."""

from __future__ import annotations

import json
from typing import Any


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def print_json(obj: Any) -> None:
    import typer

    typer.echo(json.dumps(obj, indent=2, default=str, ensure_ascii=False))


def usd(v: float | int | None) -> str:
    return "—" if v is None else f"${v:,.0f}"


def amount(v: float | None, currency: str = "USD") -> str:
    """An amount in its currency: $185,000 for US dollars, 95,000 EUR otherwise."""
    if v is None:
        return "—"
    return f"${v:,.0f}" if currency == "USD" else f"{v:,.0f} {currency}"


def count(v: int | None) -> str:
    return "—" if v is None else f"{v:,}"
