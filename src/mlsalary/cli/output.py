"""Formatting helpers shared by the commands (Rich tables, JSON)."""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

#: Terminal control a text from the data or a user's file could carry (an offer's company name, a job title, a file
#: name): escape sequences other than colours (SGR), and control characters other than newline and tab. Printed
#: as they are, they could clear the screen, retitle the window or hide text; they are removed from what the CLI
#: prints (the JSON escapes them itself).
_CONTROL = re.compile(r"\x1b\[[0-9;]*m|\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]{0,512}(?:\x07|\x1b\\)?|.?)"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # fmt: skip


#: What a live progress display draws with (Rich's Progress and status, measured): colours, hiding and showing the
#: cursor, one line up, erasing the line, a carriage return. Only the standard-error stream lets these through.
_PROGRESS = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\?25[lh]|\x1b\[[0-9]*A|\x1b\[2K|\r")


def safe(text: str, progress: bool = False) -> str:
    """`text` without terminal control (colour codes, SGR, are kept: Rich writes them itself on a terminal; with
    `progress`, also what a progress display draws with, and nothing more)."""
    def keep(m: re.Match[str]) -> str:
        code = m.group(0)
        if progress:
            return code if _PROGRESS.fullmatch(code) else ""
        return code if code.endswith("m") and code.startswith("\x1b[") else ""

    return _CONTROL.sub(keep, text)


class SafeWriter:
    """A text stream that passes on everything but terminal control (see `safe`); `progress` for standard error,
    where the progress display draws."""

    def __init__(self, stream: Any, progress: bool = False) -> None:
        self._stream, self._progress = stream, progress

    def write(self, text: str) -> int:
        return int(self._stream.write(safe(text, self._progress)))

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding, fileno … of the real stream
        return getattr(self._stream, name)


def console(stderr: bool = False) -> Any:
    """A Rich console writing through SafeWriter (the stderr one lets the progress display's cursor control pass);
    every table it prints is fitted to the terminal's width (`Fitted`)."""
    from rich.console import Console
    from rich.table import Table

    class Fitting(Console):
        def print(self, *objects: Any, **kwargs: Any) -> None:
            super().print(*(Fitted(o) if isinstance(o, Table) else o for o in objects), **kwargs)

    if stderr:
        return Fitting(file=SafeWriter(sys.stderr, progress=True), highlight=False)  # type: ignore[arg-type]
    return Fitting(file=SafeWriter(sys.stdout), highlight=False)  # type: ignore[arg-type]  # a text stream


#: How far a record's "column: value" lines are indented under its heading.
INDENT = 3


class Fitted:
    """A table as it is when it fits the width without breaking a word; otherwise one record per row: the row's
    first cell (with the second when the first column is "#") as a heading, then "column: value" pairs wrapped at
    spaces. Whether a word broke is read off the table as Rich lays it out (Rich squeezes columns below their
    longest word even when a layout without a broken word exists), so the check is the output itself."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from collections import Counter

        from rich.segment import Segment
        from rich.text import Text

        t = self.table
        heads = [_plain(c.header, console) for c in t.columns]
        columns = [[_plain(c, console) for c in col.cells] for col in t.columns]
        if None in heads or any(None in col for col in columns):  # a cell that is not text: shown as it is
            yield t
            return
        words = Counter(w for text in [*heads, *(c for col in columns for c in col)] for w in str(text).split())
        lines = console.render_lines(t, options, pad=False)
        laid_out = "\n".join("".join(seg.text for seg in line) for line in lines)
        if all(laid_out.count(w) >= n for w, n in words.items()):
            for line in lines:
                yield from line
                yield Segment.line()
            return
        if t.title:
            yield Text(str(t.title), style="bold")
        label = 2 if heads[0] == "#" and len(heads) > 1 else 1
        for row in zip(*columns, strict=True):
            cells = [str(c) for c in row]
            yield Text(". ".join(c for c in cells[:label] if c), style="bold")
            rest = " · ".join(f"{h}: {v}" for h, v in zip(heads[label:], cells[label:], strict=True) if v)
            for line in Text(rest).wrap(console, max(20, options.max_width - INDENT)) if rest else ():
                yield Text(" " * INDENT) + line


def _plain(cell: Any, console: Any) -> str | None:
    """A cell's text as printed (markup read), or None for a cell that is not text."""
    from rich.text import Text

    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, str):
        return str(console.render_str(cell).plain)
    return None


@contextlib.contextmanager
def filtered() -> Iterator[None]:
    """Every line a command prints, on both streams and by whatever means (typer.echo, a console, print), passes the
    escape filter while it runs: a file name or a CSV header carrying ESC]0;…BEL cannot retitle the terminal."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeWriter(out), SafeWriter(err, progress=True)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


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


#: The --as-of option of the commands that can answer as of an earlier date (vintage).
AS_OF_HELP = ("Answer as of this date (YYYY-MM-DD): only data published by then — each aijobs.net posting from the "
              "first snapshot that held it, each survey and release from its publication.")  # fmt: skip


def as_of(text: str | None) -> AbstractContextManager[Any]:
    """The vintage block for a command's --as-of (no vintage when not given)."""
    from mlsalary import vintage

    return vintage.at(None if text is None else vintage.parse_date(text))
