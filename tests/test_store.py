"""Saved results round-trip exactly, re-run bit for bit, sweeps survive faults, and no file
is ever half-written or overwritten unasked."""

from __future__ import annotations

import importlib
import io
import json
import pickle
import struct
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import womsim as wom
from womsim.app import store
from womsim.app.store import RecipeMismatchError, ResultsFileError, identical, load, rerun, save
from womsim.core.atomic import atomic_write
from womsim.core.errors import ScenarioError, WomsimError
from womsim.runner.executors import KILL_AFTER_ENV, KILL_WORKER_ENV, TaskFailedError, map_tasks

# womsim.sweep is the function; the module is needed to patch its engine call
sweep_mod = importlib.import_module("womsim.analysis.sweep")

GRID = {"service.problem_rate": [0.05, 0.1, 0.15]}


@pytest.fixture(scope="module")
def sc():
    return wom.Scenario.preset("telecom").replace(
        **{"market.people": 2000, "simulation.horizon_years": 0.25})


@pytest.fixture(scope="module")
def net():
    return wom.Network.random(2000, mean_degree=8, seed=3)


@pytest.fixture(scope="module")
def ens(sc):
    # network built from the scenario and seed: re-runnable without passing it
    return wom.simulate(sc, runs=3, seed=7, executor="serial")


@pytest.fixture(scope="module")
def ref_sweep(sc, net):
    return wom.sweep(sc, GRID, network=net, runs=2, seed=4, executor="serial")


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------ the format
def test_csv_tables_keep_every_bit_and_dtype():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2**64, size=20_000, dtype=np.uint64).view(np.float64)
    x = np.concatenate([x[np.isfinite(x)], [np.nan, np.inf, -np.inf, -0.0, 0.0, 5e-324,
                                             1.7976931348623157e308, 0.1, 1 / 3]])
    df = pd.DataFrame({"f": x, "i": np.arange(len(x), dtype=np.int64) - 5,
                       "u8": (np.arange(len(x)) % 256).astype(np.uint8),
                       "f32": np.clip(x, -1e38, 1e38).astype(np.float32),
                       "b": np.arange(len(x)) % 3 == 0})
    df.index.name = "row"
    spec, data = store._table(df, "records.csv")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("records.csv", data)
    with zipfile.ZipFile(buf) as zf:
        back = store._read_table(zf, spec, Path("mem"))
    assert list(back.dtypes) == list(df.dtypes)
    assert isinstance(back.index, pd.RangeIndex) and back.index.name == "row"
    assert store._frame_diff(df, back, "t") is None
    fin = np.isfinite(x)
    assert back["f"].to_numpy()[fin].view(np.uint64).tolist() == x[fin].view(np.uint64).tolist()
    pd.testing.assert_frame_equal(back, df)


def test_ensemble_save_load_round_trips_exactly(ens, tmp_path):
    p = ens.save(tmp_path / "today.zip")
    back = load(p)
    assert isinstance(back, wom.Ensemble)
    pd.testing.assert_frame_equal(back.records, ens.records)
    pd.testing.assert_frame_equal(back.runs, ens.runs)
    assert list(back.records.dtypes) == list(ens.records.dtypes)
    assert back.scenario == ens.scenario
    assert (back.seed, back.seeds) == (ens.seed, ens.seeds)
    assert back.network_fingerprint == ens.network_fingerprint
    assert back.meta == ens.meta
    assert identical(back, ens) and back.equals(ens)
    assert wom.Ensemble.load(p).runs.equals(ens.runs)
    # derived views work on a loaded ensemble
    pd.testing.assert_frame_equal(back.summary(), ens.summary())


def test_results_record_their_provenance_not_the_executor(ens, tmp_path):
    for key in ("womsim_version", "python_version", "numpy_version", "created"):
        assert ens.meta[key]
    assert ens.meta["womsim_version"] == wom.__version__
    assert not any("executor" in k for k in ens.meta)
    r = ens.recipe()
    assert r["kind"] == "simulate" and r["seed"] == 7 and r["seeds"] == ens.seeds
    assert r["network_fingerprint"] == ens.network_fingerprint
    assert wom.Scenario.from_dict(r["scenario"]) == ens.scenario
    p = ens.save(tmp_path / "r.zip")
    with zipfile.ZipFile(p) as zf:
        meta = json.loads(zf.read("meta.json"))
        assert sorted(zf.namelist()) == ["meta.json", "records.csv", "runs.csv"]
    assert meta["format"] == "womsim-results" and meta["type"] == "Ensemble"
    assert meta["saved"]["womsim_version"] == wom.__version__
    assert meta["ensemble"]["seeds"] == ens.seeds
    assert "executor" not in json.dumps(meta)


# ------------------------------------------------------------- never half-written
def test_refused_save_leaves_the_existing_file_untouched(ens, tmp_path):
    p = tmp_path / "today.zip"
    p.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        ens.save(p)
    assert p.read_bytes() == b"precious"
    assert _files(tmp_path) == ["today.zip"]
    ens.save(p, overwrite=True)
    assert identical(load(p), ens)


def test_crash_mid_save_leaves_no_partial_or_temp_file(ens, tmp_path, monkeypatch):
    calls = []
    real = zipfile.ZipFile.writestr

    def failing(self, name, data, *a, **k):
        calls.append(name)
        if len(calls) > 1:
            raise OSError("disk full")
        return real(self, name, data, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing)
    with pytest.raises(OSError, match="disk full"):
        ens.save(tmp_path / "new.zip")
    assert _files(tmp_path) == []
    old = tmp_path / "old.zip"
    old.write_bytes(b"old results")
    calls.clear()
    with pytest.raises(OSError, match="disk full"):
        ens.save(old, overwrite=True)
    assert old.read_bytes() == b"old results"
    assert _files(tmp_path) == ["old.zip"]


def test_atomic_write_never_half_writes(tmp_path):
    p = tmp_path / "report.txt"

    def crashing(tmp: Path) -> None:
        tmp.write_text("half a rep")
        raise RuntimeError("crash mid-write")

    with pytest.raises(RuntimeError, match="crash"):
        atomic_write(p, crashing)
    assert _files(tmp_path) == []
    atomic_write(p, "v1")
    with pytest.raises(FileExistsError):
        atomic_write(p, "v2")
    with pytest.raises(RuntimeError):
        atomic_write(p, crashing, overwrite=True)
    assert p.read_text() == "v1" and _files(tmp_path) == ["report.txt"]


def test_scenario_csv_and_edge_list_writes_refuse_to_overwrite(sc, ens, tmp_path):
    for name, write in [("s.toml", lambda f, **k: sc.to_toml(f, **k)),
                        ("r.csv", lambda f, **k: ens.to_csv(f, **k)),
                        ("e.csv", lambda f, **k: wom.Network.complete(4).to_edgelist(f, **k)),
                        ("rep.html", lambda f, **k: wom.report(ens, f, formats=["html"], **k))]:
        f = tmp_path / name
        f.write_text("keep me")
        with pytest.raises(FileExistsError):
            write(f)
        assert f.read_text() == "keep me"
        write(f, overwrite=True)
        assert f.read_text() != "keep me"
    assert wom.Scenario.from_toml(tmp_path / "s.toml") == sc
    assert not [n for n in _files(tmp_path) if n.endswith(".tmp")]


# ------------------------------------------------------------- untrusted files
def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for k, v in members.items():
            zf.writestr(k, v)
    return path


def test_load_rejects_bad_files_without_running_anything(ens, tmp_path):
    good = ens.save(tmp_path / "good.zip")
    with zipfile.ZipFile(good) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    meta = json.loads(members["meta.json"])

    def variant(name: str, **changes) -> Path:
        m = dict(members, **changes)
        return _zip(tmp_path / name, m)

    with pytest.raises(FileNotFoundError, match="not found"):
        load(tmp_path / "missing.zip")
    with pytest.raises(ResultsFileError, match="folder"):
        load(tmp_path)
    (tmp_path / "pickle.zip").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ResultsFileError, match="not a complete ZIP archive"):
        load(tmp_path / "pickle.zip")
    with pytest.raises(ResultsFileError, match=r"no meta\.json"):
        load(_zip(tmp_path / "nometa.zip", {"records.csv": b"a\n1\n"}))
    with pytest.raises(ResultsFileError, match="cannot be read"):
        load(variant("badjson.zip", **{"meta.json": b"{not json"}))
    with pytest.raises(ResultsFileError, match="format"):
        load(variant("other.zip", **{"meta.json": json.dumps({"format": "x"}).encode()}))
    newer = dict(meta, format_version=99)
    with pytest.raises(ResultsFileError, match="version 99"):
        load(variant("newer.zip", **{"meta.json": json.dumps(newer).encode()}))
    with pytest.raises(ResultsFileError, match=r"records\.csv"):
        load(variant("pickled_table.zip", **{"records.csv": pickle.dumps(ens.records)}))
    with pytest.raises(ResultsFileError, match=r"runs\.csv"):
        load(variant("short.zip", **{"runs.csv": members["runs.csv"].rsplit(b"\n", 2)[0]}))
    evil = json.loads(members["meta.json"])
    evil["ensemble"]["records"]["dtypes"][0] = "object"
    with pytest.raises(ResultsFileError, match="unsupported dtype 'object'"):
        load(variant("object.zip", **{"meta.json": json.dumps(evil).encode()}))
    bad = json.loads(members["meta.json"])
    bad["ensemble"]["scenario"]["service"]["problem_rate"] = 1.3
    with pytest.raises(ResultsFileError, match=r"service\.problem_rate = 1\.3"):
        load(variant("badscenario.zip", **{"meta.json": json.dumps(bad).encode()}))
    assert identical(load(good), ens)


# ------------------------------------------------------------- hostile files
def _patch_central(data: bytes, member: str, offset: int, fmt: str, value: int) -> bytes:
    """Change one field of ``member``'s central-directory entry (what zipfile trusts)."""
    b = bytearray(data)
    at = 0
    while (at := b.find(b"PK\x01\x02", at)) >= 0:
        n = struct.unpack_from("<H", b, at + 28)[0]
        if b[at + 46:at + 46 + n].decode() == member:
            struct.pack_into(fmt, b, at + offset, value)
            return bytes(b)
        at += 4
    raise AssertionError(member)


def _deflated(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for k, v in members.items():
            zf.writestr(k, v)
    return buf.getvalue()


@pytest.fixture(scope="module")
def good_members(ens, tmp_path_factory):
    path = ens.save(tmp_path_factory.mktemp("good") / "good.zip")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    return path.read_bytes(), members


def _hostile(data: bytes, members: dict[str, bytes]) -> dict[str, tuple[bytes, str]]:
    """Bad files, each with the words its error must contain."""
    meta = json.loads(members["meta.json"])
    cases: dict[str, tuple[bytes, str]] = {}
    cases["empty"] = (b"", "not a complete ZIP archive")
    cases["truncated"] = (data[: len(data) // 2], "not a complete ZIP archive")
    cases["cut_before_directory_end"] = (data[:-10], "not a complete ZIP archive")
    flipped = bytearray(_deflated(members))
    at = bytes(flipped).find(b"records.csv") + len("records.csv") + 40
    flipped[at] ^= 0xFF
    cases["bit_flip"] = (bytes(flipped), "'records.csv' is damaged")
    garbage = _deflated(members)
    start = garbage.find(b"records.csv") + len("records.csv")  # its data follow its name
    bad = bytearray(garbage)
    bad[start:start + 64] = b"\xff" * 64  # not a deflate stream
    cases["broken_deflate"] = (bytes(bad), "'records.csv' is damaged")
    for name, words in [("../../evil.csv", "points outside the archive"),
                        ("/etc/passwd", "absolute path"), ("C:/x.csv", "absolute path"),
                        ("..\\evil.csv", "backslash")]:
        cases[f"member {name}"] = (_deflated({**members, name: b"x"}), words)
    dup = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        with zipfile.ZipFile(dup, "w") as zf:
            for k, v in members.items():
                zf.writestr(k, v)
            zf.writestr("records.csv", b"a\n1\n")
    cases["duplicate_member"] = (dup.getvalue(), "'records.csv' is listed twice")
    other = json.loads(members["meta.json"])
    other["ensemble"]["records"]["file"] = "meta.json"
    cases["table_names_meta"] = (_deflated({**members, "meta.json": json.dumps(other).encode()}),
                                 "names table 'meta.json'")
    other["ensemble"]["records"]["file"] = "../records.csv"
    cases["table_traversal"] = (_deflated({**members,
                                           "meta.json": json.dumps(other).encode()}),
                                "names table '../records.csv'")
    cases["zip_bomb"] = (_deflated({**members, "records.csv": b"0" * (64 * 1024**2)}),
                         "zip bomb")
    cases["declares_gigabytes"] = (
        _patch_central(_deflated(members), "records.csv", 24, "<I", 4_000_000_000),
        "would expand to 4,000,000,000 bytes")
    cases["lies_about_size"] = (
        _patch_central(_deflated(members), "records.csv", 24, "<I", 10), "is damaged")
    cases["meta_bomb"] = (_deflated({**members, "meta.json": b" " * (64 * 1024**2)}),
                          "'meta.json' would expand")
    cases["encrypted"] = (_patch_central(_deflated(members), "records.csv", 8, "<H", 1),
                          "'records.csv' is encrypted")
    cases["unknown_compression"] = (
        _patch_central(_deflated(members), "records.csv", 10, "<H", 99), "cannot be read")
    for v, words in [(99, "version 99; this womsim reads up to"),
                     (True, "no valid format_version"), (0, "no valid format_version"),
                     ("1", "no valid format_version"), (None, "no valid format_version")]:
        cases[f"version {v!r}"] = (_deflated({**members, "meta.json": json.dumps(
            dict(meta, format_version=v)).encode()}), words)
    cases["nested_json"] = (_deflated({**members, "meta.json": b"[" * 100_000}),
                            "meta.json cannot be read")
    cases["json_array"] = (_deflated({**members, "meta.json": b"[1, 2]"}),
                           "not a womsim results file")
    cases["ensemble_is_a_list"] = (_deflated({**members, "meta.json": json.dumps(
        dict(meta, ensemble=[1])).encode()}), "an ensemble entry is not a table")
    wrong = json.loads(members["meta.json"])
    wrong["ensemble"]["records"] = "records.csv"
    cases["table_spec_is_text"] = (_deflated({**members, "meta.json": json.dumps(
        wrong).encode()}), "describes a table incompletely")
    return cases


def test_hostile_results_files_are_named_and_refused(good_members, tmp_path):
    import tracemalloc

    data, members = good_members
    cases = _hostile(data, members)
    assert len(cases) >= 25
    for name, (content, words) in cases.items():
        f = tmp_path / "client.zip"
        f.write_bytes(content)
        tracemalloc.start()
        with pytest.raises(ResultsFileError) as err:
            load(f)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        msg = str(err.value)
        assert str(f) in msg and words in msg, (name, msg)
        # bounded: nothing inflates past the checks (the bombs hold 64 MB and 4 GB)
        assert peak < 16 * 1024**2, (name, peak)
    f.write_bytes(data)
    assert load(f).n_runs == 3  # the good file still reads


def test_damaged_checkpoint_point_is_named_and_run_again(sc, net, ref_sweep, tmp_path):
    ck = tmp_path / "ck"
    wom.sweep(sc, GRID, network=net, runs=2, seed=4, executor="serial", checkpoint=ck)
    point = ck / "point-00001.zip"
    point.write_bytes(point.read_bytes()[:200])  # truncated, say by a full disk elsewhere
    (ck / "point-00002.zip").write_bytes(_deflated({"../../evil": b"x"}))
    with pytest.warns(UserWarning) as caught:
        again = wom.sweep(sc, GRID, network=net, runs=2, seed=4, executor="serial",
                          checkpoint=ck)
    msgs = [str(w.message) for w in caught]
    assert any("point-00001.zip is not a complete ZIP archive" in m
               and "point 1 is run again" in m for m in msgs), msgs
    assert any("point-00002.zip: member '../../evil' points outside" in m
               and "point 2 is run again" in m for m in msgs), msgs
    assert identical(again, ref_sweep)
    assert identical(load(point), ref_sweep.ensembles[1])  # replaced by a good file


def test_damaged_checkpoint_recipe_is_named(sc, net, tmp_path):
    ck = tmp_path / "ck"
    wom.sweep(sc, {"service.problem_rate": [0.05]}, network=net, runs=1, seed=4,
              executor="serial", checkpoint=ck)
    (ck / "sweep.json").write_text('{"format": "womsim-sweep-checkpoint", "grid": ')
    with pytest.raises(ResultsFileError, match=r"sweep\.json cannot be read .* use another "
                                               "folder"):
        wom.sweep(sc, {"service.problem_rate": [0.05]}, network=net, runs=1, seed=4,
                  executor="serial", checkpoint=ck)


# ----------------------------------------------------------------------- rerun
def test_rerun_from_file_is_bit_for_bit_serial(ens, tmp_path):
    p = ens.save(tmp_path / "today.zip")
    again = rerun(p, executor="serial", verify=True)
    assert identical(again, ens)


def test_rerun_in_processes_is_bit_for_bit(ens, tmp_path):
    p = ens.save(tmp_path / "today.zip")
    assert identical(rerun(p, executor="processes"), ens)


def test_rerun_checks_the_network(sc, net, tmp_path):
    ens = wom.simulate(sc, network=net, runs=2, seed=3, executor="serial")
    p = ens.save(tmp_path / "on_my_net.zip")
    with pytest.raises(RecipeMismatchError, match="pass that network as network="):
        rerun(p, executor="serial")
    other = wom.Network.random(2000, mean_degree=8, seed=99)
    with pytest.raises(RecipeMismatchError, match=other.fingerprint()):
        rerun(p, network=other, executor="serial")
    assert identical(rerun(p, network=net, executor="serial"), ens)


def test_rerun_verify_reports_a_difference(ens):
    tampered = wom.Ensemble.from_frames(ens.scenario, ens.records.copy(), ens.runs.copy(),
                                        ens.seeds, ens.seed, ens.network_fingerprint,
                                        ens.meta)
    tampered.records.loc[5, "revenue"] += 1e-9
    with pytest.raises(RecipeMismatchError, match="column 'revenue' differs"):
        rerun(tampered, executor="serial", verify=True)


def test_comparison_save_load_rerun(sc, net, tmp_path):
    cmp = wom.compare({"today": sc, "better": sc.replace(**{"complaints.resolved": 0.9})},
                      network=net, runs=2, seed=5, executor="serial")
    p = save(cmp, tmp_path / "cmp.zip")
    back = load(p)
    assert isinstance(back, wom.Comparison) and back.names == cmp.names
    assert identical(back, cmp)
    pd.testing.assert_frame_equal(back.summary(), cmp.summary())
    assert identical(rerun(p, network=net, executor="serial"), cmp)
    with pytest.raises(WomsimError, match="re-run the whole Comparison"):
        rerun(back.ensembles["better"], network=net)


def test_sweep_save_load_rerun(ref_sweep, net, tmp_path):
    p = ref_sweep.save(tmp_path / "sweep.zip")
    back = sweep_mod.SweepResult.load(p)
    assert back.points == ref_sweep.points and back.grid == ref_sweep.grid
    assert back.scenario == ref_sweep.scenario and back.seed == 4
    assert back.equals(ref_sweep)
    pd.testing.assert_frame_equal(back.summary(), ref_sweep.summary())
    assert identical(rerun(p, network=net, executor="serial"), ref_sweep)


# ------------------------------------------------------------------ map_tasks
_FLAKY: dict[int, int] = {}


def _flaky(x: int, fails: int = 1) -> int:
    _FLAKY[x] = _FLAKY.get(x, 0) + 1
    if _FLAKY[x] <= fails:
        raise RuntimeError(f"transient {x}")
    return x * 10


def _bad_input(x: int) -> int:
    _FLAKY[x] = _FLAKY.get(x, 0) + 1
    raise ScenarioError(f"bad value {x}")


@pytest.mark.parametrize("executor", ["serial", "threads"])
def test_map_tasks_retries_then_reports(executor):
    def ex():
        return ThreadPoolExecutor(2) if executor == "threads" else "serial"

    _FLAKY.clear()
    assert map_tasks(_flaky, [1, 2, 3], {"fails": 2}, executor=ex()) == [10, 20, 30]
    assert _FLAKY == {1: 3, 2: 3, 3: 3}
    _FLAKY.clear()
    with pytest.raises(TaskFailedError, match=r"point \{'p': 2\}, run 0 failed: it raised "
                       r"RuntimeError: transient 2 \(after 2 attempts\)") as err:
        map_tasks(_flaky, [2], {"fails": 5}, executor=ex(), retries=1,
                  describe=lambda i: "point {'p': 2}, run 0")
    assert err.value.failures[0][0] == 0
    # without a description the task's own exception comes back
    _FLAKY.clear()
    with pytest.raises(RuntimeError, match="transient 4"):
        map_tasks(_flaky, [4], {"fails": 5}, executor=ex(), retries=1)
    # input errors are not retried and keep their type
    _FLAKY.clear()
    with pytest.raises(ScenarioError, match="run 0: bad value 7"):
        map_tasks(_bad_input, [7], {}, executor=ex(), describe=lambda i: f"run {i}")
    assert _FLAKY == {7: 1}


def test_map_tasks_keep_going_hands_over_finished_work():
    seen: dict[int, int] = {}
    with pytest.raises(TaskFailedError, match="task 1 failed"):
        map_tasks(_bad_or_ok, [0, 1, 2], {}, executor="serial", retries=0,
                  describe=lambda i: f"task {i}", keep_going=True,
                  on_result=seen.__setitem__)
    assert seen == {0: 0, 2: 2}
    seen.clear()
    with pytest.raises(TaskFailedError):
        map_tasks(_bad_or_ok, [0, 1, 2], {}, executor="serial", retries=0,
                  describe=lambda i: f"task {i}", on_result=seen.__setitem__)
    assert seen == {0: 0}  # stops at the first failure without keep_going


def _bad_or_ok(x: int) -> int:
    if x == 1:
        raise RuntimeError("always")
    return x


# ---------------------------------------------------------------- checkpoints
def test_sweep_resumes_from_checkpoint_after_a_failure(sc, net, ref_sweep, tmp_path,
                                                       monkeypatch):
    real = sweep_mod.run_fast
    calls = []

    def broken(scenario, network, seed, **kw):
        calls.append(scenario.service.problem_rate)
        if scenario.service.problem_rate == 0.1:
            raise RuntimeError("node lost")
        return real(scenario, network, seed, **kw)

    ck = tmp_path / "ck"
    monkeypatch.setattr(sweep_mod, "run_fast", broken)
    with pytest.raises(TaskFailedError) as err:
        wom.sweep(sc, GRID, network=net, runs=2, seed=4, executor="serial", checkpoint=ck)
    msg = str(err.value)
    assert "sweep point {'service.problem_rate': 0.1} (point 2 of 3), run 0" in msg
    assert "RuntimeError: node lost (after 3 attempts)" in msg
    assert "2 of 3 points are finished and saved" in msg and "checkpoint=" in msg
    assert _files(ck) == ["point-00000.zip", "point-00002.zip", "sweep.json"]
    # a point file is an ordinary saved ensemble
    assert identical(load(ck / "point-00002.zip"), ref_sweep.ensembles[2])

    calls.clear()

    def counting(scenario, network, seed, **kw):
        calls.append(scenario.service.problem_rate)
        return real(scenario, network, seed, **kw)

    monkeypatch.setattr(sweep_mod, "run_fast", counting)
    resumed = wom.sweep(sc, GRID, network=net, runs=2, seed=4, executor="serial",
                        checkpoint=ck)
    assert calls == [0.1, 0.1]  # only the missing point ran
    assert identical(resumed, ref_sweep)
    calls.clear()
    again = wom.sweep(sc, GRID, network=net, runs=2, seed=4, executor="serial",
                      checkpoint=ck)
    assert calls == [] and identical(again, ref_sweep)


def test_transient_failure_is_retried_in_a_sweep(sc, net, ref_sweep, monkeypatch):
    real = sweep_mod.run_fast
    failed = []

    def once(scenario, network, seed, **kw):
        if not failed:
            failed.append(seed)
            raise MemoryError("transient")
        return real(scenario, network, seed, **kw)

    monkeypatch.setattr(sweep_mod, "run_fast", once)
    got = wom.sweep(sc, GRID, network=net, runs=2, seed=4, executor="serial")
    assert failed and identical(got, ref_sweep)


def test_checkpoint_of_another_sweep_is_refused(sc, net, tmp_path):
    ck = tmp_path / "ck"
    small = {"service.problem_rate": [0.05]}
    wom.sweep(sc, small, network=net, runs=1, seed=4, executor="serial", checkpoint=ck)
    with pytest.raises(RecipeMismatchError, match="different sweep: grid differs"):
        wom.sweep(sc, {"service.problem_rate": [0.06]}, network=net, runs=1, seed=4,
                  executor="serial", checkpoint=ck)
    with pytest.raises(RecipeMismatchError, match="runs differs"):
        wom.sweep(sc, small, network=net, runs=2, seed=4, executor="serial", checkpoint=ck)
    with pytest.raises(RecipeMismatchError, match="seed differs"):
        wom.sweep(sc, small, network=net, runs=1, seed=5, executor="serial", checkpoint=ck)
    with pytest.raises(RecipeMismatchError, match="network_fingerprint differs"):
        wom.sweep(sc, small, network=wom.Network.random(2000, mean_degree=8, seed=9),
                  runs=1, seed=4, executor="serial", checkpoint=ck)
    with pytest.raises(RecipeMismatchError, match=r"complaints.resolved \(saved 0.55, now"):
        wom.sweep(sc.replace(**{"complaints.resolved": 0.6}), small, network=net, runs=1,
                  seed=4, executor="serial", checkpoint=ck)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "thesis.docx").write_text("x")
    with pytest.raises(RecipeMismatchError, match="not a sweep checkpoint"):
        wom.sweep(sc, small, network=net, runs=1, seed=4, executor="serial",
                  checkpoint=other)
    assert _files(other) == ["thesis.docx"]


def test_unseeded_checkpointed_sweep_resumes_with_its_seed(sc, net, tmp_path):
    ck = tmp_path / "ck"
    small = {"service.problem_rate": [0.05, 0.1]}
    a = wom.sweep(sc, small, network=net, runs=1, executor="serial", checkpoint=ck)
    (ck / "point-00001.zip").unlink()
    b = wom.sweep(sc, small, network=net, runs=1, executor="serial", checkpoint=ck)
    assert b.seed == a.seed and identical(a, b)


def test_sweep_survives_a_killed_worker(sc, net, ref_sweep, tmp_path, monkeypatch):
    marker = tmp_path / "killed"
    monkeypatch.setenv(KILL_WORKER_ENV, str(marker))
    # a worker dies on its first task: one run's points in one pass (a paired batch), the
    # other run's batch still going
    monkeypatch.setenv(KILL_AFTER_ENV, "0")
    ck = tmp_path / "ck"
    got = wom.sweep(sc, GRID, network=net, runs=2, seed=4, executor="processes",
                    checkpoint=ck)
    assert marker.exists()  # a worker did die
    assert identical(got, ref_sweep)
    assert _files(ck) == ["point-00000.zip", "point-00001.zip", "point-00002.zip",
                          "sweep.json"]


@pytest.mark.slow
def test_rerun_on_dask_is_bit_for_bit(ens, tmp_path, dask_client):
    p = ens.save(tmp_path / "today.zip")
    assert identical(rerun(p, executor=dask_client), ens)

