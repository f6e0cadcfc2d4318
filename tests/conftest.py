import matplotlib

matplotlib.use("Agg")  # tests never open windows


import hashlib
import os
import tempfile
from pathlib import Path

import pytest

import womsim as wom
from womsim.runner.ahead import compile_ahead

# pytest's workers are processes of their own, one a core: a market's run in each would
# take two threads (engine.cores) and the workers would take turns on the cores. The tests
# that run the two-thread path say so (test_wholemarket, test_marketsides)
os.environ.setdefault("WOMSIM_MARKET_THREADS", "1")

#: a small telecom market: enough to exercise every result type in seconds
SMALL = {"market.people": 2000, "simulation.horizon_years": 0.5}


@pytest.fixture(scope="module")
def sc():
    """The small telecom scenario (test modules may define their own ``sc``)."""
    return wom.Scenario.preset("telecom").replace(**SMALL)


@pytest.fixture(scope="module")
def lr(sc):
    """Today's lost revenue for ``sc``: 3 paired runs."""
    return wom.lost_revenue(sc, runs=3, seed=1, executor="serial")


@pytest.fixture(scope="module")
def sw(sc):
    """A two-point sweep of ``sc``'s problem rate: 2 runs per point."""
    return wom.sweep(sc, {"service.problem_rate": [0.05, 0.15]}, runs=2, seed=1,
                     executor="serial")


@pytest.fixture(scope="module")
def tor(sc):
    """A two-parameter tornado of ``sc``: 2 runs."""
    return wom.sensitivity(sc, params=["word_of_mouth.negative_mean",
                                       "complaints.intention_to_action"], runs=2, seed=1,
                           executor="serial")


@pytest.fixture(scope="session")
def tiny_calibration():
    """The smallest calibration the API allows: 200 people, one inferred parameter."""
    bank = wom.Scenario.preset("retail_bank").replace(**{"simulation.horizon_years": 1})
    return wom.calibrate(bank, {"annual_churn": 0.15, "problem_share": 0.04}, people=200,
                         infer=["complaints.intention_to_action"], sims=12, draws=50,
                         check_runs=2, executor="serial", progress=False)


@pytest.fixture(scope="session")
def jit_from_scratch(tmp_path_factory):
    """The demo's path compiled from an empty cache with the kernels compiled at install off
    (tests/test_compile_once.py), once per pytest worker: the compile signatures it saw and
    the records' digest of tests/test_aot.py's comparison by the JIT's kernels."""
    from test_compile_once import from_scratch
    return from_scratch(tmp_path_factory.mktemp("jit-from-scratch"))


@pytest.fixture(scope="session")
def dask_client():
    """A Dask client on a 2-worker LocalCluster (worker processes), shared by the Dask tests
    of one pytest worker: each cluster start costs two interpreters that import womsim and
    load its kernels (about 12 s of CPU each), more than the tests' own work."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client



# ------------------------------------------------------------ the order of tests on xdist
# With --dist worksteal, pytest-xdist hands each of its n workers a contiguous 1/n of the
# collection and lets an idle worker steal the tail of a busy one's queue. Left in file
# order, the heavy tests (notebooks, compile-from-scratch, worker pools, docs build, PDF
# print) land where they fall, and one worker can end the suite alone on them. So each
# worker's share starts with a set of heavy tests whose weights (seconds of one test, from
# `pytest --durations` under load: only their order matters; a renamed test weighs 0 and
# runs in file order) are spread longest-first over the workers; the rest follow in file
# order. The modules that start worker processes (the process pool is kept per pytest
# worker, the Dask cluster is a session fixture) go together to one worker, so that those
# start once, not once per worker.
_HEAVY: dict[str, float] = {
    "test_notebooks.py::test_notebook_runs[05_calibrate_to_your_client.ipynb]": 135,
    "test_notebooks.py::test_notebook_runs[04_scale.ipynb]": 114,
    "test_notebooks.py::test_notebook_runs[03_call_centre_staffing.ipynb]": 114,
    "test_notebooks.py::test_notebook_runs[02_what_if.ipynb]": 100,
    "test_notebooks.py::test_notebook_runs[06_outage_and_rival.ipynb]": 74,
    "test_notebooks.py::test_notebook_runs[01_quickstart.ipynb]": 50,
    "test_compile_once.py test_aot.py": 160,  # one compile from scratch (jit_from_scratch)
    "test_parallel.py test_store.py": 780,
    "test_docs.py::test_site_builds_strict": 88,
    "test_architecture.py": 40,
    "test_engine.py": 110,
    "test_report_print.py test_result_protocol.py": 105,  # tiny_calibration computed once
    "test_step_size.py::test_monthly_weekly_daily_agree[retail_bank_challenger]": 70,
    "test_step_size.py::test_monthly_weekly_daily_agree[retail_bank]": 31,
    "test_step_size.py::test_monthly_weekly_daily_agree[telecom]": 30,
    "test_cli.py": 100,
    "test_calibrate_desk.py": 60,
    "test_scenario.py": 100,
    "test_report.py": 160,
    "test_calibrate.py": 50,
    "test_jitcache.py": 38,
}
# On a fresh clone the numba cache is empty, and every process that reaches a kernel before
# some process has cached it compiles it again (the demo's kernels: 22 s of CPU). So worker
# 0 starts with in-process engine tests (they compile and cache the step's kernels) and
# worker 1 with tests that reach no kernel (the docs build, the layer checks); the tests
# that start more interpreters (worker pools, notebooks, Dask, subprocesses) come after,
# and load the kernels from the cache.
_HEADS: tuple[tuple[str, ...], ...] = (
    ("test_engine.py",),
    ("test_docs.py::test_site_builds_strict", "test_architecture.py"),
)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """On xdist's controller, before it starts the workers: compile the demo path's kernels
    (womsim.runner.ahead, with its helper process where a second core is idle).

    On a fresh clone the cache is empty and both workers would compile the same kernels at
    the same time (each ~17 s of CPU: worker 0 in test_engine.py, worker 1 in whichever
    test first runs a scenario), and any interpreter a test starts before the cache holds
    them compiles them again. The controller is otherwise idle. Tests of compiling itself
    (test_compile_once.py, test_ahead.py, test_jitcache.py) use caches of their own.
    """
    config = session.config
    if hasattr(config, "workerinput") or (getattr(config.option, "numprocesses", 0) or 0) < 2:
        return  # a worker, or one process: it compiles what it needs as it goes
    compile_ahead()


def _compile_once_across_workers() -> None:
    """In an xdist worker: compile a cached kernel for a signature in one worker at a time.

    Numba looks in its cache only when a compile starts, so two workers that reach the same
    uncached kernel close together both compile it (the whole run: ~8 s of CPU each, a
    graph builder ~2 s). Here a worker first takes a file lock named for the kernel, its
    argument types and its cache directory; the one that waits then finds the kernel cached
    and loads it (a fraction of a second) instead of compiling it again. Waiting never takes
    longer than compiling it itself would. Callees are locked inside their caller's lock;
    the call graph has no cycles, so two workers never wait for each other. Only the
    workers' own processes are affected: the tests of compiling (test_compile_once.py,
    test_ahead.py, test_jitcache.py) run theirs in fresh interpreters.
    """
    try:
        import fcntl  # POSIX only: elsewhere the workers compile as numba alone does
    except ImportError:
        return
    from numba.core import sigutils
    from numba.core.caching import NullCache
    from numba.core.compiler_lock import global_compiler_lock
    from numba.core.dispatcher import Dispatcher

    original = Dispatcher.compile
    # per user: another user's directory of locks may not be writable
    locks = Path(tempfile.gettempdir()) / f"womsim-test-compile-locks-{os.getuid()}"
    try:
        locks.mkdir(exist_ok=True)
    except OSError:
        return  # no locks: each worker compiles what it needs, as numba alone does
    held: set[str] = set()  # this process's (a second flock of one file would wait forever)

    def compile(self, sig):  # type: ignore[no-untyped-def]
        cache = getattr(self, "_cache", None)
        if cache is None or isinstance(cache, NullCache):
            return original(self, sig)
        args, _ = sigutils.normalize_signature(sig)
        key = f"{cache.cache_path}|{self.py_func.__module__}.{self.py_func.__qualname__}|{args}"
        # numba's own lock first: one thread of this process compiles at a time, so two
        # threads never hold file locks the other waits for
        with global_compiler_lock:
            if tuple(args) in self.overloads or key in held:
                return original(self, sig)
            try:
                fh = open(locks / hashlib.sha1(key.encode()).hexdigest(), "w")
            except OSError:
                return original(self, sig)
            with fh:
                fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file closes
                held.add(key)
                try:
                    return original(self, sig)
                finally:
                    held.discard(key)

    Dispatcher.compile = compile  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        _compile_once_across_workers()


def _unit(item: pytest.Item) -> str:
    """The _HEAVY key ``item`` belongs to ('' if none): a test's own, else its module's."""
    path, _, name = item.nodeid.partition("::")
    file = path.rsplit("/", 1)[-1]
    for key in (f"{file}::{name}", file):
        if key in _HEAVY:
            return key
    for key in _HEAVY:
        if file in key.split():
            return key
    return ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    if workers < 2:
        return
    units: dict[str, list[pytest.Item]] = {}
    for item in items:
        units.setdefault(_unit(item), []).append(item)
    light = units.pop("", [])
    bins: list[list[pytest.Item]] = [[] for _ in range(workers)]
    load = [0.0] * workers
    for k, heads in enumerate(_HEADS[:workers]):
        for key in heads:
            bins[k] += units.pop(key, [])
            load[k] += _HEAVY[key]
    for key in sorted(units, key=lambda k: -_HEAVY[k]):
        i = load.index(min(load))
        bins[i] += units[key]
        load[i] += _HEAVY[key]
    # xdist's first split: worker k gets len(rest) // (workers - k) of what is left
    order: list[pytest.Item] = []
    left = len(items)
    for k, heavy in enumerate(bins):
        share = left // (workers - k)
        fill = max(0, share - len(heavy))
        order += heavy + light[:fill]
        light = light[fill:]
        left -= len(heavy) + fill
    items[:] = order + light
