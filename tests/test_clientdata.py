"""Client data: reading a customer table and contact log, and the observables with intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import womsim as wom
from womsim.analysis.clientdata import ClientDataError, read_client, read_contacts, read_customers


@pytest.fixture(scope="module")
def client():
    sc = wom.Scenario.preset("retail_bank").replace(**{"simulation.horizon_years": 1.0})
    return sc, wom.synthetic_client(sc, people=2000, seed=5)


def test_synthetic_client_matches_the_engine_run(client):
    """The traced tables hold the same events as the engine's own records of that run."""
    from womsim.engine.step import run
    from womsim.runner.simulate import build_network

    sc, cd = client
    sc = sc.replace(**{"market.people": 2000})
    rec = run(sc, build_network(sc, 5), 5)
    assert len(cd.contacts) == rec["contacts"].sum()
    g = cd.contacts["group"].value_counts()
    assert g.get("silent", 0) == rec["silent"].sum()
    assert g.get("unresolved", 0) == rec["unresolved"].sum()
    assert g.get("resolved_quickly", 0) == rec["resolved_quickly"].sum()
    ended = cd.customers["end_date"].notna().sum()
    assert ended == rec["defections"].sum()
    assert (cd.customers["end_date"].isna()).sum() == rec["customers"][-1]
    assert (cd.customers["source"] == "referral").sum() == rec["acq_referral"].sum()


def test_observables_agree_with_the_records(client):
    from womsim.engine.step import run
    from womsim.runner.simulate import build_network

    sc, cd = client
    sc = sc.replace(**{"market.people": 2000})
    rec = run(sc, build_network(sc, 5), 5)
    obs = cd.observables()
    assert obs.loc["customers", "value"] == rec["initial"][1]
    assert obs.loc["problem_share", "value"] == pytest.approx(
        rec["problems"].sum() / rec["contacts"].sum())
    assert obs.loc["complaint_share", "value"] == pytest.approx(
        rec["complaints"].sum() / rec["problems"].sum())
    # every interval holds its value
    ok = obs.dropna(subset=["ci_low"])
    assert ((ok["ci_low"] <= ok["value"] + 1e-12) & (ok["value"] <= ok["ci_high"] + 1e-12)).all()


def test_group_churn_recovers_the_leave_probabilities(client):
    """Excess churn after a silent problem estimates the scenario's leave probability
    within its standard error (4 SE: the estimate is one client's worth of contacts)."""
    sc, cd = client
    obs = cd.observables()
    want = sc.complaints.leave()["silent"] * (1 - sc.market.no_alternative_share)
    got, se = obs.loc["leave_silent", "value"], obs.loc["leave_silent", "se"]
    assert abs(got - want) < 4 * se


def test_tarp_table_sits_beside_tarps(client):
    sc, cd = client
    tab = cd.tarp_table(sc)
    assert list(tab.index) == ["silent", "unresolved", "resolved", "resolved_quickly"]
    assert tab.loc["silent", "tarp_stay"] == pytest.approx(sc.complaints.stay()["silent"])
    assert tab.loc["silent", "tarp_left_implied"] == pytest.approx(
        sc.complaints.leave()["silent"])


def test_csv_and_excel_round_trip(client, tmp_path):
    _, cd = client
    folder = cd.to_csv(tmp_path / "csv")
    back = read_client(folder / "customers.csv", folder / "contacts.csv",
                       start=str(cd.start.date()), end=str(cd.end.date()))
    pd.testing.assert_frame_equal(back.observables(), cd.observables())
    xl = tmp_path / "customers.xlsx"
    pd.read_csv(folder / "customers.csv", dtype=str, keep_default_na=False).to_excel(
        xl, index=False)
    assert read_customers(xl)["revenue_per_year"].sum() == pytest.approx(
        cd.customers["revenue_per_year"].sum())


def test_to_csv_does_not_overwrite(client, tmp_path):
    _, cd = client
    cd.to_csv(tmp_path)
    with pytest.raises(FileExistsError):
        cd.to_csv(tmp_path)


def _customers(**change):
    df = pd.DataFrame({"customer_id": ["a", "b"], "start_date": ["2024-01-01", "2024-02-01"],
                       "end_date": ["", "2024-06-01"], "revenue_per_year": ["100", "200"]})
    for k, v in change.items():
        df.loc[1, k] = v
    return df


@pytest.mark.parametrize("change, words", [
    ({"start_date": "2024-13-40"}, ["row 3", "start_date", "not a date"]),
    ({"revenue_per_year": "-5"}, ["row 3", "revenue_per_year", ">= 0"]),
    ({"revenue_per_year": "abc"}, ["row 3", "revenue_per_year"]),
    ({"end_date": "2023-01-01"}, ["row 3", "end_date", "before the start"]),
    ({"customer_id": ""}, ["row 3", "customer_id"]),
])
def test_bad_customer_rows_are_named(change, words):
    with pytest.raises(ClientDataError) as err:
        read_customers(_customers(**change))
    for w in words:
        assert w in str(err.value)


def test_bad_files_name_the_file_row_and_column(tmp_path):
    p = tmp_path / "contacts.csv"
    p.write_text("customer_id,date,channel,outcome,complained\n"
                 "a,2024-02-01,phone,resolved_first_time,no\n"
                 "a,2024-02-03,phone,lost,no\n")
    with pytest.raises(ClientDataError) as err:
        read_contacts(p)
    assert str(p) in str(err.value) and "row 3" in str(err.value)
    assert "outcome" in str(err.value) and "'lost'" in str(err.value)
    q = tmp_path / "c2.csv"
    q.write_text("customer_id,date\na,2024-01-01\n")
    with pytest.raises(ClientDataError, match=r"missing column.*outcome"):
        read_contacts(q)
    with pytest.raises(ClientDataError, match="complained"):
        read_contacts(pd.DataFrame({"customer_id": ["a"], "date": ["2024-01-01"],
                                    "channel": ["x"], "outcome": ["unresolved"],
                                    "complained": ["maybe"]}))


def test_contacts_of_unknown_customers_are_refused():
    cust = read_customers(_customers())
    log = pd.DataFrame({"customer_id": ["a", "zz"], "date": ["2024-02-01", "2024-02-02"],
                        "channel": ["phone"] * 2, "outcome": ["unresolved"] * 2,
                        "complained": ["no"] * 2})
    with pytest.raises(ClientDataError, match=r"row 3.*'zz' is not in the customer table"):
        read_contacts(log, cust)


def test_outcome_mapping():
    log = pd.DataFrame({"customer_id": ["a"] * 6, "date": ["2024-02-01"] * 6,
                        "channel": ["phone"] * 6,
                        "outcome": ["resolved_first_time", "resolved_later", "abandoned",
                                    "resolved_first_time", "resolved_later", "unresolved"],
                        "complained": ["no", "no", "no", "yes", "yes", "yes"]})
    assert read_contacts(log)["group"].tolist() == [
        "none", "none", "silent", "resolved_quickly", "resolved", "unresolved"]


def test_shipped_synthetic_client_reads():
    from womsim.analysis.clientdata import shipped_client

    cd = shipped_client()
    obs = cd.observables()
    assert obs.loc["customers", "value"] > 0
    assert math.isfinite(obs.loc["annual_churn", "value"])
    assert np.isfinite(cd.observables().loc["problem_share", "ci_high"])


@pytest.mark.parametrize("change", [{}, {"reviews.enabled": True}])
def test_synthetic_client_refuses_what_it_cannot_trace(change):
    # the trace follows our firm's steps only; a rival's moves or the reviews would be
    # silently missing from the tables
    sc = wom.Scenario.preset("retail_bank_challenger" if not change else "retail_bank")
    sc = sc.replace(**{"market.people": 500, **change})
    with pytest.raises(wom.WomsimError, match=r"cannot trace a market with (rivals|reviews)"):
        wom.synthetic_client(sc, seed=1)
    if not change:
        # with the rival removed the two-segment market traces, event for event as the
        # engine's run of it (each segment's desk load counted as the run counts it)
        from womsim.engine.step import run
        from womsim.runner.simulate import build_network

        sc = sc.replace(rivals=[])
        cd = wom.synthetic_client(sc, seed=1)
        rec = run(sc, build_network(sc, 1), 1)
        assert len(cd.contacts) == rec["contacts"].sum() > 0
        assert cd.customers["end_date"].notna().sum() == rec["defections"].sum()
        assert (cd.customers["end_date"].isna()).sum() == rec["customers"][-1]
