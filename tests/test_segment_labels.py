"""Random segment labels with exact counts (engine: who is in which segment, no mixing
target): the counts are the shares' exactly, and every person is equally likely to be in
each segment wherever they stand in the id order (the draw goes through the ids in turn)."""

from __future__ import annotations

import numpy as np

from womsim.network.mixing import assign_segments, random_labels


def test_labels_have_the_shares_exact_counts_and_follow_the_seed():
    shares = [0.6, 0.3, 0.1]
    for n in (1, 7, 1000, 12_345):
        lab = assign_segments(shares, np.random.default_rng(3), n)
        want = np.diff(np.concatenate([[0], np.rint(np.cumsum(shares) * n)])).astype(int)
        want[-1] = n - want[:-1].sum()
        assert lab.dtype == np.int8 and np.bincount(lab, minlength=3).tolist() == want.tolist()
    a = random_labels(np.array(shares), np.random.default_rng(4), 5000)
    assert (a == random_labels(np.array(shares), np.random.default_rng(4), 5000)).all()
    assert (a != random_labels(np.array(shares), np.random.default_rng(5), 5000)).any()


def test_every_position_is_as_likely_to_be_in_each_segment():
    # 3000 seeds of 40 people: a position's share of the smallest segment has SE
    # sqrt(0.1 * 0.9 / 3000) = 0.0055; a draw that favoured early or late ids (a sequential
    # urn gone wrong) moves the first or last position by far more than 4 SE
    runs, n = 3000, 40
    hits = np.zeros((3, n))
    for s in range(runs):
        lab = random_labels(np.array([0.6, 0.3, 0.1]), np.random.default_rng(s), n)
        hits[lab, np.arange(n)] += 1
    share = hits / runs
    se = np.sqrt(np.array([0.6, 0.3, 0.1]) * (1 - np.array([0.6, 0.3, 0.1])) / runs)
    for pos in (0, n // 2, n - 1):
        assert (np.abs(share[:, pos] - [0.6, 0.3, 0.1]) < 4 * se).all(), share[:, pos]
    # and pairs are drawn without replacement: two given people are in the smallest segment
    # together with chance 4/40 x 3/39, not (4/40)^2
    both = 0
    for s in range(runs):
        lab = random_labels(np.array([0.6, 0.3, 0.1]), np.random.default_rng(s), n)
        both += lab[0] == 2 and lab[n - 1] == 2
    p = 4 / 40 * 3 / 39
    assert abs(both / runs - p) < 4 * np.sqrt(p * (1 - p) / runs)
