"""Child processes end with their parent, however it ends; native thread pools are capped to the CPUs free."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO

#: How long a worker may outlive its parent (it looks twice a second).
GONE_WITHIN_S = 10.0


def workers_of(pid: int) -> list[int]:
    """The spawned multiprocessing workers whose parent is `pid` (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"spawn_main" in cmd:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(check: object, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_child_ends_with_its_parent_however_the_parent_ends(sig: signal.Signals) -> None:
    """children.in_child: a worker busy for ten minutes is gone within seconds of its parent — killed (SIGKILL, no
    clean-up runs), terminated, or interrupted (SIGINT: the pool once waited for the work before exiting)."""
    code = ("import functools, time\nfrom mlsalary import children\n"
            "children.in_child(functools.partial(time.sleep, 600), timeout=900)")  # fmt: skip
    # As from a terminal: a suite started in the background inherits SIGINT ignored (a shell's `&` does that), and a
    # parent that ignores SIGINT rightly goes on working.
    parent = subprocess.Popen([sys.executable, "-c", code], env=ENV,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert wait_for(lambda: workers_of(parent.pid), 60), "no worker started"
        (worker,) = workers_of(parent.pid)
        time.sleep(1)  # the worker's watch on its parent is running
        parent.send_signal(sig)
        parent.wait(GONE_WITHIN_S)
        assert wait_for(lambda: not alive(worker), GONE_WITHIN_S), f"worker {worker} outlived its parent ({sig.name})"
    finally:
        parent.kill()
        parent.wait()


def test_a_stopped_server_leaves_no_child_behind(loaded_db: Path, tmp_path: Path) -> None:
    """`mlsalary serve` stopped with SIGTERM while its watcher's child computes the new data: the child ends too."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(loaded_db / "mlsalary.duckdb", home / "mlsalary.duckdb")  # no model: the watcher has work to do
    exe = shutil.which("mlsalary", path=str(Path(sys.executable).parent)) or "mlsalary"
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([exe, "serve", "--port", str(port), "--quiet"], env={**ENV, "MLSALARY_HOME": str(home)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        assert wait_for(lambda: workers_of(server.pid), 120), "the watcher started no child"
        children = workers_of(server.pid)
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        assert wait_for(lambda: not any(alive(c) for c in children), GONE_WITHIN_S), children
    finally:
        server.kill()
        server.wait()


def test_native_thread_pools_are_capped_to_the_cpus_free(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a busy machine the trees' OpenMP threads spun against other processes (training over 35 minutes instead of
    3): training runs with as many native threads as CPUs are free now, at least one."""
    import sklearn.ensemble  # noqa: F401  (loads the OpenMP runtime the trees use)
    from threadpoolctl import threadpool_info

    from mlsalary import children

    usable = len(os.sched_getaffinity(0))
    cpus = os.cpu_count() or usable

    def ticks(busy_cpus: float) -> None:  # /proc/stat as it reads with `busy_cpus` CPUs kept busy by others
        seq = iter([(0, 0), (round(100 * busy_cpus), 100 * cpus)])
        monkeypatch.setattr(children, "_cpu_ticks", lambda: next(seq))
        monkeypatch.setattr(children, "_own_ticks", lambda: 0)

    monkeypatch.setattr(os, "getloadavg", lambda: (float(usable) + 3, 0.0, 0.0))  # a load average still high ...
    ticks(0.0)
    assert children.native_threads() == usable  # ... after the load has gone: the CPUs free now count, no lag
    ticks(float(cpus))
    assert children.native_threads() == 1
    monkeypatch.setattr(children, "_cpu_ticks", lambda: None)  # no /proc/stat: the load average, whole CPUs
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert children.native_threads() == usable
    monkeypatch.setattr(os, "getloadavg", lambda: (float(usable) + 3, 0.0, 0.0))
    assert children.native_threads() == 1
    with children.capped_threads() as n:
        assert n == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info()), threadpool_info()


def test_training_runs_with_its_native_threads_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib

    from mlsalary import api, children
    from mlsalary.model import train

    header = ("work_year,experience_level,employment_type,job_title,salary,salary_currency,salary_in_usd,"
              "employee_residence,remote_ratio,company_location,company_size")  # fmt: skip
    rows = [f"2024,{('EN', 'MI', 'SE')[i % 3]},FT,Machine Learning Engineer,{90_000 + 997 * i},USD,"
            f"{90_000 + 997 * i},US,0,US,M" for i in range(150)]  # fmt: skip
    f = tmp_path / "salaries.csv"
    f.write_text("\n".join([header, *rows]) + "\n")
    api.pull(["aijobs"], from_path=f)
    entered: list[int] = []

    @contextlib.contextmanager
    def recording(limit: int | None = None) -> object:
        entered.append(1)
        yield 1

    monkeypatch.setattr(children, "capped_threads", recording)
    train.train(save=False)
    assert entered == [1]


def test_cpus_busy_counts_other_processes_not_this_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The busy share is read over a short window and this process's own use is taken off: a training that has just
    started its own threads does not cap itself."""
    from mlsalary import children

    cpus = os.cpu_count() or 1
    seq = iter([(0, 0), (150, 100 * cpus)])  # 1.5 CPUs busy in the window ...
    own = iter([0, 100])  # ... of which one is this process
    monkeypatch.setattr(children, "_cpu_ticks", lambda: next(seq))
    monkeypatch.setattr(children, "_own_ticks", lambda: next(own))
    assert children.cpus_busy(cpus, seconds=0) == pytest.approx(0.5)
    monkeypatch.undo()
    real = children.cpus_busy(cpus, seconds=0.05)  # the real counters: a number of CPUs, within the machine
    assert 0.0 <= real <= cpus


def test_a_pool_holds_its_workers_native_threads() -> None:
    """Training's worker processes run one native thread each, set before any native library loads (a limit set
    after sklearn had loaded OpenMP missed it: two workers of two threads each on two CPUs took 138 s, not 27)."""
    from mlsalary import children

    p = children.pool(lower=False, workers=1, native_threads=1)
    try:
        threads = p.submit(_native_threads_in_worker).result(timeout=120)
    finally:
        p.shutdown(wait=True)
    assert threads and all(n == 1 for n in threads), threads


def _native_threads_in_worker() -> list[int]:
    import sklearn.ensemble  # noqa: F401  (loads the OpenMP runtime the trees use)
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info()]


def test_training_workers_end_with_a_killed_trainer() -> None:
    """Training spreads its fits over child processes (PayQuantileModel n_jobs): when the process training is killed
    outright (SIGKILL: no clean-up runs), its workers are gone within seconds, not left fitting trees."""
    code = ("import numpy as np, pandas as pd\nfrom mlsalary.model.estimator import PayQuantileModel\n"
            "rng = np.random.default_rng(0)\n"
            "x = pd.DataFrame({'year': rng.choice([2022.0, 2023.0], 200_000), 'level': pd.Categorical("
            "rng.choice(['a', 'b'], 200_000)), 'source': pd.Categorical(['aijobs'] * 200_000)})\n"
            "PayQuantileModel(max_iter=100_000, n_jobs=2).fit(x, rng.normal(11, 0.3, 200_000))\n")  # fmt: skip
    parent = subprocess.Popen([sys.executable, "-c", code], env=ENV)
    try:
        assert wait_for(lambda: len(workers_of(parent.pid)) == 2, 120), "the training started no workers"
        workers = workers_of(parent.pid)
        time.sleep(1)  # their watch on the parent is running
        parent.kill()
        parent.wait(GONE_WITHIN_S)
        assert wait_for(lambda: not any(alive(w) for w in workers), GONE_WITHIN_S), workers
    finally:
        parent.kill()
        parent.wait()
