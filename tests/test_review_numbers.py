"""What a client reads, checked by hand from the printed parts (review of the numbers): every
money figure the demo prints carries its basis, and the parts it prints add up to the
figures it prints."""

from __future__ import annotations

import re

import pytest

from womsim.app.demo import flagship

_MONEY = r"USD (-?[\d,]+(?:\.\d+)?)"


def _usd(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def demo():
    lines: list[str] = []
    r = flagship(runs=3, people=3000, executor="serial", ahead=False,
                 out=lambda *a: lines.append(" ".join(str(x) for x in a)))
    return "\n".join(lines), r


def test_the_demo_says_what_its_intervals_cover(demo):
    text, _ = demo
    assert "95% CI is the interval of the mean over the 3 runs" in text
    assert "not doubt about the assumptions" in text


def test_the_demo_s_value_lost_is_its_discounted_cash_plus_its_later_years(demo):
    """Before, the part after the horizon was left as value lost minus undiscounted cash,
    mixing two bases; now the two printed parts add up to the printed value lost."""
    text, r = demo
    value = _usd(re.search(r"Value lost: " + _MONEY, text).group(1))
    m = re.search(r"discounted it is " + _MONEY + r" of the value lost, and the other "
                  + _MONEY + r" is the customers' later years", text)
    assert m, text
    within, later = _usd(m.group(1)), _usd(m.group(2))
    assert within + later == pytest.approx(value, abs=1.0)
    assert within == pytest.approx(r["lost"]["cash_lost_within_horizon_pv"], abs=0.5)


def test_the_demo_s_roi_and_break_even_follow_from_its_printed_parts(demo):
    text, _ = demo
    m = re.search(r"Net gain " + _MONEY + r" .*? on " + _MONEY + r" spent .*?ROI (-?\d+)%",
                  text)
    assert m, text
    net, spent, roi = _usd(m.group(1)), _usd(m.group(2)), int(m.group(3))
    assert roi == round(100 * net / spent)
    cost = _usd(re.search(r"from month 3, " + _MONEY + " a year", text).group(1))
    worth = _usd(re.search(r"breaks even at a cost of " + _MONEY + " a year", text).group(1))
    # the cost counted is linear in the yearly cost: ROI 0 at cost x (net + spent) / spent
    assert worth == pytest.approx(cost * (net + spent) / spent, rel=1e-4)


def test_the_demo_s_customer_counts_name_their_horizon(demo):
    text, _ = demo
    assert "Customers lost per run today over the 2 years:" in text
