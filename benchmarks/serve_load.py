"""The web app over capacity, and during a pull: load shedding and the swap, measured on 127.0.0.1.

    MLSALARY_MIRROR=../shared/data python benchmarks/serve_load.py [--duration 20]

Pulls the mirror into a temporary store and trains the model first (not timed), starts `mlsalary serve` in its own
process, then:
1. **Capacity**: 8 clients ask GET /api/v1/explore back to back (real filter combinations, cycling) for --duration
   seconds; answered requests per second is explore's capacity on this machine.
2. **Overload**: explore at twice that capacity, open loop (each latency measured from when the request was due).
   Target: the excess is shed with 503 + Retry-After, and the p99 of the answered requests is at most 1 s.
3. **During a pull**: `mlsalary data pull` of every source into the same home while explore, figures, estimate and
   health are asked 30 times a second in turn, until the pull ends and 5 s after. Target: 0 errors (no 503, no 5xx).
4. **Fresh after the pull**: under the same load, the seconds from the pull's end until the sources API shows the
   new data, explore stops saying "updating", and health stops warming (every cached answer recomputed). Target: all
   within 60 s.
The health check at the overload rate is the baseline the p99 is compared with.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import time
from typing import Any

from serve import mlsalary_exe, pulled_and_trained, running_server

TARGET_P99_S = 1.0
PULL_RATE = 30.0


def explore_urls(base: str) -> list[str]:
    roles = ("ml_engineer", "data_scientist", "research_scientist", "ai_engineer", "data_engineer")
    levels = ("", "entry", "mid", "senior")
    countries = ("US", "GB", "DE", "CA", "")
    return [f"{base}/api/v1/explore?role={r}&level={lv}&country={c}"
            for r, lv, c in itertools.product(roles, levels, countries)]  # fmt: skip


async def closed_loop(urls: list[str], clients: int, duration: float) -> float:
    """Answered (200) requests a second with `clients` asking back to back."""
    import httpx

    done = 0
    stop = time.perf_counter() + duration
    cycle = itertools.cycle(urls)
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                r = await client.get(next(cycle))
                done += r.status_code == 200

        await asyncio.gather(*(worker() for _ in range(clients)))
    return done / duration


async def open_loop(requests: list[tuple[str, str, Any]], rate: float) -> dict[str, Any]:
    """Each (method, url, body) sent at its due time (rate a second); latency of each from its due time."""
    import httpx

    answered: list[float] = []
    statuses: dict[str, int] = {}
    retry_after_missing = 0
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:

        async def one(method: str, url: str, body: Any, due: float) -> None:
            nonlocal retry_after_missing
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                r = await client.request(method, url, json=body)
                key = str(r.status_code)
                if r.status_code == 503 and "retry-after" not in r.headers:
                    retry_after_missing += 1
            except httpx.HTTPError as e:
                key = type(e).__name__
            statuses[key] = statuses.get(key, 0) + 1
            if key == "200":
                answered.append(time.perf_counter() - due)

        start = time.perf_counter() + 0.2
        await asyncio.gather(*(one(m, u, b, start + i / rate) for i, (m, u, b) in enumerate(requests)))
    ms = sorted(answered)
    return {
        "requests": len(requests),
        "statuses": statuses,
        "retry_after_missing": retry_after_missing,
        "p50_s": statistics.median(ms) if ms else None,
        "p99_s": ms[min(len(ms) - 1, int(0.99 * len(ms)))] if ms else None,
    }


def wait_warm(base: str, timeout: float = 600) -> None:
    """Until the server says it is no longer taking up new data (GET /api/v1/health: warming)."""
    import httpx

    deadline = time.monotonic() + timeout
    time.sleep(2)  # the watcher's first look
    while time.monotonic() < deadline and httpx.get(base + "/api/v1/health", timeout=10).json().get("warming"):
        time.sleep(0.5)


#: Target: after a pull, every cached answer shows the new data within this many seconds.
TARGET_FRESH_S = 60.0


def _utc(moment: Any) -> Any:
    """A datetime in UTC (one without a zone is taken as UTC, as the store writes them)."""
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def time_to_fresh(base: str, since: Any, load: Any, limit: float = 900) -> dict[str, float | None]:
    """Seconds from now until the sources API shows every source retrieved after `since` (the pull's start),
    explore answers without "updating", and health stops warming (every cached answer, the figures and the model
    recomputed) — while `load` (the mix of requests) keeps coming at PULL_RATE. None: not within `limit`."""
    from datetime import datetime

    import httpx

    t0, seen = time.perf_counter(), {"sources": None, "explore": None, "all (health not warming)": None}
    while time.perf_counter() - t0 < limit and None in seen.values():
        asyncio.run(open_loop([next(load) for _ in range(int(PULL_RATE))], PULL_RATE))  # a second's load
        now = time.perf_counter() - t0
        try:
            srcs = httpx.get(base + "/api/v1/sources", timeout=10).json()["sources"]
            newer = [s["retrieved_at"] and _utc(datetime.fromisoformat(str(s["retrieved_at"]))) > since
                     for s in srcs if s["loaded"]]  # fmt: skip
            if seen["sources"] is None and all(newer):
                seen["sources"] = now
            ex = httpx.get(base + "/api/v1/explore?role=ml_engineer&country=US", timeout=10).json()
            if seen["explore"] is None and ex.get("status") != "updating":
                seen["explore"] = now
            if seen["all (health not warming)"] is None and not httpx.get(base + "/api/v1/health",
                                                                          timeout=10).json()["warming"]:
                seen["all (health not warming)"] = now
        except httpx.HTTPError:
            pass
    return seen


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of the capacity and overload runs")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    bodies = pulled_and_trained(200)
    with running_server() as base:
        import httpx

        wait_warm(base)  # the server's own start-up work (the figures, their charts, the disclosure pattern) done
        httpx.get(base + "/api/v1/figures", timeout=300).raise_for_status()  # warm
        httpx.post(base + "/api/v1/estimate", json=bodies[0], timeout=60).raise_for_status()
        urls = explore_urls(base)
        asyncio.run(closed_loop(urls, 8, 3))  # warm
        capacity = asyncio.run(closed_loop(urls, 8, args.duration))
        rate = 2 * capacity
        total = int(rate * args.duration)
        overload = asyncio.run(open_loop([("GET", u, None) for u in itertools.islice(itertools.cycle(urls), total)],
                                         rate))  # fmt: skip
        baseline = asyncio.run(open_loop([("GET", base + "/api/v1/health", None)] * total, rate))

        mix = itertools.cycle([("GET", u, None) for u in urls[:20]] + [("GET", base + "/api/v1/figures", None),
                              ("GET", base + "/api/v1/health", None)] + [("POST", base + "/api/v1/estimate", b)
                                                                        for b in bodies[:20]])  # fmt: skip
        from datetime import UTC, datetime

        pull_started = datetime.now(UTC)
        pull = subprocess.Popen([mlsalary_exe(), "data", "pull"], env=os.environ.copy(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        t0 = time.perf_counter()
        during: dict[str, Any] = {"requests": 0, "statuses": {}, "p99_s": 0.0}
        ended: float | None = None
        while ended is None or time.perf_counter() - ended < 5:  # until the pull ends, and 5 s after
            chunk = asyncio.run(open_loop([next(mix) for _ in range(int(PULL_RATE))], PULL_RATE))  # a second's worth
            during["requests"] += chunk["requests"]
            for k, v in chunk["statuses"].items():
                during["statuses"][k] = during["statuses"].get(k, 0) + v
                if ended is not None:  # of which after the pull, while the server takes up the new data
                    after = during.setdefault("after", {})
                    after[k] = after.get(k, 0) + v
            during["p99_s"] = max(during["p99_s"], chunk["p99_s"] or 0.0)
            if set(chunk["statuses"]) != {"200"}:  # when the errors came, from the pull's start
                during.setdefault("bad_seconds", []).append(
                    (round(time.perf_counter() - t0), "after" if ended is not None else "pull", chunk["statuses"]))
            if ended is None and pull.poll() is not None:
                ended = time.perf_counter()
                during["pull_s"] = ended - t0
        pull_code = pull.wait()
        pull_err = (pull.stderr.read() if pull.stderr else "").strip()
        fresh = time_to_fresh(base, pull_started, mix)
        fresh = {k: (None if v is None else v + 5.0) for k, v in fresh.items()}  # from the pull's end

    shed = overload["statuses"].get("503", 0)
    errors_in_pull = sum(v for k, v in during["statuses"].items() if k != "200")
    overload_ok = shed > 0 and overload["retry_after_missing"] == 0 and (overload["p99_s"] or 9e9) <= TARGET_P99_S
    bad_overload = sum(v for k, v in overload["statuses"].items() if k not in ("200", "503"))
    overload_ok = overload_ok and bad_overload == 0
    pull_ok = errors_in_pull == 0 and pull_code == 0
    fresh_ok = all(v is not None and v <= TARGET_FRESH_S for v in fresh.values())
    result = {"capacity_per_s": capacity, "overload_rate_per_s": rate, "overload": overload, "baseline": baseline,
              "during_pull": during, "pull_exit": pull_code, "overload_target_met": overload_ok,
              "pull_target_met": pull_ok, "fresh_after_pull_s": fresh, "fresh_target_met": fresh_ok}  # fmt: skip
    if args.json:
        print(json.dumps(result))
        return
    print(f"explore capacity on this machine: {capacity:.1f} answered requests/s (8 clients back to back)")
    o, b = overload, baseline
    print(f"overload at {rate:.1f}/s for {args.duration:g} s: {o['requests']:,} requests, statuses {o['statuses']}, "
          f"503 without Retry-After {o['retry_after_missing']}")  # fmt: skip
    print(f"  answered: p50 {o['p50_s'] * 1000:.0f} ms, p99 {o['p99_s'] * 1000:.0f} ms; health at the same rate "
          f"p99 {b['p99_s'] * 1000:.1f} ms (ratio {o['p99_s'] / b['p99_s']:.1f})")  # fmt: skip
    print(f"  target (excess shed with 503 + Retry-After, answered p99 <= {TARGET_P99_S:g} s): "
          f"{'met' if overload_ok else 'NOT met'}")  # fmt: skip
    print(f"during a full `data pull` ({during['pull_s']:.0f} s, exit {pull_code}) at {PULL_RATE:g} requests/s: "
          f"{during['requests']:,} requests, statuses {during['statuses']} (in the 5 s after it: "
          f"{during.get('after', {})}), worst second's p99 "
          f"{during['p99_s'] * 1000:.0f} ms")  # fmt: skip
    for second, phase, statuses in during.get("bad_seconds", []):
        print(f"  second {second} ({phase}): {statuses}")
    if pull_code:
        print(f"  the pull said: {pull_err[-300:]}")
    print(f"  target (0 errors during the pull): {'met' if pull_ok else 'NOT met'}")
    shown = ", ".join(f"{k} {'not within 900' if v is None else f'{v:.0f}'} s" for k, v in fresh.items())
    print(f"after the pull's end, the new data shows in: {shown}")
    print(f"  target (every cached answer within {TARGET_FRESH_S:g} s): {'met' if fresh_ok else 'NOT met'}")


if __name__ == "__main__":
    main()
