"""`mlsalary serve`: the JSON API on a local port."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the JSON API (/api/v1: figures, claims, estimate, offer, sources, health; schema at /openapi.json).

    Example: mlsalary serve --port 8000
    """
    import uvicorn

    from mlsalary.web.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
