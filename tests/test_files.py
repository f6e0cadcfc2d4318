"""Files womsim writes: all or none, never half a pair, errors that name the target path.

We run as root in CI, so a chmod-ed folder is still writable: the read-only and full-disk
cases are made by a path under a file (a real error of the file system) and by making
the file system calls raise the errors a read-only folder or a full disk gives.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest

import womsim as wom
from womsim.app.cli import EXIT_INPUT, main
from womsim.core import atomic
from womsim.core.atomic import atomic_write, atomic_write_all


def _no_temps(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_write_all_writes_every_file(tmp_path):
    out = atomic_write_all([(tmp_path / "a.txt", "A"), (tmp_path / "b.bin", b"\x00B"),
                            (tmp_path / "c.txt", lambda p: p.write_text("C"))])
    assert [p.name for p in out] == ["a.txt", "b.bin", "c.txt"]
    assert (tmp_path / "b.bin").read_bytes() == b"\x00B"
    assert (tmp_path / "c.txt").read_text() == "C"
    assert _no_temps(tmp_path)


def test_one_existing_target_refuses_all(tmp_path):
    (tmp_path / "b.txt").write_text("old")
    with pytest.raises(FileExistsError, match=r"b\.txt exists; pass overwrite=True"):
        atomic_write_all([(tmp_path / "a.txt", "A"), (tmp_path / "b.txt", "B")])
    assert not (tmp_path / "a.txt").exists()
    assert (tmp_path / "b.txt").read_text() == "old"
    assert _no_temps(tmp_path)


def test_same_target_twice_refused(tmp_path):
    with pytest.raises(wom.WomsimError, match="named twice"):
        atomic_write_all([(tmp_path / "a.txt", "A"), (tmp_path / "." / "a.txt", "B")])


def test_failing_writer_leaves_existing_pair_untouched(tmp_path):
    a, b = tmp_path / "r.html", tmp_path / "r.xlsx"
    a.write_text("old html")
    b.write_text("old xlsx")

    def full_disk(p: Path) -> None:
        p.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match=r"r\.xlsx.*disk is full") as info:
        atomic_write_all([(a, "new html"), (b, full_disk)], overwrite=True)
    assert info.value.errno == errno.ENOSPC
    assert a.read_text() == "old html" and b.read_text() == "old xlsx"
    assert _no_temps(tmp_path)


def test_failed_rename_puts_the_first_file_back(tmp_path, monkeypatch):
    a, b, c = tmp_path / "r.html", tmp_path / "r.xlsx", tmp_path / "r.pptx"
    a.write_text("old html")
    b.write_text("old xlsx")  # c does not exist yet
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if Path(dst) == b and len([d for d in calls if Path(d) == b]) == 1:
            raise OSError(errno.EIO, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    with pytest.raises(OSError, match=r"r\.xlsx"):
        atomic_write_all([(c, "new pptx"), (a, "new html"), (b, "new xlsx")], overwrite=True)
    assert a.read_text() == "old html" and b.read_text() == "old xlsx"
    assert not c.exists()  # written first, then taken back
    assert _no_temps(tmp_path)


def test_read_only_folder_named(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    target = tmp_path / "today.toml"
    with pytest.raises(PermissionError, match=r"cannot write .*today\.toml.*no permission"):
        wom.Scenario().to_toml(target)
    assert not target.exists()


def test_path_under_a_file_named(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("x")
    with pytest.raises(NotADirectoryError, match=r"notes\.txt is a file, not a folder"):
        atomic_write(f / "r.html", "x")


def test_full_disk_on_save_named_and_nothing_left(tmp_path, monkeypatch):
    ens = wom.simulate(wom.Scenario().replace(**{"market.people": 200,
                                                  "simulation.horizon_years": 0.1}),
                       runs=1, seed=1, executor="serial")
    real = atomic._fill

    def full(tmp, content, path):
        real(tmp, content, path)
        raise atomic._os_error(OSError(errno.ENOSPC, "No space left on device"), path)

    monkeypatch.setattr(atomic, "_fill", full)
    with pytest.raises(OSError, match=r"r\.zip.*disk is full"):
        ens.save(tmp_path / "r.zip")
    assert list(tmp_path.iterdir()) == []


def test_permissions_are_the_usual_ones(tmp_path):
    umask = os.umask(0o022)
    try:
        p = atomic_write(tmp_path / "a.txt", "x")
    finally:
        os.umask(umask)
    assert p.stat().st_mode & 0o777 == 0o644


# ---------------------------------------------------------------------------- report
@pytest.fixture(scope="module")
def damage():
    return wom.market_damage(wom.Scenario.preset("telecom"))


def test_report_all_or_none_when_a_format_fails(damage, tmp_path, monkeypatch):
    out = wom.report(damage, tmp_path / "r")
    old = {k: p.read_bytes() for k, p in out.items()}
    real = atomic._fill

    def full_on_xlsx(tmp, content, path):  # the workbook meets a full disk
        if path.suffix == ".xlsx":
            raise atomic._os_error(OSError(errno.ENOSPC, "No space left on device"), path)
        real(tmp, content, path)

    monkeypatch.setattr(atomic, "_fill", full_on_xlsx)
    with pytest.raises(OSError, match=r"r\.xlsx.*disk is full"):
        wom.report(damage, tmp_path / "r", overwrite=True)
    assert {k: p.read_bytes() for k, p in out.items()} == old  # the html was not replaced
    with pytest.raises(OSError):
        wom.report(damage, tmp_path / "fresh")
    assert not (tmp_path / "fresh.html").exists()
    assert _no_temps(tmp_path)


def test_report_refuses_when_one_of_the_pair_exists(damage, tmp_path):
    (tmp_path / "r.xlsx").write_text("client's own workbook")
    with pytest.raises(FileExistsError, match=r"r\.xlsx"):
        wom.report(damage, tmp_path / "r")
    assert not (tmp_path / "r.html").exists()
    assert (tmp_path / "r.xlsx").read_text() == "client's own workbook"


def test_cli_hint_names_the_flag(tmp_path, capsys):
    sc = tmp_path / "s.toml"
    wom.Scenario().replace(**{"market.people": 100, "simulation.horizon_years": 0.1}
                           ).to_toml(sc)
    (tmp_path / "rep.html").write_text("keep")
    code = main(["run", str(sc), "--runs", "1", "--quiet", "--report", str(tmp_path / "rep")])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT
    assert "--overwrite" in err and "overwrite=True" not in err


def test_cli_write_error_is_one_line(tmp_path, capsys):
    sc = tmp_path / "s.toml"
    wom.Scenario().replace(**{"market.people": 100, "simulation.horizon_years": 0.1}
                           ).to_toml(sc)
    (tmp_path / "f").write_text("a file")
    code = main(["run", str(sc), "--runs", "1", "--quiet", "--csv",
                 str(tmp_path / "f" / "out.csv")])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT and "out.csv" in err and "Traceback" not in err



# -------------------------------------------------------------------------- messages
def test_toml_with_a_byte_order_mark_reads(tmp_path):
    sc = wom.Scenario().replace(**{"service.problem_rate": 0.07})
    plain = sc.to_toml(tmp_path / "plain.toml")
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())  # as Windows Notepad saves it
    assert wom.Scenario.from_toml(bom) == sc
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xef\xbb\xbf[service]\nproblem_rate = 1.3\n")
    with pytest.raises(wom.ScenarioError, match=r"bad\.toml, line 2: service\.problem_rate"):
        wom.Scenario.from_toml(bad)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_toml_in_utf16_is_named_as_such(tmp_path, encoding):
    f = tmp_path / "wide.toml"
    f.write_text("[service]\nproblem_rate = 0.1\n", encoding=encoding)
    with pytest.raises(wom.ScenarioError, match=r"wide\.toml: the file is UTF-16 or UTF-32"
                                                 r" text .* save it as UTF-8"):
        wom.Scenario.from_toml(f)


def test_toml_not_utf8_names_the_line(tmp_path):
    f = tmp_path / "latin.toml"
    f.write_bytes(b'name = "ok"\ndescription = "caf\xe9"\n')
    with pytest.raises(wom.ScenarioError, match=r"latin\.toml, line 2: not a UTF-8 text"):
        wom.Scenario.from_toml(f)


@pytest.mark.parametrize("value", [5, 0.1, "0.1", b"01", {0.1: 1}, np.array(0.1),
                                   np.float64(0.1), True])
def test_sweep_with_one_value_says_so(value):
    sc = wom.Scenario().replace(**{"market.people": 100, "simulation.horizon_years": 0.1})
    with pytest.raises(wom.WomsimError, match=r"'service\.problem_rate' = .* is (one value|a "
                                               r"dict), not a list of values: write"):
        wom.sweep(sc, {"service.problem_rate": value}, runs=1, seed=1, executor="serial")
