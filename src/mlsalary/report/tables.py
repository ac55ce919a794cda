"""Tables that read on a phone: each cell carries its column's name, so that on a narrow screen (the stylesheet's
`table.stack` rule, _tables.css.j2) a row becomes a block of "name  value" lines instead of a table wider than the
screen whose last columns (a total, a p90) sit off-screen in a sideways-scrolling box.

Used as a Jinja filter around a table the templates write: `{% filter stack %}<table>…</table>{% endfilter %}`."""

from __future__ import annotations

import html
import re

from markupsafe import Markup

#: Tables with fewer columns fit a phone as they are.
MIN_COLUMNS = 3

_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)
_HEAD = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_CELL = re.compile(r"<td\b")
_TAG = re.compile(r"<[^>]+>")
_OPEN = re.compile(r"<table\b[^>]*>")


def stack(table: str) -> Markup:
    """The table with `class="stack"` and, on every data cell, `data-label` = its column's header text. The first row
    must be the header (`<th>` cells); a table with fewer than MIN_COLUMNS columns, or none, is returned unchanged."""
    rows = _ROW.findall(table)
    heads = [html.unescape(_TAG.sub("", h)).strip() for h in _HEAD.findall(rows[0])] if rows else []
    if len(heads) < MIN_COLUMNS:
        return Markup(table)

    first = True

    def label(row: re.Match[str]) -> str:
        nonlocal first
        if first:  # the header row keeps its <th> cells
            first = False
            return row.group(0)
        cells = iter(heads)
        return _CELL.sub(lambda _: f'<td data-label="{html.escape(next(cells, ""), quote=True)}"', row.group(0))

    body = _ROW.sub(label, table)
    return Markup(_OPEN.sub(_with_class, body, count=1))


def _with_class(tag: re.Match[str]) -> str:
    classes = re.search(r'class="([^"]*)"', tag.group(0))
    if classes is None:
        return tag.group(0).replace("<table", '<table class="stack"', 1)
    return tag.group(0).replace(classes.group(0), f'class="stack {classes.group(1)}"', 1)
