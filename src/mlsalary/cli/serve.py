"""`mlsalary serve`: the web app and the JSON API on a local port."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
    quiet: Annotated[bool, typer.Option("--quiet", help="No ready line and no request log.")] = False,
) -> None:
    """Serve the web app (figures, explore, estimate, offer, claims, sources) and the JSON API (/api/v1; its schema is
    at /openapi.json). Open http://127.0.0.1:8000/ in a browser.

    Example: mlsalary serve --port 8000
    """
    import os
    import threading

    import uvicorn

    check_address(host, port)  # before any thread starts: a refusal is one line, never an abort at exit
    if host not in ("0.0.0.0", "::"):  # the address it is bound to is a name it answers to
        os.environ["MLSALARY_ALLOWED_HOSTS"] = ",".join(filter(None, [os.environ.get("MLSALARY_ALLOWED_HOSTS"), host]))

    from mlsalary.web import pages
    from mlsalary.web.app import create_app

    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"mlsalary: serving http://{shown}:{port}/ (the API under /api/v1; Ctrl-C stops)", err=quiet)
    # The model and the figures, before anyone asks, and again whenever a pull swaps in new data.
    threading.Thread(target=pages.watch, daemon=True).start()
    # Not quiet: uvicorn says when it is ready and logs one line per request.
    uvicorn.run(create_app(), host=host, port=port, log_level="warning" if quiet else "info", access_log=not quiet)


def check_address(host: str, port: int) -> None:
    """InputError naming --host or --port unless this machine can listen there (an address of one of its interfaces,
    or a name resolving to one, and a port free to bind)."""
    import errno
    import socket

    from mlsalary.errors import InputError

    fix = "use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
    try:
        family, kind, proto, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError, ValueError):
        raise InputError(f"--host {host!r} is not an address or a name of this machine: {fix}", "host") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(where)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise InputError(f"--port {port}: another program listens there already; choose another port, "
                                 "e.g. --port 8001", "port") from None  # fmt: skip
            raise InputError(f"--host {host!r}: cannot listen there ({e.strerror}): {fix}", "host") from None
