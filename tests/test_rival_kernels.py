"""The compiled passes of the rivals' step against their numpy formulation (issue 18 point 5:
speed without a change of numbers). Each compares every output id, in order, and every
array written in place, on a small random market with two rivals."""

from __future__ import annotations

import numpy as np
import pytest

from womsim.engine.rivalkernels import (
    rival_acquire,
    rival_heard_negative,
    rival_heard_positive,
    rival_leave,
    rival_service,
    rival_take,
)
from womsim.engine.rng import hash_uniform

PROSPECT, CUSTOMER, FORMER, RIVAL = 0, 1, 2, 3
N = 20_000


@pytest.fixture
def market():
    rng = np.random.default_rng(5)
    status = rng.choice([PROSPECT, CUSTOMER, FORMER, RIVAL], N, p=[0.3, 0.3, 0.1, 0.3]
                        ).astype(np.int8)
    firm = np.where(status == RIVAL, rng.integers(0, 2, N), 0).astype(np.int8)
    changed_at = rng.integers(-1, 6, N).astype(np.int32)  # some changed at step 5
    has_alt = rng.random(N) < 0.8
    deterred = rng.integers(0, 9, (2, N)).astype(np.int32)
    return status, firm, changed_at, has_alt, deterred


def test_the_service_pass_is_the_numpy_one(market):
    status, firm, _, has_alt, _ = market
    contacted = np.flatnonzero((status == RIVAL) & (np.arange(N) % 3 == 0))
    keys = np.array([11, 22, 33, 44], dtype=np.uint64)
    mix = np.array([[0.3, 0.5, 0.2], [0.1, 0.5, 0.4]])
    complain, resolved, quick = np.array([0.4, 0.7]), np.array([0.6, 0.3]), np.array([0.5, 0.2])
    leave = np.array([0.3, 0.5, 0.2, 0.1])
    problems = np.zeros(2)
    unhappy, happy, left = rival_service(contacted, firm, keys, mix, complain, resolved,
                                         quick, leave, has_alt, problems)
    # the numpy formulation
    f = firm[contacted]
    ue = hash_uniform(11, contacted)
    delighted = contacted[ue < mix[f, 0]]
    problem = contacted[ue >= 1.0 - mix[f, 2]]
    fp = firm[problem]
    complained = hash_uniform(22, problem) < complain[fp]
    ur = hash_uniform(33, problem)
    q = complained & (ur < resolved[fp] * quick[fp])
    slow = complained & ~q & (ur < resolved[fp])
    group = np.where(~complained, 0, np.where(q, 3, np.where(slow, 2, 1)))
    gone = (hash_uniform(44, problem) < leave[group]) & has_alt[problem]
    assert problems.tolist() == np.bincount(fp, minlength=2).tolist()
    assert unhappy.tolist() == problem[group <= 1].tolist()
    assert happy.tolist() == np.concatenate([delighted, problem[group >= 2]]).tolist()
    assert left.tolist() == problem[gone].tolist()
    assert 0 < left.size < problem.size and group.min() == 0 and group.max() == 3


def test_bad_stories_deter_outsiders_and_move_the_rivals_own_customers(market):
    status, firm, changed_at, has_alt, deterred = market
    rng = np.random.default_rng(6)
    heard, h = np.unique(rng.integers(0, N, 8000), return_counts=True)
    act_d, act_m = 1 - 0.7 ** np.arange(h.max() + 1), 1 - 0.8 ** np.arange(h.max() + 1)
    t, r, until = 5, 1, 12
    row = deterred[r].copy()
    before = changed_at.copy()
    moved = rival_heard_negative(heard, h, r, t, status, firm, changed_at, has_alt, row,
                                 act_d, act_m, np.uint64(7), np.uint64(8), until)
    out = status[heard] != RIVAL
    who = heard[out]
    hit = who[hash_uniform(7, who) < act_d[h[out]]]
    want = deterred[r].copy()
    want[hit] = np.maximum(want[hit], until)
    mine = ~out & (firm[heard] == r) & (before[heard] != t)
    cw, ch = heard[mine], h[mine]
    want_moved = cw[(hash_uniform(8, cw) < act_m[ch]) & has_alt[cw]]
    assert (row == want).all() and (row != deterred[r]).any()
    assert moved.tolist() == want_moved.tolist() and moved.size > 0
    # the movers are marked changed this step, nobody else
    assert np.flatnonzero(changed_at != before).tolist() == moved.tolist()
    assert (changed_at[moved] == t).all()


def test_good_stories_win_prospects_not_deterred_from_the_rival(market):
    status, firm, changed_at, _, deterred = market
    rng = np.random.default_rng(7)
    heard, h = np.unique(rng.integers(0, N, 8000), return_counts=True)
    act = 1 - 0.6 ** np.arange(h.max() + 1)
    t, r = 5, 0
    st0, ch0 = status.copy(), changed_at.copy()
    won = rival_heard_positive(heard, h, r, t, status, firm, changed_at, deterred[r], act,
                               np.uint64(9))
    ok = (st0[heard] == PROSPECT) & (deterred[r, heard] <= t) & (ch0[heard] != t)
    who, hh = heard[ok], h[ok]
    want = who[hash_uniform(9, who) < act[hh]]
    assert won.tolist() == want.tolist() and won.size > 0
    assert (status[won] == RIVAL).all() and (firm[won] == r).all()
    assert (changed_at[won] == t).all()
    assert np.flatnonzero(status != st0).tolist() == won.tolist()


def test_marketing_picks_each_rival_at_its_own_rate(market):
    status, firm, changed_at, _, deterred = market
    cand = np.flatnonzero(np.arange(N) % 2 == 0)
    q, t = 0.25, 5
    cum = np.cumsum([0.05, 0.1])
    st0, ch0 = status.copy(), changed_at.copy()
    acquired = np.zeros(2)
    won = rival_acquire(cand, q, np.uint64(10), cum, deterred, status, firm, changed_at, t,
                        acquired)
    c = cand[(st0[cand] == PROSPECT) & (ch0[cand] != t)]
    pick = np.searchsorted(cum, hash_uniform(10, c) * q, side="right")
    keep = pick < 2
    c, pick = c[keep], pick[keep]
    keep = deterred[pick, c] <= t
    c, pick = c[keep], pick[keep]
    assert won.tolist() == c.tolist()
    assert acquired.tolist() == np.bincount(pick, minlength=2).tolist()
    assert (firm[won] == pick).all() and (status[won] == RIVAL).all()
    assert acquired.min() > 0


def test_our_leavers_go_to_each_rival_by_its_share(market):
    status, firm, _, has_alt, _ = market
    leavers = np.flatnonzero(status == FORMER)
    cum = np.cumsum([0.3, 0.2])  # half of them out of the market
    st0 = status.copy()
    taken = np.zeros(2)
    to_rival = rival_take(leavers, has_alt, np.uint64(12), cum, status, firm, taken)
    movers = leavers[has_alt[leavers]]
    j = np.searchsorted(cum, hash_uniform(12, movers), side="right")
    assert to_rival.tolist() == movers[j < 2].tolist()
    assert (firm[to_rival] == j[j < 2]).all() and (status[to_rival] == RIVAL).all()
    assert taken.tolist() == np.bincount(j[j < 2], minlength=2).tolist()
    assert np.flatnonzero(status != st0).tolist() == to_rival.tolist()
    assert 0 < to_rival.size < movers.size


def test_the_rivals_leavers_come_to_us_unless_deterred_from_us(market):
    status, firm, _, has_alt, deterred = market
    leavers = np.flatnonzero(status == RIVAL)[::2]
    loses, t = np.array([0.4, 0.7]), 5
    defections, lost = np.zeros(2), np.zeros(2)
    f = firm[leavers]
    won, n_back = rival_leave(leavers, firm, np.uint64(13), loses, deterred[0], has_alt,
                              status, t, defections, lost)
    to_us = (hash_uniform(13, leavers) < loses[f]) & (deterred[0, leavers] <= t) \
        & has_alt[leavers]
    assert won.tolist() == leavers[to_us].tolist() and n_back == (~to_us).sum() > 0
    assert (status[won] == CUSTOMER).all() and (status[leavers[~to_us]] == PROSPECT).all()
    assert defections.tolist() == np.bincount(f, minlength=2).tolist()
    assert lost.tolist() == np.bincount(f[to_us], minlength=2).tolist()
