"""Tests of womsim.network.graph.Network and its edge sources (womsim.network.generators)."""

from __future__ import annotations

import doctest
import gzip
import math
import pickle
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from womsim.core.errors import EdgeListError, NetworkError
from womsim.network import generators
from womsim.network import graph as network_module
from womsim.network.graph import EdgeListNotFoundError, Network


# ------------------------------------------------------------------------- helpers
def assert_csr(net: Network) -> None:
    """Every CSR invariant, checked independently of Network.validate."""
    indptr, indices = net.indptr, net.indices
    assert indptr.dtype == np.int64 and indptr.shape == (net.n + 1,)
    assert indices.dtype == np.int32
    assert not indptr.flags.writeable and not indices.flags.writeable
    assert indptr[0] == 0 and indptr[-1] == indices.size
    assert np.all(np.diff(indptr) >= 0)
    rows = np.repeat(np.arange(net.n), np.diff(indptr))
    assert not np.any(indices == rows), "self-loop"
    same_row = rows[1:] == rows[:-1]
    assert np.all(np.diff(indices.astype(np.int64))[same_row] > 0), "unsorted or repeated"
    mat = net.to_scipy()
    assert (mat != mat.T).nnz == 0, "not symmetric"
    net.validate()


def edge_set(net: Network, use_labels: bool = False) -> set[frozenset]:
    u, v = net.edges()
    if use_labels:
        u, v = net.id_to_label(u), net.id_to_label(v)
    return {frozenset((a, b)) for a, b in zip(u.tolist(), v.tolist(), strict=True)}


def write(tmp_path: Path, text: str, name: str = "edges.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------- from_edges
def test_from_edges_drops_and_counts_loops_and_duplicates():
    net = Network.from_edges([0, 1, 1, 2, 2, 3, 0], [1, 0, 1, 3, 3, 2, 1], n=5)
    assert net.n == 5 and net.n_edges == 2
    assert net.info["self_loops_dropped"] == 1
    assert net.info["duplicates_dropped"] == 4  # 1-0, 0-1 again, 2-3 twice more
    assert net.degrees().tolist() == [1, 1, 1, 1, 0]
    assert_csr(net)
    summary = net.summary()
    assert summary["isolated_nodes"] == 1
    assert summary["self_loops_dropped"] == 1 and summary["duplicates_dropped"] == 4


def test_from_edges_pairs_form_and_inferred_n():
    net = Network.from_edges(np.array([[0, 3], [3, 1]]))
    assert net.n == 4
    assert net.neighbors(3).tolist() == [0, 1]


@pytest.mark.parametrize(
    ("u", "v", "n", "match"),
    [
        ([0, 1, -3], [1, 2, 0], None, r"u\[2\] = -3 is negative"),
        ([0, 1], [1, 7], 5, r"v\[1\] = 7 is out of range.*0\.\.4"),
        ([0, 1.5], [1, 2], None, r"u\[1\] = 1\.5 is not an integer"),
        ([0, 1], [float("nan"), 2], None, r"v\[0\] is nan"),
        (["a", "b"], [1, 2], None, r"u\[0\] = 'a' is not an integer"),
        ([0, 1], [1], None, "same length"),
        ([], [], None, "at least one node"),
        ([0], [1], 0, "at least one node"),
    ],
)
def test_from_edges_rejects_bad_ids(u, v, n, match):
    with pytest.raises(NetworkError, match=match):
        Network.from_edges(u, v, n=n)


def test_from_edges_isolated_only_and_float_ids():
    net = Network.from_edges([], [], n=3)
    assert net.n_edges == 0 and net.summary()["isolated_nodes"] == 3
    assert Network.from_edges([0.0, 1.0], [1.0, 2.0]).n_edges == 2


def test_labels_mapping_both_ways():
    net = Network.from_edges([0, 1], [1, 2], labels=["ann", "bob", "cy"])
    assert net.label_to_id("cy") == 2
    assert net.label_to_id(["cy", "ann"]).tolist() == [2, 0]
    assert net.id_to_label(1) == "bob"
    assert net.id_to_label(np.array([2, 0])).tolist() == ["cy", "ann"]
    with pytest.raises(NetworkError, match=r"unknown node label.*'dan'"):
        net.label_to_id("dan")
    with pytest.raises(NetworkError, match=r"unique.*'a'"):
        Network.from_edges([0], [1], labels=["a", "a"])
    with pytest.raises(NetworkError, match="one entry per node"):
        Network.from_edges([0], [1], n=2, labels=["a", "b", "c"])
    plain = Network.complete(3)
    assert plain.label_to_id(2) == 2 and plain.id_to_label(1) == 1
    with pytest.raises(NetworkError):
        plain.label_to_id(3)


# ------------------------------------------------------------------ CSR invariants
GENERATED = {
    "scale_free": lambda: Network.scale_free(3000, m=4, seed=1),
    "small_world": lambda: Network.small_world(3000, k=6, p=0.3, seed=1),
    "random_dense_path": lambda: Network.random(1500, mean_degree=7, seed=1),
    "random_sparse_path": lambda: Network.random(5000, mean_degree=7, seed=1),
    "communities_dense_path": lambda: Network.communities([600, 400], 6, 2, seed=1),
    "communities_sparse_path": lambda: Network.communities([3000, 2000, 1000], 6, 2, seed=1),
    "complete": lambda: Network.complete(30),
    "edgelist": lambda: Network.from_edgelist(pd.DataFrame({"s": ["a", "b"], "t": ["b", "c"]})),
}


@pytest.mark.parametrize("kind", GENERATED)
def test_csr_invariants(kind):
    net = GENERATED[kind]()
    assert_csr(net)
    assert net.info["generator"] in {"scale_free", "small_world", "random", "communities",
                                     "complete", "from_edgelist"}


def test_arrays_are_read_only_and_survive_pickling():
    net = Network.communities([50, 50], 4, 1, seed=2)
    with pytest.raises(ValueError):
        net.indices[0] = 5
    with pytest.raises(ValueError):
        net.neighbors(0)[0] = 1
    with pytest.raises(ValueError):
        net.block[0] = 1
    back = pickle.loads(pickle.dumps(net))
    assert back == net and back.fingerprint() == net.fingerprint()
    assert not back.indices.flags.writeable and not back.block.flags.writeable


def test_row_starts_are_indptr_in_half_the_bytes_kept_and_not_pickled():
    # what the cascade's kernels read: the same numbers as indptr, int32, read-only
    from womsim.network.csr import row_starts32

    net = Network.scale_free(2000, m=3, seed=4)
    rows = net._row_starts()
    assert rows.dtype == np.int32 and not rows.flags.writeable
    assert np.array_equal(rows, net.indptr)
    assert net._row_starts() is rows  # made once
    back = pickle.loads(pickle.dumps(net))
    assert back.__dict__["_rows32"] is None  # not sent to workers: made again there
    assert np.array_equal(back._row_starts(), rows)
    # past 2**31 edge slots the numbers do not fit: int64, unchanged
    wide = np.array([0, 2**31 - 1, 2**31], dtype=np.int64)
    assert row_starts32(wide).dtype == np.int64
    assert np.array_equal(row_starts32(wide), wide)
    assert row_starts32(wide[:2]).dtype == np.int32


def test_constructor_copies_caller_arrays_and_checks_invariants():
    indptr = np.array([0, 1, 2], dtype=np.int64)
    indices = np.array([1, 0], dtype=np.int32)
    net = Network(indptr, indices)
    indices[0] = 0  # the caller's array stays theirs
    assert net.indices.tolist() == [1, 0] and indices.flags.writeable
    with pytest.raises(NetworkError, match="one direction"):
        Network([0, 1, 1], [1])
    with pytest.raises(NetworkError, match="self-loop"):
        Network([0, 1], [0])
    with pytest.raises(NetworkError, match="strictly increasing"):
        Network([0, 2, 3, 4], [2, 1, 0, 0])
    with pytest.raises(NetworkError, match="at least one node"):
        Network([0], [])


# ------------------------------------------------------------------------ networkx
def test_networkx_round_trip_with_string_labels():
    G = nx.Graph()
    G.add_edges_from([("ann", "bob"), ("bob", "cy"), ("cy", "ann"), ("dan", "ann")])
    G.add_node("eve")  # no friends
    net = Network.from_networkx(G)
    assert net.labels.tolist() == ["ann", "bob", "cy", "dan", "eve"]
    assert net.n_edges == 4 and net.summary()["isolated_nodes"] == 1
    back = net.to_networkx(use_labels=True)
    assert set(back.nodes) == set(G.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in G.edges}
    numbered = net.to_networkx()
    assert numbered.nodes[0]["label"] == "ann"
    assert Network.from_networkx(numbered) == net  # labels come back from the attribute


def test_networkx_round_trip_integer_nodes_and_blocks():
    G = nx.gnm_random_graph(300, 900, seed=4)
    net = Network.from_networkx(G)
    assert net.labels is None
    assert edge_set(net) == {frozenset(e) for e in G.edges}
    sbm = Network.communities([40, 60], 5, 1, seed=3)
    G2 = sbm.to_networkx()
    assert G2.nodes[45]["block"] == 1
    assert Network.from_networkx(G2) == sbm
    assert G2.graph["name"] == "communities"


def test_networkx_non_contiguous_and_odd_labels_are_kept():
    G = nx.Graph([(1, 2), (2, 3)])  # 1-based ids
    net = Network.from_networkx(G)
    assert net.labels.tolist() == [1, 2, 3] and net.label_to_id(3) == 2
    T = nx.Graph([((0, 0), (0, 1)), ((0, 1), (1, 1))])  # grid-style tuple labels
    tnet = Network.from_networkx(T)
    assert tnet.labels.shape == (3,) and tnet.label_to_id((1, 1)) == 2
    assert edge_set(tnet, use_labels=True) == {frozenset(e) for e in T.edges}


def test_networkx_directed_multigraph_and_loops_are_counted():
    D = nx.DiGraph([(0, 1), (1, 0), (1, 2), (2, 2)])
    net = Network.from_networkx(D)
    assert net.n_edges == 2
    assert net.info["duplicates_dropped"] == 1 and net.info["self_loops_dropped"] == 1
    M = nx.MultiGraph([(0, 1), (0, 1), (1, 2)])
    assert Network.from_networkx(M).info["duplicates_dropped"] == 1
    with pytest.raises(NetworkError, match="no nodes"):
        Network.from_networkx(nx.Graph())


def test_networkx_other_label_and_block_attributes_are_ignored():
    G = nx.path_graph(3)
    nx.set_node_attributes(G, {0: "x", 1: "x", 2: "y"}, "label")  # not unique: not labels
    nx.set_node_attributes(G, {0: "consumer", 1: "business", 2: "consumer"}, "block")
    net = Network.from_networkx(G)
    assert net.labels is None and net.block is None and net.n_edges == 2


# ---------------------------------------------------------------------- edge lists
def test_edgelist_whitespace_comments_blank_lines(tmp_path):
    path = write(tmp_path, "# friends of friends\n\n0 1\n1\t2   \n  # indented comment\n"
                           "2 0  # inline comment\n\n3 0\n")
    net = Network.from_edgelist(path)
    assert net.labels is None and net.n == 4 and net.n_edges == 4
    assert net.name == "edges"
    assert_csr(net)


def test_edgelist_comma_header_and_string_labels(tmp_path):
    path = write(tmp_path, "source,target\nann, bob\nbob,cy\n\"smith, jo\",ann\n", "f.csv")
    net = Network.from_edgelist(path)
    assert net.labels.tolist() == ["ann", "bob", "cy", "smith, jo"]  # order of appearance
    assert edge_set(net, use_labels=True) == {frozenset(p) for p in
                                              [("ann", "bob"), ("bob", "cy"), ("smith, jo", "ann")]}


@pytest.mark.parametrize("header", ["from to", "u;v", "node1\tnode2", "Source Target"])
def test_edgelist_header_variants(tmp_path, header):
    sep = ";" if ";" in header else ("\t" if "\t" in header else " ")
    path = write(tmp_path, f"{header}\n1{sep}2\n2{sep}3\n")
    net = Network.from_edgelist(path)
    assert net.n_edges == 2 and net.labels.tolist() == [1, 2, 3]


def test_edgelist_numeric_file_with_non_numeric_first_line_is_header(tmp_path):
    path = write(tmp_path, "person friend\n0 1\n1 2\n")
    assert Network.from_edgelist(path).n_edges == 2


def test_edgelist_header_after_comments_bom_and_crlf(tmp_path):
    path = write(tmp_path, "# exported\n\n  \nsource target\n1 2\n\n2 3\n")
    assert Network.from_edgelist(path).labels.tolist() == [1, 2, 3]
    excel = tmp_path / "excel.csv"
    excel.write_bytes(b"\xef\xbb\xbfSource,Target\r\nann,bob\r\nbob,cy\r\n")
    assert Network.from_edgelist(excel).labels.tolist() == ["ann", "bob", "cy"]


def test_edgelist_weight_column_is_ignored(tmp_path):
    path = write(tmp_path, "0,1,0.5\n1,2,2\n2,0,1e-3\n")
    net = Network.from_edgelist(path)
    assert net.n_edges == 3 and net.labels is None


def test_edgelist_counts_loops_and_duplicates(tmp_path):
    path = write(tmp_path, "a b\nb a\na a\nb c\nb c\n")
    net = Network.from_edgelist(path)
    assert net.n_edges == 2
    assert net.info["self_loops_dropped"] == 1 and net.info["duplicates_dropped"] == 2


def test_edgelist_names_that_look_missing_stay_names(tmp_path):
    path = write(tmp_path, "NA null\nnull None\n")
    assert Network.from_edgelist(path).labels.tolist() == ["NA", "null", "None"]


@pytest.mark.parametrize(
    ("text", "line", "found"),
    [
        ("0 1\n1 2\n# note\n\n2\n3 4\n", 5, "found 1"),
        ("0,1\n1,2\n2,3,4\n", 3, "found 3"),
        ("# c\n0 1 2 3\n", 2, "found 4"),
        ("7\n", 1, "found 1"),
        ("0 1 0.5\n1 2 heavy\n", 2, "'heavy' is not a number"),
        ("0 1 x\n", 1, "'x' is not a number"),
        ("a,b\nc,\n", 2, "empty field"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, text, line, found):
    path = write(tmp_path, text, "bad.txt")
    with pytest.raises(EdgeListError, match=rf"bad\.txt, line {line}: .*{found}") as err:
        Network.from_edgelist(path)
    shown = text.splitlines()[line - 1]
    assert repr(shown) in str(err.value)


def test_edgelist_missing_and_empty_files(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(EdgeListNotFoundError, match=r"nope\.csv"):
        Network.from_edgelist(missing)
    with pytest.raises(FileNotFoundError):
        Network.from_edgelist(str(missing))
    with pytest.raises(EdgeListError, match="no edges"):
        Network.from_edgelist(write(tmp_path, "# only a comment\n\n"))
    with pytest.raises(EdgeListError, match="directory"):
        Network.from_edgelist(tmp_path)
    with pytest.raises(EdgeListError, match="sep"):
        Network.from_edgelist(write(tmp_path, "0 1\n"), sep="|")


def test_edgelist_gzip(tmp_path):
    path = tmp_path / "e.txt.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("# gz\nx y\ny z\n")
    net = Network.from_edgelist(path)
    assert net.labels.tolist() == ["x", "y", "z"] and net.name == "e"


def test_edgelist_dataframe_sources():
    named = pd.DataFrame({"weight": [1, 2], "Target": ["b", "c"], "Source": ["a", "b"]})
    net = Network.from_edgelist(named)
    assert net.labels.tolist() == ["a", "b", "c"] and net.n_edges == 2
    dense = Network.from_edgelist(pd.DataFrame([[0, 1], [1, 2]]))
    assert dense.labels is None and dense.n == 3
    with pytest.raises(EdgeListError, match=r"row 1 .*'t'"):
        Network.from_edgelist(pd.DataFrame({"s": ["a", "b"], "t": ["b", None]}))
    with pytest.raises(EdgeListError, match="two columns"):
        Network.from_edgelist(pd.DataFrame({"s": [1]}))


def test_to_edgelist_round_trip_and_refuses_overwrite(tmp_path):
    net = Network.scale_free(500, m=3, seed=5)
    path = net.to_edgelist(tmp_path / "net.csv")
    back = Network.from_edgelist(path)
    assert back == net  # no isolated nodes, ids written in order
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        Network.complete(3).to_edgelist(path)
    assert path.read_bytes() == before
    Network.complete(3).to_edgelist(path, overwrite=True)
    assert Network.from_edgelist(path).n_edges == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.csv"]  # no temp files left


def test_to_edgelist_with_labels_and_isolated_nodes(tmp_path):
    net = Network.from_edges([0, 1], [1, 2], n=4, labels=["a", "b c", "d,e", "f"])
    path = net.to_edgelist(tmp_path / "lab.tsv", sep="\t")
    assert "1 isolated nodes not listed" in path.read_text().splitlines()[0]
    back = Network.from_edgelist(path)
    assert edge_set(back, use_labels=True) == edge_set(net, use_labels=True)
    with pytest.raises(NetworkError, match="'#'"):
        Network.from_edges([0], [1], labels=["a", "#b"]).to_edgelist(tmp_path / "x.csv")


# ------------------------------------------------ edge lists: ids, round trips, streaming
@pytest.mark.parametrize(
    ("text", "line", "bad"),
    [("0 1\n1.5 2\n", 2, "1.5"), ("0 1\n1 nan\n", 2, "nan"), ("0 1\n1 inf\n", 2, "inf"),
     ("0,1\n+5,1\n", 2, "+5"), ("-0 1\n", 1, "-0"), ("0 1\n1e3 4\n", 2, "1e3"),
     ("ann bob\nbob 2.0\n", 2, "2.0"), ("a;b\nb;-007\n", 2, "-007"),
     ("0 1\n1 Infinity\n", 2, "Infinity"), ("0 1\n-1.5 1\n", 2, "-1.5")],
)
def test_edgelist_ids_that_are_numbers_but_not_whole_are_refused(tmp_path, text, line, bad):
    with pytest.raises(EdgeListError, match=rf"ids\.txt, line {line}: node id "
                                            rf"'{re.escape(bad)}' reads as a number"):
        Network.from_edgelist(write(tmp_path, text, "ids.txt"))


def test_edgelist_distinct_labels_stay_distinct(tmp_path):
    net = Network.from_edgelist(write(tmp_path, "007 7\n7 0007\n0007 -7\n"))
    assert net.labels.tolist() == ["007", "7", "0007", "-7"] and net.n_edges == 3
    mixed = Network.from_edgelist(write(tmp_path, "7 8\n8 ann\n"))
    assert mixed.labels.tolist() == ["7", "8", "ann"]  # one name: every id is text
    numbers = Network.from_edgelist(write(tmp_path, "-3 4\n4 10\n"))
    assert numbers.labels.tolist() == [-3, 4, 10] and numbers.labels.dtype == np.int64
    words = Network.from_edgelist(write(tmp_path, "True False\nFalse TRUE\n"))
    assert words.labels.tolist() == ["True", "False", "TRUE"]


def test_edgelist_frame_ids_taken_as_typed():
    net = Network.from_edgelist(pd.DataFrame({"s": [7, "7", "007"], "t": ["007", 1.0, 7]}))
    assert net.labels.tolist() == [7, "007", "7", 1] and net.n_edges == 2  # 7-"007" twice
    assert Network.from_edgelist(pd.DataFrame({"s": [0.0, 1.0], "t": [1.0, 2.0]})).n == 3
    for df, bad in [(pd.DataFrame({"s": [1, 1.5], "t": [2, 3]}), "1.5"),
                    (pd.DataFrame({"s": [1.0, np.inf], "t": [2, 3]}), "inf"),
                    (pd.DataFrame({"s": ["a", "b"], "t": ["b", 2.5]}), "2.5"),
                    (pd.DataFrame({"s": [True, False], "t": [1, 2]}), "True"),
                    (pd.DataFrame({"s": ["a", True], "t": ["b", "c"]}), "True")]:
        with pytest.raises(EdgeListError, match=rf"row \d+ .*column '[st]' holds .*{bad}"):
            Network.from_edgelist(df)


def _labelled(net: Network) -> tuple[set, list]:
    """The friendships between labelled people, and the labels of everyone with a friend."""
    return edge_set(net, use_labels=True), sorted(
        map(repr, net.id_to_label(np.flatnonzero(net.degrees() > 0))))


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_to_edgelist_round_trip_with_colliding_labels(tmp_path, sep):
    names = ["007", "7", "0007", "-7", "ann", "smith, jo", 'say "hi"', "a;b", "tab\there",
             "NA", "null", "True", "x"]
    rng = np.random.default_rng(3)
    u = rng.integers(0, len(names), 60)
    v = (u + 1 + rng.integers(0, len(names) - 1, 60)) % len(names)
    net = Network.from_edges(u, v, labels=names)
    back = Network.from_edgelist(net.to_edgelist(tmp_path / "e.txt", sep=sep))
    assert _labelled(back) == _labelled(net)
    assert all(isinstance(x, str) for x in back.labels)
    ints = Network.from_edges([0, 1, 2], [1, 2, 3], labels=[10, -3, 7, 0])
    again = Network.from_edgelist(ints.to_edgelist(tmp_path / "i.txt", sep=sep))
    assert _labelled(again) == _labelled(ints) and again.labels.dtype == np.int64


@pytest.mark.parametrize(
    ("labels", "why"),
    [(["a", "1.5"], "reads as a number"), (["a", " b"], "space"), (["a", ""], "empty"),
     (["7", "8"], "every label is a whole number"), ([7, "a"], "not text but int"),
     ([(0, 1), (1, 1)], "not text but tuple"), (["a", "b#c"], "'#'"),
     (["a", "nan"], "reads as a number")],
)
def test_to_edgelist_refuses_labels_it_cannot_give_back(tmp_path, labels, why):
    net = Network.from_edges([0], [1], labels=labels)
    with pytest.raises(NetworkError, match=re.escape(why)):
        net.to_edgelist(tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
    plain = Network.from_edgelist(net.to_edgelist(tmp_path / "x.csv", labels=False))
    assert plain.labels is None and plain.n_edges == 1


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz"])
def test_compressed_edge_list_known_by_its_first_bytes(tmp_path, kind):
    import bz2
    import lzma

    pack = {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind]
    path = tmp_path / "friends.csv"  # no .gz: as a mail client saves an attachment
    path.write_bytes(pack(b"source,target\nann,bob\nbob,cy\n"))
    assert Network.from_edgelist(path).labels.tolist() == ["ann", "bob", "cy"]


def test_damaged_compressed_or_zipped_edge_list_is_named(tmp_path):
    import zipfile

    rng = np.random.default_rng(1)
    text = "".join(f"{a} {a + 1}\n" for a in rng.integers(0, 10**6, 50_000)).encode()
    packed = gzip.compress(text)
    path = tmp_path / "e.txt.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(EdgeListError, match=r"e\.txt\.gz' is damaged or truncated: its gzip"):
        Network.from_edgelist(path)
    with zipfile.ZipFile(tmp_path / "e.zip", "w") as zf:
        zf.writestr("e.txt", "0 1\n")
    with pytest.raises(EdgeListError, match="ZIP archive, not an edge list: unzip it"):
        Network.from_edgelist(tmp_path / "e.zip")


def test_not_utf8_edge_list_names_the_line(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"ann bob\nbob caf\xe9\n")
    with pytest.raises(EdgeListError, match=r"latin\.txt, line 2: not UTF-8"):
        Network.from_edgelist(path)


def test_a_line_without_end_is_refused_not_read_whole(tmp_path, monkeypatch):
    from womsim.network import edgelist
    monkeypatch.setattr(edgelist, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(edgelist, "BLOCK_BYTES", 100)
    path = tmp_path / "one.txt"
    path.write_text("0 1\n" + "9" * 5000)
    with pytest.raises(EdgeListError, match=r"one\.txt, line 2: longer than 1,000 "):
        Network.from_edgelist(path)


@pytest.mark.parametrize("pieces", [False, True])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_bad_line_past_the_first_block_names_its_line(tmp_path, monkeypatch, where, pieces):
    from womsim.network import edgelist
    monkeypatch.setattr(edgelist, "BLOCK_BYTES", 256)  # ~25 lines a block
    if pieces:  # bigger blocks, retried in pieces before the line scan
        monkeypatch.setattr(edgelist, "BLOCK_BYTES", 4096)
        monkeypatch.setattr(edgelist, "_PIECE_BYTES", 100)
    lines = ["# a comment", "source target"] + [f"{i} {i + 1}" for i in range(2000)]
    at = {"first": 5, "middle": 1234, "last": len(lines) - 1}[where]
    good = "\n".join(lines) + "\n"
    clean = Network.from_edgelist(write(tmp_path, good, "big.txt"))
    assert clean == Network.from_edgelist(write(tmp_path, good, "big.txt"), sep=" ")
    assert clean.labels is None and clean.n_edges == 2000
    for bad, problem in [("12 13 14 15", "found 4"), ("12", "found 1"),
                         ("12 1.5", "node id '1.5'")]:
        lines2 = list(lines)
        lines2[at] = bad
        path = write(tmp_path, "\n".join(lines2) + "\n", "big.txt")
        with pytest.raises(EdgeListError,
                           match=rf"big\.txt, line {at + 1}: .*{re.escape(problem)}"):
            Network.from_edgelist(path)


def test_blocked_reading_matches_one_block(tmp_path, monkeypatch):
    from womsim.network import edgelist
    rng = np.random.default_rng(5)
    names = np.array([f"p{i:03d}" for i in range(300)] + [str(i) for i in range(300)])
    u, v = rng.integers(0, 600, 3000), rng.integers(0, 600, 3000)
    # indented comments send a block to the slow path (the C parser makes a row of them)
    text = "# people\n" + "".join(f"{names[a]},{names[b]}  # note\n\n" if k % 7 == 0 else
                                  f"  # indented\n{names[a]},{names[b]}\n" if k % 11 == 0
                                  else f"{names[a]},{names[b]}\n"
                                  for k, (a, b) in enumerate(zip(u, v, strict=True)))
    path = write(tmp_path, text, "people.csv")
    whole = Network.from_edgelist(path)
    monkeypatch.setattr(edgelist, "BLOCK_BYTES", 97)
    assert Network.from_edgelist(path) == whole  # same ids, labels, order of appearance
    monkeypatch.setattr(edgelist, "BLOCK_BYTES", 5000)
    monkeypatch.setattr(edgelist, "_PIECE_BYTES", 64)  # names in some pieces, not others
    assert Network.from_edgelist(path) == whole
    assert whole.labels[0] == names[u[0]]


# ---------------------------------------------------------------------- generators
@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Network.scale_free(1, m=1), r"n must be an integer >= 2, got 1"),
        (lambda: Network.scale_free(10, m=0), r"m must be an integer in 1\.\.9.*got 0"),
        (lambda: Network.scale_free(10, m=10), r"m must be .*got 10"),
        (lambda: Network.scale_free(10, m=2.5), r"m must be .*2\.5"),
        (lambda: Network.scale_free("100"), r"n must be .*'100'"),
        (lambda: Network.small_world(10, k=3), r"k must be even.*3"),
        (lambda: Network.small_world(10, k=10), r"k must be an integer in 2\.\.9"),
        (lambda: Network.small_world(10, k=4, p=1.5), r"p must be a number in \[0\.0, 1\.0\]"),
        (lambda: Network.small_world(10, k=4, p=float("nan")), r"p must be .*nan"),
        (lambda: Network.random(0), r"n must be an integer >= 1, got 0"),
        (lambda: Network.random(10, mean_degree=-1), r"mean_degree .*\[0\.0, 9\.0\]"),
        (lambda: Network.random(10, mean_degree=12), r"mean_degree .*got 12"),
        (lambda: Network.communities([]), r"sizes must be a non-empty"),
        (lambda: Network.communities([10, 0]), r"sizes\[1\] must be an integer >= 1"),
        (lambda: Network.communities([5, 20], 8), r"mean_degree_in .*smallest community has 5"),
        (lambda: Network.communities([5, 5], 2, 6), r"mean_degree_out .*\[0\.0, 5\.0\]"),
        (lambda: Network.complete(0), r"n must be an integer in 1\.\.10000"),
        (lambda: Network.complete(10**6), r"n must be an integer in 1\.\.10000"),
        (lambda: Network.random(10, 2, seed=-1), r"seed must be a non-negative"),
        (lambda: Network.random(10, 2, seed="x"), r"seed must be an int"),
    ],
)
def test_generator_parameters_are_validated(make, match):
    with pytest.raises(NetworkError, match=match):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda s: Network.scale_free(2000, m=3, seed=s),
        lambda s: Network.small_world(2000, k=6, p=0.2, seed=s),
        lambda s: Network.random(3000, mean_degree=5, seed=s),
        lambda s: Network.communities([1500, 1500], 5, 1, seed=s),
    ],
)
def test_seeds_reproduce_and_differ(make):
    a, b, c = make(11), make(11), make(12)
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert a.fingerprint() == b.fingerprint() and a.info == b.info
    assert a.fingerprint() != c.fingerprint()
    assert make(np.random.SeedSequence(11)) == a  # an int seed is its SeedSequence


def test_unseeded_graph_records_its_entropy():
    net = Network.random(3000, mean_degree=4)
    again = Network.random(3000, mean_degree=4, seed=net.info["seed"])
    assert again == net
    spawned = np.random.SeedSequence(5).spawn(2)[1]
    rec = Network.scale_free(100, 2, seed=spawned).info
    assert rec["seed"] == 5 and rec["spawn_key"] == (1,)
    assert Network.scale_free(100, 2, seed=np.random.SeedSequence(5, spawn_key=(1,))) == \
        Network.scale_free(100, 2, seed=spawned)


def test_scale_free_degree_distribution():
    n, m = 20_000, 5
    net = Network.scale_free(n, m=m, seed=3)
    dups = net.info["duplicates_dropped"]
    assert net.info["self_loops_dropped"] == 0
    assert net.n_edges == m * (n - m) - dups and dups < 0.005 * net.n_edges
    assert math.isclose(net.mean_degree, 2 * m, rel_tol=0.01)
    deg = net.degrees()
    assert deg.min() >= 1 and np.all(deg[m:] >= m - 1)
    er = Network.random(n, mean_degree=net.mean_degree, seed=3)
    assert deg.max() > 8 * er.degrees().max()  # hubs: ~ m*sqrt(n) vs ~ 25
    # heavy tail: P(K >= 50) is tiny but clearly positive for BA, zero for Poisson(10)
    assert np.mean(deg >= 50) > 0.005 and np.mean(er.degrees() >= 50) == 0
    assert net.components().tolist() == [n]


def test_random_mean_degree_and_poisson_degrees():
    n, k = 20_000, 10.0
    net = Network.random(n, mean_degree=k, seed=8)
    # edges ~ Binomial(n(n-1)/2, p): sd of the mean degree is 2*sqrt(n*k/2*(1-p))/n
    sd = 2 * math.sqrt(n * k / 2 * (1 - k / (n - 1))) / n
    assert abs(net.mean_degree - k) < 5 * sd
    deg = net.degrees()
    assert 0.9 < deg.var() / deg.mean() < 1.1  # Poisson: variance = mean
    assert net.info["duplicates_dropped"] == 0  # repeats are redrawn, not dropped
    small = Network.random(800, mean_degree=6, seed=1)  # the every-pair path
    sd_small = 2 * math.sqrt(800 * 6 / 2) / 800
    assert abs(small.mean_degree - 6) < 5 * sd_small
    assert Network.random(50, mean_degree=49, seed=1) == Network.complete(50)
    assert Network.random(1, mean_degree=0).n_edges == 0


@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 1.0])
def test_small_world_edge_count(p):
    n, k = 1000, 8
    net = Network.small_world(n, k=k, p=p, seed=2)
    assert net.n_edges == n * k // 2
    assert net.info["duplicates_dropped"] == 0


def test_small_world_ring_and_clustering():
    ring = Network.small_world(200, k=6, p=0.0)
    assert ring.neighbors(0).tolist() == [1, 2, 3, 197, 198, 199]
    expected = 3 * (6 - 2) / (4 * (6 - 1))
    assert math.isclose(ring.clustering(), expected, abs_tol=0.02)
    assert Network.small_world(2000, k=6, p=1.0, seed=1).clustering() < 0.05
    tight = Network.small_world(9, k=8, p=0.5, seed=1)  # complete: nothing to rewire to
    assert tight.n_edges == 36


@pytest.mark.parametrize("sizes", [[300, 300, 400], [3000, 2000, 1500]])
def test_communities_blocks_and_in_out_ratio(sizes):
    k_in, k_out = 8.0, 2.0
    net = Network.communities(sizes, mean_degree_in=k_in, mean_degree_out=k_out, seed=6)
    assert np.bincount(net.block).tolist() == sizes
    assert net.block.tolist() == np.repeat(np.arange(len(sizes)), sizes).tolist()
    u, v = net.edges()
    inside = int(np.sum(net.block[u] == net.block[v]))
    outside = net.n_edges - inside
    n = sum(sizes)
    assert abs(inside - n * k_in / 2) < 5 * math.sqrt(n * k_in / 2)
    assert abs(outside - n * k_out / 2) < 5 * math.sqrt(n * k_out / 2)
    assert 3.2 < inside / outside < 4.8


def test_complete_graph():
    net = Network.complete(12)
    assert net.n_edges == 66 and np.all(net.degrees() == 11)
    single = Network.complete(1)
    assert single.n == 1 and single.n_edges == 0 and single.summary()["isolated_nodes"] == 1


# ------------------------------------------------------------------------- queries
def test_queries_and_summary():
    net = Network.from_edges([0, 0, 1, 3], [1, 2, 2, 4], n=6, name="toy")
    assert net.degrees().tolist() == [2, 2, 2, 1, 1, 0]
    assert net.mean_degree == pytest.approx(8 / 6)
    assert net.neighbors(0).base is not None  # a view, not a copy
    with pytest.raises(NetworkError, match=r"not in 0\.\.5"):
        net.neighbors(6)
    assert net.components().tolist() == [3, 2, 1]
    _, member = net.components(return_membership=True)
    assert member.tolist() == [0, 0, 0, 1, 1, 2]
    s = net.summary()
    assert s.name == "toy"
    assert (s["nodes"], s["edges"], s["max_degree"], s["isolated_nodes"]) == (6, 4, 2, 1)
    assert s["components"] == 3 and s["clustering"] == 1.0
    assert net.nbytes == net.indptr.nbytes + net.indices.nbytes
    assert len(net) == 6
    assert repr(net) == "Network('toy', n=6, edges=4, mean_degree=1.33)"
    html = net._repr_html_()
    assert "toy" in html and "isolated nodes" in html and net.fingerprint() in html


def test_has_edge_matches_networkx():
    net = Network.scale_free(400, m=2, seed=9)
    G = net.to_networkx()
    rng = np.random.default_rng(0)
    u, v = rng.integers(0, 400, 3000), rng.integers(0, 400, 3000)
    eu, ev = net.edges()
    u, v = np.concatenate([u, eu]), np.concatenate([v, ev])
    assert net.has_edge(u, v).tolist() == [G.has_edge(a, b) for a, b in zip(u, v, strict=True)]
    assert net.has_edge(int(eu[0]), int(ev[0])) is True
    with pytest.raises(NetworkError):
        net.has_edge(0, 400)


def test_clustering_estimate_close_to_networkx():
    net = Network.small_world(3000, k=8, p=0.1, seed=4)
    exact = nx.transitivity(net.to_networkx())
    assert abs(net.clustering(samples=40_000) - exact) < 0.02
    assert math.isnan(Network.from_edges([0], [1]).clustering())


def test_fingerprint_is_stable_and_equality():
    assert Network.complete(4).fingerprint() == "cf25855d82aa654c"  # fixed forever
    a = Network.from_edges([0], [1], labels=["x", "y"])
    b = Network.from_edges([0], [1], labels=["x", "z"])
    assert a.fingerprint() == b.fingerprint() and a != b
    assert a == Network.from_edges([1], [0], labels=["x", "y"])
    assert a != Network.from_edges([0], [1]) and a != "network"
    assert hash(a) == hash(Network.from_edges([0], [1], labels=["x", "y"]))


def test_with_block_shares_arrays():
    net = Network.complete(4)
    seg = net.with_block([0, 1, 1, 0])
    assert seg.indices is net.indices and net.block is None
    assert seg.block.tolist() == [0, 1, 1, 0] and "blocks=2" in repr(seg)
    with pytest.raises(NetworkError, match="one entry per node"):
        net.with_block([0, 1])
    with pytest.raises(NetworkError, match=">= 0"):
        net.with_block([0, -1, 0, 0])


def test_info_is_a_copy():
    net = Network.scale_free(50, 2, seed=1)
    net.info["params"]["m"] = 99
    assert net.info["params"] == {"n": 50, "m": 2}


@pytest.mark.parametrize("module", [network_module, generators])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------------------------ slow
@pytest.mark.slow
def test_scale_free_million_nodes():
    # its speed is measured in benchmarks/ (docs/performance.md), not asserted here
    net = Network.scale_free(1_000_000, m=5, seed=1)
    assert net.n == 1_000_000 and abs(net.mean_degree - 10) < 0.01
    assert net.degrees().max() > 1000
    assert_csr(net)


@pytest.mark.slow
def test_million_edge_file_reads_and_names_a_bad_line(tmp_path):
    rng = np.random.default_rng(0)
    u = rng.integers(0, 200_000, 1_000_000)
    v = (u + 1 + rng.integers(0, 199_999, 1_000_000)) % 200_000
    path = tmp_path / "big.txt"
    pd.DataFrame({"u": u, "v": v}).to_csv(path, sep=" ", header=False, index=False)
    net = Network.from_edgelist(path)
    assert net.n_edges + net.info["duplicates_dropped"] == 1_000_000
    lines = path.read_text().splitlines()
    lines[777_776] = "12 13 14 15"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(EdgeListError, match="line 777777"):
        Network.from_edgelist(path)
