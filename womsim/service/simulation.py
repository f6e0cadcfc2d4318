"""The SimPy core of the service desk: its week calendar, the event simulation, the tally.

Internal to :mod:`womsim.service`; the public face is :class:`~womsim.service.ServiceDesk`.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import simpy

from womsim.core.errors import ScenarioError

if TYPE_CHECKING:
    from womsim.service.desk import ServiceDesk

__all__ = ["DeskResult"]

DAY = 1440.0  # the simulation clock runs in minutes
WEEK = 7 * DAY
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class DeskResult:
    """Outputs of one desk simulation at one load.

    Shares of *issues* (sum to 1): ``delighted``, ``satisfied``, ``problem``; the problem
    split by cause: ``problem_abandoned``, ``problem_waited``, ``problem_unresolved``.
    Per *contact* offered to agents (first and repeat calls arriving in the counted
    window): ``service_level`` (answered within ``service_level_seconds`` / offered),
    ``p_wait`` (had to queue), ``asa_seconds`` (mean wait of answered contacts),
    ``mean_wait_seconds`` (mean time in queue of all offered, hang-ups included),
    ``abandonment_rate``. ``utilisation`` is handled time / staffed agent time in
    opening hours (may exceed 1 when queues are cleared after closing).

    Examples
    --------
    >>> from womsim.service import ServiceDesk
    >>> r = ServiceDesk(agents=3).simulate(20_000, days=7, seed=1)
    >>> r.mix.round(2).tolist() == [round(r.delighted, 2), round(r.satisfied, 2),
    ...                             round(r.problem, 2)]
    True
    """

    contacts_per_year: float
    load_factor: float
    days: float
    warmup_days: float
    seed: int
    issues: int
    self_served: int
    contacts_offered: int
    contacts_handled: int
    contacts_abandoned: int
    repeat_contacts: int
    delighted: float
    satisfied: float
    problem: float
    problem_abandoned: float
    problem_waited: float
    problem_unresolved: float
    service_level: float
    p_wait: float
    asa_seconds: float
    mean_wait_seconds: float
    abandonment_rate: float
    utilisation: float
    agents: int
    cost_per_year: float

    @property
    def mix(self) -> np.ndarray:
        """(delighted, satisfied, problem) as an array.

        Examples
        --------
        >>> from womsim.service import ServiceDesk
        >>> float(ServiceDesk(agents=2).simulate(0.0).mix.sum())
        1.0
        """
        return np.array([self.delighted, self.satisfied, self.problem])

    def to_series(self) -> pd.Series:
        """All outputs as a pandas Series named by load.

        Examples
        --------
        >>> from womsim.service import ServiceDesk
        >>> s = ServiceDesk(agents=2).simulate(0.0).to_series()
        >>> float(s["service_level"]), s.name
        (1.0, 0.0)
        """
        return pd.Series(asdict(self), name=self.contacts_per_year)

    def _repr_html_(self) -> str:
        rows = [
            ("load (issues / year)", f"{self.contacts_per_year:,.0f} "
                                     f"({self.load_factor:.0%} of capacity)"),
            ("delighted / satisfied / problem",
             f"{self.delighted:.1%} / {self.satisfied:.1%} / {self.problem:.1%}"),
            ("problems: abandoned / waited / unresolved",
             f"{self.problem_abandoned:.1%} / {self.problem_waited:.1%} / "
             f"{self.problem_unresolved:.1%}"),
            ("service level", f"{self.service_level:.1%}"),
            ("average speed of answer", f"{self.asa_seconds:.0f} s"),
            ("abandonment", f"{self.abandonment_rate:.1%}"),
            ("agent utilisation", f"{self.utilisation:.1%}"),
            ("contacts offered / handled", f"{self.contacts_offered:,} / "
                                           f"{self.contacts_handled:,}"),
            ("cost per year", f"{self.cost_per_year:,.0f}"),
            ("simulated", f"{self.days:g} days after {self.warmup_days:g} warm-up, "
                          f"seed {self.seed}"),
        ]
        body = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>"
                       for k, v in rows)
        return f"<table><caption>Service desk</caption>{body}</table>"


# --------------------------------------------------------------------------- calendar
class _Calendar:
    """The desk's week: opening periods, arrival intensity and staffing, in minutes."""

    def __init__(self, desk: ServiceDesk) -> None:
        start, end = (h * 60.0 for h in desk.open_hours)
        self.open = [(d * DAY + start, d * DAY + end) for d in range(desk.open_days)]
        two = self.open + [(s + WEEK, e + WEEK) for s, e in self.open]
        self._starts = [s for s, _ in two]
        self._ends = [e for _, e in two]
        self._starts_a = np.array(self._starts)
        self._ends_a = np.array(self._ends)
        # Segments of the week on which the profiles and staffing are constant.
        cuts = {float(m) for m in range(0, int(WEEK) + 1, 60)}
        for d in range(7):
            cuts.update((d * DAY + start, d * DAY + end))
        knots = np.array(sorted(c for c in cuts if 0.0 <= c <= WEEK))
        mid = (knots[:-1] + knots[1:]) / 2.0
        day = (mid // DAY).astype(int)
        hour = ((mid % DAY) // 60).astype(int)
        in_hours = ((mid % DAY) >= start) & ((mid % DAY) < end)
        is_open = in_hours & (day < desk.open_days)
        dw = (np.asarray(desk.daily_profile, float)[day] if desk.daily_profile is not None
              else (day < desk.open_days).astype(float))
        hw = (np.asarray(desk.hourly_profile, float)[hour] if desk.hourly_profile is not None
              else in_hours.astype(float))
        length = np.diff(knots)
        weight = dw * hw * length
        if weight.sum() <= 0:
            raise ScenarioError(
                "hourly_profile x daily_profile puts no weight on any hour (hourly_profile = "
                f"{desk.hourly_profile!r}, daily_profile = {desk.daily_profile!r})")
        self.knots = knots
        self.cum_weight = np.concatenate(([0.0], np.cumsum(weight / weight.sum())))
        self.cum_weight[-1] = 1.0
        self._knots, self._cw = knots.tolist(), self.cum_weight.tolist()
        staff = (np.asarray(desk.agents_by_hour, float)[hour] if desk.agents_by_hour
                 is not None else np.full(hour.shape, float(desk.agents)))
        self.staff_cum = np.concatenate(([0.0], np.cumsum(np.where(is_open, staff, 0.0)
                                                          * length)))
        self.staffed_minutes_per_week = float(self.staff_cum[-1])
        self.open_minutes_per_week = float(length[is_open].sum())
        self.seg_open, self.seg_hour = is_open, hour

    def defer(self, t: np.ndarray) -> np.ndarray:
        """Move each time to the next moment the desk is open (unchanged if open)."""
        r = np.mod(t, WEEK)
        j = np.searchsorted(self._ends_a, r, side="right")
        return t - r + np.maximum(r, self._starts_a[j])

    def defer_one(self, t: float) -> float:
        r = t % WEEK
        j = bisect.bisect_right(self._ends, r)
        s = self._starts[j]
        return t if r >= s else t - r + s

    def after_open_time(self, t: float, minutes: float) -> float:
        """The time at which ``minutes`` of *profile-weighted opening time* have passed.

        This clock runs only while contacts arrive, at the profile's relative intensity
        (with a flat profile: exactly the opening hours), so a repeat contact lands on
        hours and days in proportion to their arrival weight - nobody calls back into a
        shut desk, and Friday's unresolved customers call again on Monday.
        """
        w, r = divmod(t, WEEK)
        j = bisect.bisect_right(self._knots, r) - 1
        j = min(j, len(self._knots) - 2)
        a, b = self._knots[j], self._knots[j + 1]
        ca, cb = self._cw[j], self._cw[j + 1]
        u = w + ca + (cb - ca) * (r - a) / (b - a) + minutes / self.open_minutes_per_week
        w2, f = divmod(u, 1.0)
        k = bisect.bisect_left(self._cw, f)  # first knot with weight >= f
        k = min(max(k, 1), len(self._cw) - 1)
        ca, cb = self._cw[k - 1], self._cw[k]
        a, b = self._knots[k - 1], self._knots[k]
        x = a if cb <= ca else a + (b - a) * (f - ca) / (cb - ca)
        return w2 * WEEK + x

    def open_minutes(self, t) -> np.ndarray:
        """Profile-weighted opening minutes elapsed since time 0 (the repeat clock)."""
        return self.cumulative(self.cum_weight, t) * self.open_minutes_per_week

    def cumulative(self, cum_week: np.ndarray, t: float | np.ndarray) -> np.ndarray:
        """A weekly cumulative function (over the week's knots) evaluated at times ``t``."""
        w, r = np.divmod(np.asarray(t, float), WEEK)
        return w * cum_week[-1] + np.interp(r, self.knots, cum_week)

    def arrival_times(self, issues_per_week: float, horizon: float,
                      rng: np.random.Generator) -> np.ndarray:
        """Non-homogeneous Poisson arrivals on [0, horizon) by time change.

        Unit-rate Poisson points are mapped through the inverse cumulative intensity.
        Using the same unit points at every load (same seed) couples the grid points
        (common random numbers), which keeps the load curve smooth.
        """
        total = issues_per_week * float(self.cumulative(self.cum_weight, horizon))
        if total <= 0:
            return np.empty(0)
        weeks = math.ceil(horizon / WEEK)
        knots = (np.arange(weeks)[:, None] * WEEK + self.knots[None, :-1]).ravel()
        knots = np.append(knots, weeks * WEEK)
        cum = np.append((np.arange(weeks)[:, None] + self.cum_weight[None, :-1]).ravel(),
                        weeks) * issues_per_week
        n = int(total + 6.0 * math.sqrt(total) + 20.0)
        s = np.cumsum(rng.standard_exponential(n))
        while s[-1] < total:
            s = np.concatenate((s, s[-1] + np.cumsum(rng.standard_exponential(n))))
        s = s[s < total]
        return np.interp(s, cum, knots)

    def off_intervals(self, k: int, desk: ServiceDesk) -> tuple[list[float], list[float]]:
        """Off-duty intervals of agent ``k`` (two weeks of them, for wrap-around)."""
        starts: list[float] = []
        ends: list[float] = []
        abh = desk.agents_by_hour or []
        segments = zip(self.knots[:-1], self.knots[1:], self.seg_open, self.seg_hour,
                       strict=True)
        for a, b, op, h in segments:
            if op and k >= abh[h]:
                if ends and ends[-1] == a:
                    ends[-1] = float(b)
                else:
                    starts.append(float(a))
                    ends.append(float(b))
        return starts + [s + WEEK for s in starts], ends + [e + WEEK for e in ends]


# --------------------------------------------------------------------------- SimPy core
def _handle_times(desk: ServiceDesk, rng: np.random.Generator, n: int) -> np.ndarray:
    m = desk.handle_time_minutes
    if desk.handle_time_dist == "exponential":
        return rng.exponential(m, n)
    sigma2 = math.log1p(desk.handle_time_cv ** 2)
    return rng.lognormal(math.log(m) - sigma2 / 2.0, math.sqrt(sigma2), n)


def _patience(desk: ServiceDesk, rng: np.random.Generator, n: int) -> np.ndarray:
    if desk.patience_minutes is None:
        return np.full(n, math.inf)
    return rng.exponential(desk.patience_minutes, n)


def _simulate(desk: ServiceDesk, load: float, days: float, seed: int,
              warmup: float) -> DeskResult:
    """One run. Issues arriving in [w0, w1) are counted; the window starts on a Monday.

    Repeats need no warm-up or cool-down days, which would cost more than the window for
    a big desk. Repeats of issues from before the window arrive as a Poisson stream with
    the steady repeat intensity, (1 - s)(1 - FCR) x answered share (running, measured) x
    arrival intensity, fading in opening time as the window's own repeats take over.
    A counted issue whose repeat would come after w1 gets the experience of a repeat
    contact drawn at random from those simulated in the window (same load). Both rest
    on one approximation: a repeat's experience is independent of its first contact's
    beyond the load, sound because the delay (about a day) is far longer than a queue's
    memory (minutes).
    """
    cal = _Calendar(desk)
    fcr, share = desk.first_contact_resolution, desk.self_service_share
    delay_mean = desk.repeat_contact_delay_hours * 60.0  # opening minutes
    t_start = (math.ceil(warmup / 7.0) * 7.0 - warmup) * DAY
    w0 = t_start + warmup * DAY
    w1 = w0 + days * DAY
    per_week = load * 7.0 / DAYS_PER_YEAR
    st = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(14)]

    # Issues: first contacts and everything about them, drawn up front.
    t_orig = cal.arrival_times(per_week, w1, st[0])
    t_orig = t_orig[t_orig >= t_start]
    n = t_orig.size
    t_offer = cal.defer(t_orig)
    self_served = st[1].random(n) < share
    ht1, ht2 = _handle_times(desk, st[2], n), _handle_times(desk, st[3], n)
    pat1, pat2 = _patience(desk, st[4], n), _patience(desk, st[5], n)
    u = st[6].random((n, 2))
    res1, res2 = u[:, 0] < fcr, u[:, 1] < fcr
    aux = st[7].random((n, 2))
    delight = aux[:, 0] < desk.delight_if_quick
    delay = -delay_mean * np.log1p(-aux[:, 1])  # exponential via the inverse CDF
    counted = t_orig >= w0

    # Repeats of issues from before the window (candidates; thinned online below).
    t_syn = np.empty(0)
    if fcr < 1.0 and share < 1.0:
        t_syn = cal.arrival_times(per_week * (1.0 - share) * (1.0 - fcr), w1, st[8])
        t_syn = t_syn[t_syn >= t_start]
        since = np.maximum(cal.open_minutes(t_syn) - cal.open_minutes(w0), 0.0)
        t_syn = cal.defer(t_syn[st[9].random(t_syn.size) < np.exp(-since / delay_mean)])
    m = t_syn.size
    ht_s, pat_s = _handle_times(desk, st[10], m), _patience(desk, st[13], m)
    accept_u = st[11].random(m).tolist()

    wait = ([math.nan] * n, [math.nan] * n, [math.nan] * m)
    ans = ([False] * n, [False] * n, [False] * m)
    pat = (pat1.tolist(), pat2.tolist(), pat_s.tolist())
    hts = (ht1.tolist(), ht2.tolist(), ht_s.tolist())
    accepted = [False] * m
    t2 = [math.nan] * n
    r1, dl, cnt = res1.tolist(), delay.tolist(), counted.tolist()
    busy = [0.0]
    tally = [0, 0]  # first contacts decided, answered: the running answered share
    offered = np.flatnonzero(~self_served)
    # Contacts not yet finished, plus one for the arrival stream; the run ends at 0.
    # (Idle agents on a shift pattern wake at every shift change, so the event list
    # itself never runs dry.)
    open_work = [offered.size + 1]

    env = simpy.Environment()
    done = env.event()
    store = simpy.Store(env)
    get, put, timeout, process = store.get, store.put, env.timeout, env.process
    defer_one, after = cal.defer_one, cal.after_open_time

    def close(k: int, i: int, answered: bool) -> None:
        if k == 0:
            tally[0] += 1
            if answered:
                tally[1] += 1
                if cnt[i] and not r1[i]:
                    tc = defer_one(after(env.now, dl[i]))
                    if tc < w1:  # later ones are imputed
                        t2[i] = tc
                        open_work[0] += 1
                        process(repeat(i, tc))
        open_work[0] -= 1
        if not open_work[0]:
            done.succeed()

    def arrivals(times: list[float], kinds: list[int], idx: list[int]):
        for t, k, i in zip(times, kinds, idx, strict=True):
            if t > env.now:
                yield timeout(t - env.now)
            if k == 2:
                decided, answered = tally
                if decided and accept_u[i] * decided >= answered:
                    continue  # that customer's first contact had hung up
                accepted[i] = True
                open_work[0] += 1
            # The put time, not t, is the reference: an immediate answer waits exactly 0.
            put((k, i, env.now))
        close(-1, -1, False)

    def repeat(i: int, t: float):
        yield timeout(t - env.now)
        put((1, i, env.now))

    def serve(k: int, i: int, t0: float):
        """Answer one queued contact; a hung-up caller's entry is simply skipped."""
        now = env.now
        w = now - t0
        if w > pat[k][i]:
            wait[k][i] = pat[k][i]
            close(k, i, False)
            return
        wait[k][i], ans[k][i], h = w, True, hts[k][i]
        if w0 <= now < w1:
            busy[0] += h
        yield timeout(h)
        close(k, i, True)

    def agent():
        # serve() inlined: this loop is the hot path of the whole model.
        while True:
            k, i, t0 = yield get()
            now = env.now
            w = now - t0
            p = pat[k][i]
            if w > p:
                wait[k][i] = p
                close(k, i, False)
                continue
            wait[k][i], ans[k][i], h = w, True, hts[k][i]
            if w0 <= now < w1:
                busy[0] += h
            yield timeout(h)
            close(k, i, True)

    def shift_agent(starts: list[float], ends: list[float]):
        while True:
            now = env.now
            base = now - now % WEEK
            r = now - base
            j = bisect.bisect_right(ends, r)
            if j < len(starts) and starts[j] <= r:  # off duty: sleep until the shift
                yield timeout(base + ends[j] - now)
                continue
            nxt = base + starts[j] if j < len(starts) else math.inf
            g = get()
            yield g | timeout(nxt - now)
            if not g.triggered:
                g.cancel()
                continue
            yield from serve(*g.value)  # type: ignore[misc]  # simpy leaves value untyped

    times = np.concatenate((t_offer[offered], t_syn))
    order = np.argsort(times, kind="stable")
    kinds = np.concatenate((np.zeros(offered.size, dtype=int), np.full(m, 2)))[order]
    idx = np.concatenate((offered, np.arange(m)))[order]
    process(arrivals(times[order].tolist(), kinds.tolist(), idx.tolist()))
    for k in range(desk.agents):
        if desk.agents_by_hour is None:
            process(agent())
        else:
            starts, ends = cal.off_intervals(k, desk)
            process(shift_agent(starts, ends) if starts else agent())
    env.run(until=done)

    arr = {
        "wait1": np.array(wait[0]), "wait2": np.array(wait[1]), "wait_s": np.array(wait[2]),
        "ans1": np.array(ans[0], dtype=bool), "ans2": np.array(ans[1], dtype=bool),
        "ans_s": np.array(ans[2], dtype=bool), "t2": np.array(t2),
        "accepted": np.array(accepted, dtype=bool),
    }
    return _summarise(desk, cal, load, days, warmup, seed, counted, self_served, t_offer,
                      t_syn, arr, res1, res2, delight, busy[0], w0, w1, st[12])


def _summarise(desk, cal, load, days, warmup, seed, counted, ss, t_offer, t_syn, arr,
               res1, res2, delight, busy, w0, w1, rng) -> DeskResult:
    tol = math.inf if desk.wait_tolerance_seconds is None else desk.wait_tolerance_seconds / 60
    slt = desk.service_level_seconds / 60.0
    wait1, ans1 = arr["wait1"], arr["ans1"]
    wait2, ans2, t2 = arr["wait2"].copy(), arr["ans2"].copy(), arr["t2"]

    # Contacts offered in the window: first contacts, the window's repeats, and the
    # repeats of earlier issues.
    in1 = ~ss & (t_offer >= w0) & (t_offer < w1)
    in2 = np.isfinite(t2)
    in_s = arr["accepted"] & (t_syn >= w0)
    waits = np.concatenate((wait1[in1], wait2[in2], arr["wait_s"][in_s]))
    answered = np.concatenate((ans1[in1], ans2[in2], arr["ans_s"][in_s]))

    c = counted
    n_issues = int(c.sum())
    if n_issues == 0:  # a load so small that nobody came: report the empty-desk limit
        return desk._empty_result(load, days, warmup, seed)
    agent_issue = c & ~ss
    second = agent_issue & ans1 & ~res1
    # Repeats due after the window: the experience of a random repeat in the window.
    late = second & ~in2
    if late.any():
        n_rep = int(in2.sum() + in_s.sum())
        pool_w, pool_a = (waits[-n_rep:], answered[-n_rep:]) if n_rep else (waits, answered)
        if pool_w.size:
            pick = rng.integers(0, pool_w.size, int(late.sum()))
            wait2[late], ans2[late] = pool_w[pick], pool_a[pick]
        else:
            wait2[late], ans2[late] = 0.0, True

    first_ab = agent_issue & ~ans1
    first_ok = agent_issue & ans1 & res1
    long1 = wait1 > tol
    long2 = wait2 > tol
    rep_ab = second & ~ans2
    rep_unres = second & ans2 & ~res2
    rep_ok = second & ans2 & res2
    waited = (first_ok & long1) | (rep_ok & (long1 | long2))
    delighted = first_ok & ~long1 & (wait1 <= slt) & delight
    abandoned = first_ab | rep_ab
    p_ab, p_wt, p_un = (abandoned.sum() / n_issues, waited.sum() / n_issues,
                        rep_unres.sum() / n_issues)
    p_de = delighted.sum() / n_issues
    problem = p_ab + p_wt + p_un

    offered = waits.size
    handled = int(answered.sum())
    if offered:
        service_level = float(np.sum(answered & (waits <= slt)) / offered)
        p_wait = float(np.mean(waits > 0))
        asa = float(waits[answered].mean() * 60.0) if handled else math.nan
        mean_wait = float(waits.mean() * 60.0)
        abandonment = 1.0 - handled / offered
    else:
        service_level, p_wait, asa, mean_wait, abandonment = 1.0, 0.0, 0.0, 0.0, 0.0
    staffed = float(np.diff(cal.cumulative(cal.staff_cum, [w0, w1]))[0])
    cap = desk.capacity_contacts_per_year()
    return DeskResult(
        contacts_per_year=load, load_factor=load / cap if cap > 0 else 0.0,
        days=days, warmup_days=warmup, seed=seed, issues=n_issues,
        self_served=int((c & ss).sum()), contacts_offered=offered, contacts_handled=handled,
        contacts_abandoned=offered - handled, repeat_contacts=int(in2.sum() + in_s.sum()),
        delighted=float(p_de), satisfied=float(1.0 - p_de - problem), problem=float(problem),
        problem_abandoned=float(p_ab), problem_waited=float(p_wt),
        problem_unresolved=float(p_un), service_level=service_level, p_wait=p_wait,
        asa_seconds=asa, mean_wait_seconds=mean_wait, abandonment_rate=abandonment,
        utilisation=busy / staffed if staffed > 0 else math.nan, agents=desk.agents,
        cost_per_year=desk.cost_per_year())
