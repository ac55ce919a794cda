"""`mlsalary serve`: the web app and the JSON API on a local port."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the web app (figures, explore, estimate, offer, claims, sources) and the JSON API (/api/v1; its schema is
    at /openapi.json). Open http://127.0.0.1:8000/ in a browser.

    Example: mlsalary serve --port 8000
    """
    import os
    import threading

    import uvicorn

    if host not in ("0.0.0.0", "::"):  # the address it is bound to is a name it answers to
        os.environ["MLSALARY_ALLOWED_HOSTS"] = ",".join(filter(None, [os.environ.get("MLSALARY_ALLOWED_HOSTS"), host]))

    from mlsalary.web import pages
    from mlsalary.web.app import create_app

    threading.Thread(target=pages.warm, daemon=True).start()  # the model and the figures, before anyone asks
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
