"""The `mlsalary` command: a thin layer over the library. Each command parses input, calls one library function
and formats its result. Library errors (MlsalaryError) become one line on stderr and exit code 1, here, once.

Nothing heavy is imported at module level: `mlsalary --help` stays instant.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from mlsalary.errors import MlsalaryError


class _Group(TyperGroup):
    """Turns library errors into one clear line and a non-zero exit, for every command and sub-command."""

    def invoke(self, ctx: Any) -> Any:
        from mlsalary.cli.output import filtered

        with filtered():  # every line printed, on both streams, passes the escape filter
            return self._invoke(ctx)

    def _invoke(self, ctx: Any) -> Any:
        try:
            from mlsalary import config

            config.check_settings()  # a bad MLSALARY_* value is one line before any work, not a crash midway
            return super().invoke(ctx)
        except MlsalaryError as e:
            from mlsalary.cli.output import safe

            typer.echo(safe(f"error: {e}"), err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except (OSError, MemoryError, RecursionError) as e:  # the machine's limits, never an internal error
            if os.environ.get("MLSALARY_DEBUG"):
                raise
            typer.echo(f"error: {limit_message(e)}", err=True)
            raise typer.Exit(1) from None
        except Exception as e:
            if type(e).__module__.startswith("typer") or os.environ.get("MLSALARY_DEBUG"):
                raise  # usage errors, --help and exits belong to Typer
            typer.echo(
                f"internal error: {type(e).__name__}: {e} — please report it (MLSALARY_DEBUG=1 shows the traceback)",
                err=True,
            )
            raise typer.Exit(70) from None


def limit_message(e: BaseException) -> str:
    """One line for a limit of the machine that reached the CLI: a file it may not read, a full disk, no memory."""
    import errno

    if isinstance(e, MemoryError):
        return "out of memory: the machine could not hold what this needs; free memory or use a smaller file"
    if isinstance(e, RecursionError):
        return "the input is nested too deeply to read; check the file"
    filename = getattr(e, "filename", None)
    where = f"{filename}: " if filename else ""
    if getattr(e, "errno", None) == errno.ENOSPC:
        return f"{where}no space left on the device: free some space and run the command again"
    return f"{where}{getattr(e, 'strerror', None) or e}"


app = typer.Typer(
    cls=_Group,
    help="What do machine learning engineers really earn? Figures from real public data, with n and caveats.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

from mlsalary.cli import data, employers, figures, model, oews, offer, serve  # noqa: E402  (commands register on `app`)

figures.register(app)
model.register(app)
offer.register(app)
serve.register(app)
app.add_typer(data.app, name="data")
oews.register(app)
employers.register(app)


def main(argv: list[str] | None = None) -> None:
    app(args=argv if argv is not None else sys.argv[1:], prog_name="mlsalary")
