"""Formatting helpers shared by the commands (Rich tables, JSON)."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

#: Terminal control a text from the data or a user's file could carry (an offer's company name, a job title, a file
#: name): escape sequences other than colours (SGR), and control characters other than newline and tab. Printed
#: as they are, they could clear the screen, retitle the window or hide text; they are removed from what the CLI
#: prints (the JSON escapes them itself).
_CONTROL = re.compile(r"\x1b\[[0-9;]*m|\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]{0,512}(?:\x07|\x1b\\)?|.?)"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # fmt: skip


def safe(text: str) -> str:
    """`text` without terminal control (colour codes, SGR, are kept: Rich writes them itself on a terminal)."""
    return _CONTROL.sub(lambda m: m.group(0) if m.group(0).endswith("m") and m.group(0).startswith("\x1b[") else "",
                        text)  # fmt: skip


class SafeWriter:
    """A text stream that passes on everything but terminal control (see `safe`)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(safe(text)))

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding, fileno … of the real stream
        return getattr(self._stream, name)


def console(stderr: bool = False) -> Any:
    """A Rich console; standard output goes through SafeWriter (the stderr console also draws progress, whose cursor
    control must pass)."""
    from rich.console import Console

    if stderr:
        return Console(stderr=True, highlight=False)
    return Console(file=SafeWriter(sys.stdout), highlight=False)  # type: ignore[arg-type]  # a text stream


def print_json(obj: Any) -> None:
    import typer

    typer.echo(safe(json.dumps(obj, indent=2, default=str, ensure_ascii=False)))


def usd(v: float | int | None) -> str:
    return amount(v, "USD")


def amount(v: float | None, currency: str = "USD") -> str:
    """An amount in its currency: $185,000 for US dollars, 95,000 EUR otherwise."""
    if v is None:
        return "—"
    return f"${v:,.0f}" if currency == "USD" else f"{v:,.0f} {currency}"


def count(v: int | None) -> str:
    return "—" if v is None else f"{v:,}"
