"""Bad or surprising market input a user would try (review of issue 18): each refused with
a message naming it, or accepted and acting."""

from __future__ import annotations

import pytest

import womsim as wom
from womsim.core.errors import ScenarioError, WomsimError


@pytest.fixture(scope="module")
def bank():
    return wom.Scenario.preset("retail_bank_challenger")


def test_segments_given_as_objects(bank):
    """replace(segments=[Segment, ...]) works as dicts do (it raised AttributeError)."""
    a, b = bank.segments
    same = bank.replace(segments=[a, b])
    assert [s.name for s in same.segments] == ["consumer", "business"]
    with pytest.raises(ScenarioError, match=r"shares consumer 0.7 \+ business 0.15"):
        bank.replace(segments=[a.model_copy(update={"share": 0.7}), b])
    with pytest.raises(ScenarioError, match="'consumer' is named twice"):
        bank.replace(segments=[a, a.model_copy(update={"share": 0.15})])


def test_segment_with_nobody_in_it(bank):
    a, b = bank.segments
    tiny = [a.model_copy(update={"share": 0.9995}), b.model_copy(update={"share": 0.0005})]
    with pytest.raises(ScenarioError, match=r"segment 'business': share 0.0005 of "
                                            r"market.people = 1,000 gives it no people"):
        bank.replace(segments=tiny, **{"market.people": 1000})
    # one person is enough to be a segment
    assert bank.replace(segments=tiny, **{"market.people": 2000}).market.people == 2000


def test_incident_in_the_last_month_names_it():
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 1000})
    late = wom.Incident("late", raises="contacts", multiplier=3, start="103 weeks",
                        duration="6 days")
    with pytest.raises(WomsimError, match=r"incident 'late' starts .* lengthen "
                                          r"simulation\.horizon_years"):
        wom.incident_cost(sc, late, runs=3, seed=1, executor="serial")
