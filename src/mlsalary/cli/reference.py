"""docs/cli.md, generated from the commands' own help (`python -m mlsalary.cli.reference > docs/cli.md`)."""

from __future__ import annotations

import inspect
from typing import Any


def _commands(group: Any, prefix: list[str]) -> list[tuple[list[str], Any]]:
    out: list[tuple[list[str], Any]] = []
    for name in sorted(group.commands):
        cmd = group.commands[name]
        if getattr(cmd, "commands", None):
            out += _commands(cmd, [*prefix, name])
        else:
            out.append(([*prefix, name], cmd))
    return out


def markdown() -> str:
    from typer.main import get_command

    from mlsalary.cli import app

    root = get_command(app)
    lines = [
        "# `mlsalary` command reference",
        "",
        "Generated from the commands' help by `python -m mlsalary.cli.reference > docs/cli.md`;",
        "a test fails when a command is missing or its help changed.",
        "",
    ]
    for path, cmd in _commands(root, []):
        lines += [f"## `mlsalary {' '.join(path)}`", "", inspect.cleandoc(cmd.help or ""), ""]
        params = [p for p in cmd.params if p.name != "help"]
        if params:
            lines += ["| argument / option | help | default |", "| --- | --- | --- |"]
            for p in params:
                names = ", ".join(f"`{o}`" for o in p.opts) if p.param_type_name == "option" else f"`{p.name.upper()}`"
                default = (
                    ""
                    if p.default in (None, False) or callable(p.default)
                    else f"`{getattr(p.default, 'value', p.default)}`"
                )
                lines.append(f"| {names} | {getattr(p, 'help', '') or ''} | {default} |")
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")
