"""Web API under load: a bounded, open-loop load test on 127.0.0.1 of POST /api/v1/estimate and GET /api/v1/figures,
against GET /api/v1/health (the framework's floor) at the same rate, in one run.

    MLSALARY_MIRROR=../shared/data python benchmarks/serve.py [--rate 100] [--duration 60]

Pulls the mirror into a temporary store and trains the model first (not timed), then starts `mlsalary serve` in its
own process and visits the figures, estimate and explore pages (their charts are drawn) before measuring. Requests
are sent on a fixed schedule (--rate per second, for --duration seconds per endpoint) whether or not earlier ones
have answered, and each latency is measured from the moment its request was due, so a server that falls behind is
charged for the wait. Estimate bodies cycle through real supported profiles.
Target: /api/v1/estimate p99 <= 50 ms at 100 requests/s with 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common import fresh_store_from_mirror, supported_profiles

TARGET_P99_MS = 50.0


async def load(url: str, bodies: list[Any] | None, rate: float, duration: float) -> dict[str, Any]:
    """Send rate requests a second for duration seconds on a fixed schedule; latencies from each due time."""
    import httpx

    total = int(rate * duration)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:

        async def one(i: int, due: float) -> None:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                if bodies is None:
                    r = await client.get(url)
                else:
                    r = await client.post(url, json=bodies[i % len(bodies)])
                if r.status_code != 200:
                    errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
            except httpx.HTTPError as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
            latencies.append(time.perf_counter() - due)

        start = time.perf_counter() + 0.2
        await asyncio.gather(*(one(i, start + i / rate) for i in range(total)))
        elapsed = time.perf_counter() - start
    ms = sorted(x * 1000 for x in latencies)
    return {
        "requests": total,
        "throughput_per_s": total / elapsed,
        "p50_ms": statistics.median(ms),
        "p99_ms": ms[min(len(ms) - 1, int(0.99 * len(ms)))],
        "max_ms": ms[-1],
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer within a minute")


def pulled_and_trained(profiles: int) -> list[dict[str, Any]]:
    """A fresh store pulled from the mirror and the pay model trained on it (not timed); `profiles` real estimate
    bodies the model supports."""
    fresh_store_from_mirror()

    from mlsalary import api
    from mlsalary.model.train import train

    if any(o.status != "loaded" for o in api.pull()):
        print("not every source loaded", file=sys.stderr)
    return supported_profiles(train(save=True).meta, profiles)


def mlsalary_exe() -> str:
    return str(Path(sys.executable).with_name("mlsalary"))


@contextmanager
def running_server() -> Iterator[str]:
    """`mlsalary serve` on a free local port in its own process, until the block ends; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([mlsalary_exe(), "serve", "--host", "127.0.0.1", "--port", str(port), "--quiet"],
                              env=os.environ.copy())  # fmt: skip
    try:
        wait_ready(base, server)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rate", type=float, default=100.0, help="requests a second")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load per endpoint")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load before each endpoint's")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    bodies = pulled_and_trained(500)
    with running_server() as base:
        import httpx

        for b in bodies[:20]:  # warm: the saved model is loaded once, the figures computed once
            httpx.post(base + "/api/v1/estimate", json=b, timeout=30).raise_for_status()
        httpx.get(base + "/api/v1/figures", timeout=120).raise_for_status()
        for page in ("/figures", "/estimate?role=ml_engineer&level=senior", "/explore?role=ml_engineer"):
            httpx.get(base + page, timeout=120).raise_for_status()  # the pages too: their charts are drawn
        results = {}
        for name, path, body in (
            ("health (baseline)", "/api/v1/health", None),
            ("estimate", "/api/v1/estimate", bodies),
            ("figures", "/api/v1/figures", None),
        ):
            asyncio.run(load(base + path, body, args.rate, args.warmup))  # connections open, caches warm
            results[name] = asyncio.run(load(base + path, body, args.rate, args.duration))

    floor = results["health (baseline)"]["p99_ms"]
    est = results["estimate"]
    ok = est["p99_ms"] <= TARGET_P99_MS and est["errors"] == 0
    if args.json:
        print(json.dumps({"rate": args.rate, "duration_s": args.duration, "results": results, "target_met": ok}))
        return
    print(f"{args.rate:g} requests/s for {args.duration:g} s per endpoint, server and client on this machine")
    print(f"{'endpoint':<18} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6} "
          f"{'p99 / baseline':>14}")  # fmt: skip
    for name, r in results.items():
        print(f"{name:<18} {r['requests']:>8,} {r['throughput_per_s']:>7.1f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} "
              f"{r['max_ms']:>7.1f} {r['errors']:>6} {r['p99_ms'] / floor:>14.2f}")  # fmt: skip
    verdict = "met" if ok else "NOT met"
    print(f"target (estimate p99 <= {TARGET_P99_MS:g} ms at {args.rate:g}/s, 0 errors): {verdict}")


if __name__ == "__main__":
    main()
