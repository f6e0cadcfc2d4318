"""The results file's registry of result kinds (womsim.core.codec): a kind registered next to
its class saves, loads and compares through the one format; anything else is refused."""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from womsim.core import codec
from womsim.core.errors import WomsimError


class Tally:
    """A minimal result kind: one table and a label."""

    def __init__(self, label: str, table: pd.DataFrame) -> None:
        self.label = label
        self.table = table


def _write(t: Tally):
    spec, data = codec.write_table(t.table, "tally/table.csv")
    return {"label": t.label, "table": spec}, {spec["file"]: data}


def _read(meta, zf, path):
    return Tally(str(meta["label"]), codec.read_table(zf, meta["table"], path))


def _diff(a: Tally, b: Tally):
    return ("labels differ" if a.label != b.label
            else codec.frame_diff(a.table, b.table, "table"))


@pytest.fixture
def tally_kind():
    codec.register("Tally", Tally, _write, _read, _diff, tables=(r"tally/table\.csv",))
    yield
    codec._KINDS.pop("Tally")


def test_a_registered_kind_round_trips_exactly(tally_kind, tmp_path):
    t = Tally("q1", pd.DataFrame({"x": [0.1, 1 / 3, float("nan")], "n": [1, 2, 3]}))
    path = codec.save(t, tmp_path / "t.zip")
    back = codec.load(path)
    assert isinstance(back, Tally) and back.label == "q1"
    assert codec.identical(t, back)
    assert codec.difference(t, Tally("q2", t.table)) == "labels differ"
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("meta.json"))
    assert meta["type"] == "Tally" and meta["format"] == codec.FORMAT
    assert set(meta["saved"]) >= {"womsim_version", "created"}


def test_unregistered_kinds_are_refused_by_name(tmp_path):
    with pytest.raises(WomsimError, match=r"cannot save a Tally: womsim saves .*Ensemble"):
        codec.save(Tally("q", pd.DataFrame({"x": [1.0]})), tmp_path / "t.zip")
    # a file naming a kind this womsim does not know (here: one registered elsewhere)
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta.json", json.dumps({"format": codec.FORMAT, "format_version": 1,
                                             "type": "Tally"}))
    with pytest.raises(codec.ResultsFileError, match="unknown result type 'Tally'"):
        codec.load(path)


def test_a_kind_reads_only_its_own_tables(tally_kind, tmp_path):
    t = Tally("q", pd.DataFrame({"x": [1.0]}))
    path = codec.save(t, tmp_path / "t.zip")
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("meta.json"))
        table = zf.read("tally/table.csv")
    meta["table"]["file"] = "meta.json"  # point the table at another member
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("meta.json", json.dumps(meta))
        zf.writestr("tally/table.csv", table)
    with pytest.raises(codec.ResultsFileError, match="not one of the file's tables"):
        codec.load(bad)


def test_every_result_of_the_package_is_registered():
    import womsim as wom

    kinds = codec.kinds()
    for name, cls in [("Ensemble", wom.Ensemble), ("Comparison", wom.Comparison),
                      ("Calibration", wom.Calibration)]:
        assert kinds[name].cls is cls
    assert "SweepResult" in kinds
