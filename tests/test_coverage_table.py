"""benchmarks/coverage_table.py: the coverage table the lead prints from the per-client
JSON lines of benchmarks.calibration_coverage."""

from __future__ import annotations

import json

import pytest

from benchmarks import coverage_table as ct

P = ct.PARAMS


def _client(i: int, covered: tuple[bool, bool, bool], z: float, ratio: float = 0.8) -> str:
    row = {"client": i, "cpu_seconds": 1.0}
    for p, c in zip(P, covered, strict=True):
        row[p] = {"truth": 0.5, "low": 0.1, "high": 0.9, "covered": c, "z": z,
                  "width_ratio": ratio, "interval_ratio": ratio, "raw_covered": False}
    return json.dumps(row)


def test_counts_bounds_and_the_combination(tmp_path, capsys):
    """Ten fake clients in two files, client 4 listed twice (its re-run, the second line,
    counts): 8, 10 and 9 covered of 10; the Clopper-Pearson bound of 9 of 10 is 0.606
    (the 5% quantile of Beta(9, 2)); with 126, 125, 129 of 138 earlier clients the counts
    add up (134, 135 and 138 of 148)."""
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    lines = [_client(i, (i >= 2, True, i != 7), z=(-1) ** i * 1.0) for i in range(6)]
    lines.insert(2, _client(4, (False, False, False), z=9.0, ratio=0.01))  # replaced below
    a.write_text("\n".join(lines) + "\n")
    b.write_text("\n".join(_client(i, (i >= 2, True, i != 7), z=(-1) ** i * 1.0)
                           for i in (4, 6, 7, 8, 9)) + "\n\n")
    res = ct.main([str(a), str(b), "--earlier", "126,125,129", "--earlier-n", "138"])
    assert res["clients"] == list(range(10))
    now = res["now"]
    assert [now[p]["covered"] for p in P] == [8, 10, 9]
    assert now[P[0]]["coverage"] == pytest.approx(0.8)
    assert now[P[0]]["se"] == pytest.approx((0.8 * 0.2 / 10) ** 0.5)
    assert now[P[2]]["lower_95"] == pytest.approx(0.6058, abs=1e-4)
    assert now[P[1]]["lower_95"] == pytest.approx(0.05 ** 0.1, abs=1e-9)  # 10 of 10
    assert now[P[0]]["z_mean"] == pytest.approx(0.0) and now[P[0]]["collapsed"] == 0
    assert now[P[0]]["raw_coverage"] == 0.0
    both = res["combined"]
    assert [(both[p]["covered"], both[p]["n"]) for p in P] == [(134, 148), (135, 148),
                                                               (138, 148)]
    out = capsys.readouterr().out
    assert "10 clients (0 to 9)" in out and "Clopper-Pearson" in out and "148" in out
    assert "effective candidates" not in out  # older lines do not record it


def test_effective_sample_sizes_are_summarised(tmp_path, capsys):
    f = tmp_path / "e.jsonl"
    rows = []
    for i, (e, note) in enumerate([(300.0, ""), (1.0, "left out"), (50.0, "")]):
        r = json.loads(_client(i, (True, True, True), 0.0))
        r.update(ess_raw=e, ess=e if not note else 700.0, weights_check=note)
        rows.append(json.dumps(r))
    f.write_text("\n".join(rows) + "\n")
    ct.main([str(f)])
    out = capsys.readouterr().out
    assert "median 50, least 1.0 (3 clients); the check fired on 1: [1]" in out


def test_bad_earlier_counts_are_refused(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text(_client(0, (True, True, True), 0.0) + "\n")
    with pytest.raises(SystemExit, match="3 parameters"):
        ct.main([str(f), "--earlier", "1,2", "--earlier-n", "5"])
    with pytest.raises(SystemExit, match="outside 0 to 5"):
        ct.main([str(f), "--earlier", "1,2,9", "--earlier-n", "5"])
    with pytest.raises(SystemExit, match="--earlier-n"):
        ct.main([str(f), "--earlier", "1,2,3"])
