"""Bad input everywhere gets a clear, specific error: the right type, naming the culprit.

Each case is (id, call, expected error type, strings the message must contain). The strings
are the culprit: the field or parameter name, the bad value, the allowed range or the file
line. Every error must also be one of womsim's own (or a standard file error), never a raw
pydantic or numpy traceback.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

import womsim as wom
from womsim import (
    CalibrationError,
    EdgeListError,
    Intervention,
    Network,
    NetworkError,
    Scenario,
    ScenarioError,
    Telling,
    UnknownKeyError,
    WomsimError,
)

PEOPLE = 300
SC = Scenario().replace(**{"market.people": PEOPLE, "simulation.horizon_years": 0.05,
                           "market.network": "well_mixed"})
NET = Network.random(PEOPLE, mean_degree=6, seed=1)
OK_RUN = {"network": None, "runs": 1, "seed": 1, "executor": "serial"}


def _toml(tmp: Path, text: str, name: str = "sc.toml") -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def _load(text: str):
    return lambda tmp: Scenario.from_toml(_toml(tmp, text))


def _edges(text: str, name: str = "edges.csv"):
    return lambda tmp: Network.from_edgelist(_toml(tmp, text, name))


def _iv(**kw):
    kw.setdefault("name", "training")
    return Intervention(**kw)


def _sc_iv(**kw):
    return SC.with_interventions(_iv(**kw))


# ---------------------------------------------------------------------------------- cases
# (id, call(tmp_path), error type, substrings the message must contain)
SCENARIO_VALUES = [
    ("probability-1.3", lambda t: Scenario(service={"problem_rate": 1.3}), ScenarioError,
     ["service.problem_rate", "1.3", "<= 1"]),
    ("probability-nan", lambda t: Scenario(service={"problem_rate": math.nan}), ScenarioError,
     ["service.problem_rate", "nan", "finite"]),
    ("money-inf", lambda t: Scenario(economics={"revenue_per_year": math.inf}), ScenarioError,
     ["economics.revenue_per_year", "inf", "finite"]),
    ("margin-minus-inf", lambda t: Scenario(economics={"margin": -math.inf}), ScenarioError,
     ["economics.margin", "-inf"]),
    ("string-for-number", lambda t: Scenario(service={"problem_rate": "high"}), ScenarioError,
     ["service.problem_rate", "'high'", "valid number"]),
    ("list-for-float", lambda t: Scenario(complaints={"resolved": [0.6]}), ScenarioError,
     ["complaints.resolved", "[0.6]"]),
    ("bool-for-count", lambda t: Scenario(word_of_mouth={"max_hops": True}), ScenarioError,
     ["word_of_mouth.max_hops", "True", "bool"]),
    ("bool-for-probability", lambda t: Scenario(complaints={"resolved": True}), ScenarioError,
     ["complaints.resolved", "True"]),
    ("fractional-count", lambda t: Scenario(market={"people": 1000.5}), ScenarioError,
     ["market.people", "1000.5", "integer"]),
    ("negative-count", lambda t: Scenario(market={"people": -5}), ScenarioError,
     ["market.people", "-5", ">= 10"]),
    ("none-for-count", lambda t: Scenario(market={"people": "none"}), ScenarioError,
     ["market.people", "None"]),
    ("zero-tail-threshold", lambda t: Scenario(word_of_mouth={"negative_tail_k": 0}),
     ScenarioError, ["word_of_mouth.negative_tail_k", "0", ">= 1"]),
    ("negative-rate", lambda t: Scenario(market={"marketing_rate": -0.1}), ScenarioError,
     ["market.marketing_rate", "-0.1", ">= 0"]),
    ("zero-step", lambda t: Scenario(simulation={"step_days": 0}), ScenarioError,
     ["simulation.step_days", "0", ">= 0.25"]),
    ("zero-horizon", lambda t: Scenario(simulation={"horizon_years": 0}), ScenarioError,
     ["simulation.horizon_years", "> 0"]),
    ("zero-negative-mean", lambda t: Scenario(word_of_mouth={"negative_mean": 0}),
     ScenarioError, ["word_of_mouth.negative_mean", "> 0"]),
    ("part-not-a-table", lambda t: Scenario(market=5), ScenarioError, ["market = 5"]),
]

NAMES = [
    ("misspelled-part", lambda t: Scenario(markt={"people": 500}), ScenarioError,
     ["markt", "Did you mean 'market'"]),
    ("misspelled-field", lambda t: Scenario(service={"problem_rat": 0.1}), ScenarioError,
     ["service.problem_rat", "problem_rate"]),
    ("field-outside-its-part", lambda t: Scenario(people=500), ScenarioError,
     ["'people'", "market.people"]),
    ("replace-misspelled", lambda t: SC.replace(**{"service.problem_rat": 0.1}),
     UnknownKeyError, ["service.problem_rat", "Did you mean 'service.problem_rate'"]),
    ("replace-misspelled-part", lambda t: SC.replace(**{"servce.problem_rate": 0.1}),
     UnknownKeyError, ["servce.problem_rate", "'service.problem_rate'"]),
    ("replace-too-deep", lambda t: SC.replace(**{"service.problem_rate.x": 0.1}),
     UnknownKeyError, ["service.problem_rate.x"]),
    ("replace-out-of-range", lambda t: SC.replace(**{"complaints.resolved": 1.5}),
     ScenarioError, ["complaints.resolved", "1.5", "<= 1"]),
    ("replace-numpy-nan", lambda t: SC.replace(**{"service.problem_rate": np.float64("nan")}),
     ScenarioError, ["service.problem_rate", "nan"]),
    ("replace-bool-count", lambda t: SC.replace(**{"market.people": True}), ScenarioError,
     ["market.people", "True"]),
    ("replace-desk-without-desk", lambda t: SC.replace(**{"desk.agents": 12}), ScenarioError,
     ["desk.agents", "no service desk"]),
    ("get-misspelled", lambda t: SC.get("service.problem_rat"), UnknownKeyError,
     ["service.problem_rat", "'service.problem_rate'"]),
    ("get-misspelled-part", lambda t: SC.get("servic"), UnknownKeyError,
     ["servic", "Did you mean 'service'"]),
    ("preset-misspelled", lambda t: Scenario.preset("telcom"), UnknownKeyError,
     ["telcom", "Did you mean 'telecom'"]),
    ("figure-misspelled", lambda t: wom.figures.get("negativ_tells"), UnknownKeyError,
     ["negativ_tells", "'negative_tells'"]),
]

COMBINATIONS = [
    ("delight-plus-problem", lambda t: Scenario(service={"problem_rate": 0.6,
                                                         "delight_rate": 0.5}),
     ScenarioError, ["service.problem_rate", "service.delight_rate", "0.6", "0.5", "exceeds 1"]),
    ("customer-plus-former", lambda t: Scenario(market={"customer_share": 0.7,
                                                         "former_share": 0.5}),
     ScenarioError, ["market.customer_share", "market.former_share", "1.2", "exceeds 1"]),
    ("contacts-per-step", lambda t: Scenario(service={"contact_rate": 100},
                                              simulation={"step_days": 7}),
     ScenarioError, ["service.contact_rate", "simulation.step_days", "1.92", "3.65"]),
    ("replace-breaks-mix", lambda t: SC.replace(**{"service.delight_rate": 0.95}),
     ScenarioError, ["service.delight_rate", "0.95"]),
]

INTERVENTIONS = [
    ("time-text", lambda t: _iv(start="6 monts"), ScenarioError,
     ["training", "start", "'6 monts'"]),
    ("time-negative", lambda t: _iv(start=-1), ScenarioError, ["start", "-1", ">= 0"]),
    ("time-wrong-type", lambda t: _iv(end=[1]), ScenarioError, ["end", "list"]),
    ("end-before-start", lambda t: _iv(start="6 months", end="3 months"), ScenarioError,
     ["training", "end (0.25 years)", "start (0.5 years)"]),
    ("how-names-unchanged-key", lambda t: _iv(changes={"service.problem_rate": 0.8},
                                               how={"complaints.resolved": "add"}),
     ScenarioError, ["training", "'how'", "complaints.resolved"]),
    ("how-unknown-mode", lambda t: _iv(changes={"service.problem_rate": 0.8},
                                       how={"service.problem_rate": "multiply"}),
     ScenarioError, ["how.service.problem_rate", "'multiply'", "'scale'"]),
    ("frozen-parameter", lambda t: _iv(changes={"market.people": 5000}), ScenarioError,
     ["market.people", "cannot change mid-run"]),
    ("frozen-simulation", lambda t: _iv(changes={"simulation.step_days": 1}), ScenarioError,
     ["simulation.step_days", "cannot change mid-run"]),
    ("change-nan", lambda t: _iv(changes={"service.problem_rate": math.nan}), ScenarioError,
     ["service.problem_rate", "nan", "finite"]),
    ("change-text", lambda t: _iv(changes={"service.problem_rate": "less"}), ScenarioError,
     ["service.problem_rate", "'less'"]),
    ("change-bool", lambda t: _iv(changes={"complaints.resolved": True}), ScenarioError,
     ["True", "bool"]),
    ("negative-cost", lambda t: _iv(cost_per_year=-5), ScenarioError,
     ["cost_per_year", "-5", "greater than or equal to 0"]),
    ("misspelled-argument", lambda t: _iv(chnages={"service.problem_rate": 0.8}), ScenarioError,
     ["chnages", "Did you mean 'changes'"]),
    ("no-name", lambda t: Intervention(start=1), ScenarioError, ["'name' is required"]),
    ("unknown-changed-parameter", lambda t: _sc_iv(changes={"service.problem_rat": 0.05}),
     UnknownKeyError, ["training", "service.problem_rat", "'service.problem_rate'"]),
    ("effect-out-of-range-scale", lambda t: _sc_iv(changes={"service.problem_rate": 20},
                                                    how={"service.problem_rate": "scale"}),
     ScenarioError, ["training", "service.problem_rate", "2.0", "<= 1"]),
    ("effect-out-of-range-later", lambda t: SC.replace(**{"simulation.horizon_years": 2.0})
     .with_interventions(_iv(start="1 month", ramp="1 year",
                             changes={"complaints.resolved": 0.6},
                             how={"complaints.resolved": "add"})),
     ScenarioError, ["training", "complaints.resolved", "t=0.769", "<= 1"]),
    ("effect-breaks-mix", lambda t: _sc_iv(changes={"service.delight_rate": 0.95}),
     ScenarioError, ["training", "service.delight_rate", "exceeds 1"]),
    ("effect-in-constructor", lambda t: Scenario(interventions=[{
        "name": "training", "changes": {"service.problem_rate": 20.0},
        "how": {"service.problem_rate": "scale"}}]),
     ScenarioError, ["training", "service.problem_rate", "2.0"]),
    ("not-an-intervention", lambda t: SC.with_interventions({"name": "training"}),
     ScenarioError, ["with_interventions", "dict", "Intervention("]),
]

_GOOD = 'name = "x"\n\n[market]\npeople = 5000\n'
FILES = [
    ("toml-syntax-error", _load(_GOOD + "customer_share = 0.3 0.4\n"), ScenarioError,
     ["sc.toml", "syntax", "line 5"]),
    ("toml-unclosed-table", _load('[market\npeople = 5\n'), ScenarioError,
     ["syntax", "line 1"]),
    ("toml-misspelled-key", _load(_GOOD + "\n[service]\nproblem_rat = 0.2\n"), ScenarioError,
     ["line 7", "service.problem_rat", "problem_rate"]),
    ("toml-misspelled-table", _load('name = "x"\n[markt]\npeople = 5000\n'), ScenarioError,
     ["markt", "'market'"]),
    ("toml-key-outside-table", _load('name = "x"\npeople = 5000\n'), ScenarioError,
     ["line 2", "market.people"]),
    ("toml-value-out-of-range", _load(_GOOD + "\n[service]\nproblem_rate = 1.3\n"),
     ScenarioError, ["line 7", "service.problem_rate", "1.3", "<= 1"]),
    ("toml-nan", _load('[market]\npeople = nan\n'), ScenarioError,
     ["line 2", "market.people", "nan"]),
    ("toml-string-for-number", _load('[market]\npeople = "lots"\n'), ScenarioError,
     ["line 2", "market.people", "'lots'"]),
    ("toml-bool-for-number", _load('[word_of_mouth]\nmax_hops = true\n'), ScenarioError,
     ["line 2", "word_of_mouth.max_hops", "True"]),
    ("toml-inconsistent", _load('[market]\ncustomer_share = 0.8\nformer_share = 0.5\n'),
     ScenarioError, ["line 2", "market.customer_share", "exceeds 1"]),
    ("toml-intervention-time", _load('[[interventions]]\nname = "t"\nstart = "6 monts"\n'),
     ScenarioError, ["line 3", "'6 monts'"]),
    ("toml-intervention-key", _load('[[interventions]]\nname = "t"\n\n'
                                    '[interventions.changes]\n"service.problem_rat" = 0.5\n'),
     ScenarioError, ["line 5", "service.problem_rat", "'service.problem_rate'"]),
    ("toml-non-utf8", lambda t: Scenario.from_toml(
        (t / "bin.toml", (t / "bin.toml").write_bytes(b'name = "\xff\xfe"\n'))[0]),
     ScenarioError, ["bin.toml", "UTF-8", "byte 8"]),
    ("toml-folder", lambda t: Scenario.from_toml(t), ScenarioError, ["test_bad_input", "folder"]),
    ("toml-missing", lambda t: Scenario.from_toml(t / "nope.toml"), FileNotFoundError,
     ["nope.toml"]),
    ("toml-write-exists", lambda t: [SC.to_toml(t / "o.toml") for _ in range(2)],
     FileExistsError, ["o.toml", "overwrite=True"]),
    ("toml-write-no-folder", lambda t: SC.to_toml(t / "no" / "o.toml"), FileNotFoundError,
     ["no", "does not exist"]),
]

NETWORKS = [
    ("no-edges-no-nodes", lambda t: Network.from_edges([], []), NetworkError,
     ["at least one node", "0"]),
    ("n-zero", lambda t: Network.scale_free(0, m=2), NetworkError, ["n must be", "got 0"]),
    ("m-at-least-n", lambda t: Network.scale_free(5, m=5), NetworkError,
     ["m must be", "1..4", "got 5"]),
    ("m-fractional", lambda t: Network.scale_free(50, m=2.5), NetworkError, ["m", "2.5"]),
    ("p-1.3", lambda t: Network.small_world(50, k=4, p=1.3), NetworkError,
     ["p must be", "[0.0, 1.0]", "1.3"]),
    ("odd-k", lambda t: Network.small_world(50, k=5), NetworkError, ["k must be even", "5"]),
    ("mean-degree-nan", lambda t: Network.random(50, mean_degree=math.nan), NetworkError,
     ["mean_degree", "nan"]),
    ("n-bool", lambda t: Network.random(True, mean_degree=4), NetworkError, ["n", "True"]),
    ("negative-seed", lambda t: Network.scale_free(50, m=2, seed=-1), NetworkError,
     ["seed", "-1"]),
    ("no-communities", lambda t: Network.communities([]), NetworkError, ["sizes", "[]"]),
    ("empty-networkx", lambda t: Network.from_networkx(__import__("networkx").Graph()),
     NetworkError, ["networkx", "no nodes"]),
    ("edge-out-of-range", lambda t: Network.from_edges([0, 1], [1, 9], n=5), NetworkError,
     ["v[1] = 9", "0..4"]),
    ("edgelist-short-line", _edges("source,target\n0,1\n1,2\n2\n3,4\n"), EdgeListError,
     ["edges.csv", "line 4", "'2'"]),
    ("edgelist-long-line", _edges("0 1\n1 2\n2 x y z\n"), EdgeListError,
     ["line 3", "found 4"]),
    ("edgelist-empty", _edges(""), EdgeListError, ["edges.csv", "no edges"]),
    ("edgelist-only-header", _edges("source,target\n"), EdgeListError,
     ["edges.csv", "no edges"]),
    ("edgelist-missing", lambda t: Network.from_edgelist(t / "friends.csv"),
     FileNotFoundError, ["friends.csv", "not found"]),
    ("edgelist-folder", lambda t: Network.from_edgelist(t), EdgeListError, ["directory"]),
    ("frame-one-column", lambda t: Network.from_edgelist(pd.DataFrame({"source": [0, 1]})),
     EdgeListError, ["'source'", "'target'", "['source']"]),
    ("frame-missing-value", lambda t: Network.from_edgelist(
        pd.DataFrame({"source": [0, 1], "target": [1, None]})),
     EdgeListError, ["row 1", "'target'"]),
    ("network-size-vs-market", lambda t: wom.simulate(
        SC, network=Network.random(200, mean_degree=6, seed=1), runs=1, seed=1),
     NetworkError, ["200", "market.people", "300"]),
    ("network-wrong-type", lambda t: wom.simulate(SC, network="scale_free", runs=1, seed=1),
     NetworkError, ["network must be", "str", "'scale_free'"]),
    ("sweep-network-size", lambda t: wom.sweep(
        SC, {"service.problem_rate": [0.1]}, network=Network.random(200, mean_degree=6,
                                                                     seed=1), runs=1, seed=1),
     NetworkError, ["200", "300"]),
]

TELLING = [
    ("impossible-calibration", lambda t: Telling.from_figures(mean=2, tail=(20, 0.5)),
     CalibrationError, ["mean 2", "P(K > 20) = 0.5"]),
    ("mean-zero", lambda t: Telling.from_figures(mean=0, tail=(20, 0.13)), CalibrationError,
     ["mean", "positive", "0"]),
    ("mean-negative", lambda t: Telling.from_figures(mean=-1), CalibrationError,
     ["mean", "-1"]),
    ("mean-nan", lambda t: Telling.from_figures(mean=math.nan), CalibrationError,
     ["mean", "nan"]),
    ("mean-text", lambda t: Telling.from_figures(mean="nine"), WomsimError,
     ["mean", "'nine'"]),
    ("tail-share-1.3", lambda t: Telling.from_figures(mean=9, tail=(20, 1.3)),
     CalibrationError, ["tail share", "1.3"]),
    ("sample-random-state", lambda t: Telling.negative().sample(np.random.RandomState(1), 3),
     TypeError, ["numpy.random.Generator", "RandomState"]),
    ("sample-int-seed", lambda t: Telling.negative().sample(7, 3), TypeError,
     ["numpy.random.Generator", "int"]),
    ("sample-negative-size", lambda t: Telling.negative().sample(np.random.default_rng(1), -5),
     WomsimError, ["size = -5"]),
    ("pmf-negative", lambda t: Telling.from_pmf([0.5, -0.1, 0.6]), WomsimError,
     ["pmf[1]", "-0.1"]),
    ("pmf-not-normalised", lambda t: Telling.from_pmf([0.5, 0.1]), WomsimError,
     ["0.6", "normalize=True"]),
]

RUNS = [
    ("simulate-runs-0", lambda t: wom.simulate(SC, **{**OK_RUN, "runs": 0}), WomsimError,
     ["runs = 0", ">= 1"]),
    ("simulate-runs-float", lambda t: wom.simulate(SC, **{**OK_RUN, "runs": 2.0}),
     WomsimError, ["runs = 2.0"]),
    ("simulate-runs-bool", lambda t: wom.simulate(SC, **{**OK_RUN, "runs": True}),
     WomsimError, ["runs = True"]),
    ("simulate-seed-negative", lambda t: wom.simulate(SC, **{**OK_RUN, "seed": -1}),
     WomsimError, ["seed = -1", ">= 0"]),
    ("simulate-seed-float", lambda t: wom.simulate(SC, **{**OK_RUN, "seed": 1.5}),
     WomsimError, ["seed = 1.5"]),
    ("simulate-executor", lambda t: wom.simulate(SC, **{**OK_RUN, "executor": "thread"}),
     WomsimError, ["executor='thread'", "'serial'", "'processes'", "'threads'"]),
    ("simulate-executor-object", lambda t: wom.simulate(SC, **{**OK_RUN, "executor": 4}),
     WomsimError, ["executor=4"]),
    ("simulate-preset-name", lambda t: wom.simulate("telecom", runs=1, seed=1), ScenarioError,
     ["str", "Scenario.preset('telecom')"]),
    ("simulate-dict", lambda t: wom.simulate({"market.people": 300}, runs=1, seed=1),
     ScenarioError, ["must be a womsim Scenario", "dict"]),
    ("compare-single-scenario", lambda t: wom.compare(SC, **OK_RUN), WomsimError,
     ["at least two scenarios", "single scenario"]),
    ("compare-one-in-dict", lambda t: wom.compare({"today": SC}, **OK_RUN), WomsimError,
     ["at least two scenarios", "got 1"]),
    ("compare-runs-0", lambda t: wom.compare({"a": SC, "b": SC}, **{**OK_RUN, "runs": 0}),
     WomsimError, ["runs = 0"]),
    ("compare-seed-negative", lambda t: wom.compare({"a": SC, "b": SC},
                                                    **{**OK_RUN, "seed": -3}),
     WomsimError, ["seed = -3"]),
    ("compare-executor", lambda t: wom.compare({"a": SC, "b": SC},
                                               **{**OK_RUN, "executor": "gpu"}),
     WomsimError, ["executor='gpu'"]),
    ("compare-not-a-scenario", lambda t: wom.compare({"a": SC, "b": 5}, **OK_RUN),
     ScenarioError, ["scenario 'b'", "int"]),
    ("compare-different-markets", lambda t: wom.compare(
        {"a": SC, "b": SC.replace(**{"market.people": 400})}, **OK_RUN),
     ScenarioError, ["'b'", "market.people"]),
    ("sweep-runs-0", lambda t: wom.sweep(SC, {"service.problem_rate": [0.1]},
                                         **{**OK_RUN, "runs": 0}),
     WomsimError, ["runs = 0"]),
    ("sweep-seed-negative", lambda t: wom.sweep(SC, {"service.problem_rate": [0.1]},
                                                **{**OK_RUN, "seed": -1}),
     WomsimError, ["seed = -1"]),
    ("sweep-executor", lambda t: wom.sweep(SC, {"service.problem_rate": [0.1]},
                                           **{**OK_RUN, "executor": "thread"}),
     WomsimError, ["executor='thread'"]),
    ("sweep-empty-grid", lambda t: wom.sweep(SC, {}, **OK_RUN), WomsimError,
     ["at least one parameter"]),
    ("sweep-no-values", lambda t: wom.sweep(SC, {"service.problem_rate": []}, **OK_RUN),
     WomsimError, ["'service.problem_rate'", "no values"]),
    ("sweep-unknown-parameter", lambda t: wom.sweep(SC, {"service.problem_rat": [0.1]},
                                                    **OK_RUN),
     UnknownKeyError, ["service.problem_rat", "'service.problem_rate'"]),
    ("sweep-value-out-of-range", lambda t: wom.sweep(SC, {"service.problem_rate": [0.1, 1.5]},
                                                     **OK_RUN),
     ScenarioError, ["service.problem_rate", "1.5"]),
    ("sensitivity-unknown-parameter", lambda t: wom.sensitivity(
        SC, params=["word_of_mouth.negativ_mean"], **OK_RUN),
     UnknownKeyError, ["word_of_mouth.negativ_mean", "'word_of_mouth.negative_mean'"]),
    ("sensitivity-runs-0", lambda t: wom.sensitivity(
        SC, params=["word_of_mouth.negative_mean"], **{**OK_RUN, "runs": 0}),
     WomsimError, ["runs = 0"]),
    ("break-even-runs-0", lambda t: wom.break_even(SC, {"complaints.resolved": 0.9},
                                                   **{**OK_RUN, "runs": 0}),
     WomsimError, ["runs = 0"]),
    ("break-even-not-an-improvement", lambda t: wom.break_even(SC, "better", **OK_RUN),
     ScenarioError, ["improvement", "str"]),
    ("break-even-unknown-parameter", lambda t: wom.break_even(
        SC, {"complaints.resolve": 0.9}, **OK_RUN),
     UnknownKeyError, ["complaints.resolve", "'complaints.resolved'"]),
    ("break-even-out-of-range", lambda t: wom.break_even(SC, {"complaints.resolved": 1.4},
                                                         **OK_RUN),
     ScenarioError, ["complaints.resolved", "1.4"]),
    ("lost-revenue-runs-0", lambda t: wom.lost_revenue(SC, **{**OK_RUN, "runs": 0}),
     WomsimError, ["runs = 0"]),
    ("lost-revenue-seed-negative", lambda t: wom.lost_revenue(SC, **{**OK_RUN, "seed": -2}),
     WomsimError, ["seed = -2"]),
    ("lost-revenue-executor", lambda t: wom.lost_revenue(SC, **{**OK_RUN, "executor": "x"}),
     WomsimError, ["executor='x'"]),
    ("lost-revenue-unknown-target", lambda t: wom.lost_revenue(
        SC, target={"service.problem_rat": 0.05}, **OK_RUN),
     UnknownKeyError, ["service.problem_rat", "'service.problem_rate'"]),
    ("lost-revenue-target-out-of-range", lambda t: wom.lost_revenue(
        SC, target={"service.problem_rate": 2}, **OK_RUN),
     ScenarioError, ["service.problem_rate", "2"]),
]

DAMAGE = [
    ("period-text", lambda t: wom.market_damage(SC, period="fortnight"), WomsimError,
     ["period", "'fortnight'"]),
    ("period-negative", lambda t: wom.market_damage(SC, period="-1 year"), WomsimError,
     ["period", "'-1 year'"]),
    ("period-zero", lambda t: wom.market_damage(SC, period=0), WomsimError,
     ["period = 0", "longer than zero"]),
    ("period-nan", lambda t: wom.market_damage(SC, period=math.nan), WomsimError,
     ["period", "nan"]),
    ("period-bool", lambda t: wom.market_damage(SC, period=True), WomsimError,
     ["period", "True"]),
    ("customers-negative", lambda t: wom.market_damage(SC, customers=-5), WomsimError,
     ["customers = -5"]),
    ("not-a-scenario", lambda t: wom.market_damage("telecom"), WomsimError,
     ["needs a Scenario", "str"]),
]

GROUPS = {"scenario": SCENARIO_VALUES, "name": NAMES, "combination": COMBINATIONS,
          "intervention": INTERVENTIONS, "file": FILES, "network": NETWORKS,
          "telling": TELLING, "run": RUNS, "damage": DAMAGE}
CASES = [pytest.param(call, exc, needles, id=f"{group}:{cid}")
         for group, cases in GROUPS.items() for cid, call, exc, needles in cases]


def test_enough_distinct_bad_inputs():
    ids = [cid for cases in GROUPS.values() for cid, *_ in cases]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40


@pytest.mark.parametrize(("call", "exc", "needles"), CASES)
def test_bad_input_names_the_culprit(call, exc, needles, tmp_path):
    with pytest.raises(exc) as info:
        call(tmp_path)
    err = info.value
    # one of womsim's own errors (or a file error), never a raw pydantic/numpy traceback
    assert not isinstance(err, ValidationError), err
    assert isinstance(err, (WomsimError, FileNotFoundError, FileExistsError, TypeError))
    message = str(err)
    missing = [n for n in needles if n not in message]
    assert not missing, f"message does not name {missing}: {message}"


def test_nothing_lost_when_a_write_is_refused(tmp_path):
    """A refused overwrite leaves the existing file as it was."""
    p = SC.to_toml(tmp_path / "keep.toml")
    before = p.read_bytes()
    with pytest.raises(FileExistsError):
        SC.replace(**{"service.problem_rate": 0.2}).to_toml(p)
    assert p.read_bytes() == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["keep.toml"]  # no temporary left


def test_inputs_are_not_changed_by_a_failed_replace():
    """A rejected change leaves the scenario it was asked of untouched (frozen, validated)."""
    before = SC.model_dump()
    with pytest.raises(ScenarioError):
        SC.replace(**{"service.problem_rate": 0.2, "complaints.resolved": 7})
    assert SC.model_dump() == before


def test_errors_are_value_errors_and_key_errors():
    """Generic handlers keep working: every womsim error is a ValueError; unknown names are
    also KeyErrors, and their message is not wrapped in quotes."""
    with pytest.raises(ValueError):
        Scenario(service={"problem_rate": 1.3})
    with pytest.raises(KeyError) as info:
        Scenario.preset("telcom")
    assert str(info.value).startswith("unknown preset 'telcom'")


# ------------------------------------------------------------------------------ safety
PACKAGE = Path(wom.__file__).parent

# code patterns that would run or unpickle what a user hands in, or talk to the network
FORBIDDEN = {
    "pickle.load": r"\b(c?pickle|dill|cloudpickle|joblib)\.loads?\s*\(",
    "pandas read_pickle": r"\bread_pickle\s*\(",
    "numpy allow_pickle": r"allow_pickle\s*=\s*True",
    "eval(": r"(?<![\w.])eval\s*\(",
    "exec(": r"(?<![\w.])exec\s*\(",
    "compile(": r"(?<![\w.])compile\s*\((?!\s*r?[\"'])",  # re.compile(...) is fine
    "__import__": r"__import__\s*\(",
    "yaml": r"^\s*(import|from)\s+(yaml|ruamel)\b",
    "marshal/shelve": r"^\s*(import|from)\s+(marshal|shelve)\b",
    "network import": (r"^\s*(import|from)\s+(socket|ssl|urllib|urllib3|http|requests|httpx|"
                       r"aiohttp|ftplib|smtplib|telnetlib|xmlrpc|websocket|websockets|"
                       r"sentry_sdk|posthog|segment|mixpanel)\b"),
}


def _sources() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20, files  # really the package
    return files


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_package_source_has_no_unsafe_calls(what):
    import re

    pattern = re.compile(FORBIDDEN[what], re.MULTILINE)
    hits = []
    for f in _sources():
        text = f.read_text(encoding="utf-8")
        hits += [f"{f.relative_to(PACKAGE)}:{text.count(chr(10), 0, m.start()) + 1}: "
                 f"{m.group(0)}" for m in pattern.finditer(text)]
    assert not hits, f"{what} found in womsim: {hits}"


def test_forbidden_patterns_do_catch_what_they_should():
    """The patterns above are not vacuous."""
    import re

    bad = {"pickle.load": "x = pickle.load(f)", "eval(": "v = eval(text)",
           "exec(": "exec(code)", "network import": "import urllib.request",
           "yaml": "import yaml", "__import__": "__import__('os')",
           "numpy allow_pickle": "np.load(p, allow_pickle=True)",
           "compile(": "compile(src, 'f', 'exec')"}
    for what, line in bad.items():
        assert re.search(FORBIDDEN[what], line, re.MULTILINE), what
    fine = ["df.eval('a + b')", "re.compile(r'x')", "# nothing is unpickled"]
    for line in fine:
        assert not any(re.search(p, line, re.MULTILINE) for p in FORBIDDEN.values()), line


HOSTILE = {
    "code-in-a-string": 'name = "__import__(\'os\').system(\'touch {marker}\')"\n',
    "code-for-a-number": '[market]\npeople = "__import__(\'os\').system(\'touch {marker}\')"\n',
    "code-for-a-time": ('[[interventions]]\nname = "x"\n'
                       'start = "__import__(\'os\').system(\'touch {marker}\')"\n'),
    "code-as-a-key": '[market]\n"__import__(\'os\').system(\'touch {marker}\')" = 5\n',
    "yaml-python-tag": 'name: !!python/object/apply:os.system ["touch {marker}"]\n',
    "pickle-bytes": None,  # a pickle of os.system("touch marker"), written as bytes
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_untrusted_scenario_file_cannot_run_code(kind, tmp_path, monkeypatch):
    """A scenario file is parsed as TOML data and validated; nothing in it is evaluated,
    unpickled or imported, whatever it contains."""
    import builtins
    import os
    import pickle
    import subprocess

    marker = tmp_path / "PWNED"
    calls = []

    def spy(name):
        def f(*a, **k):
            calls.append(name)
            raise AssertionError(f"{name} called while loading a scenario file")
        return f

    path = tmp_path / "untrusted.toml"
    if HOSTILE[kind] is None:
        class Payload:
            def __reduce__(self):
                return (os.system, (f"touch {marker}",))

        path.write_bytes(pickle.dumps(Payload()))
    else:
        path.write_text(HOSTILE[kind].format(marker=marker), encoding="utf-8")
    for mod, name in [(builtins, "eval"), (builtins, "exec"),
                      (pickle, "load"), (pickle, "loads"), (os, "system"),
                      (subprocess, "Popen")]:
        monkeypatch.setattr(mod, name, spy(f"{mod.__name__}.{name}"))
    try:
        sc = Scenario.from_toml(path)
    except WomsimError:
        sc = None  # refused, as it should be, unless it was only text
    finally:
        monkeypatch.undo()
    assert calls == []
    assert not marker.exists()
    if sc is not None:  # only a plain string field can hold such text, and stays text
        assert kind == "code-in-a-string"
        assert sc.name.startswith("__import__(")


def test_no_network_calls(tmp_path, monkeypatch):
    """Loading, simulating, comparing and the analytic model never open a connection (and
    so send no telemetry)."""
    import socket

    opened = []

    def refuse(*a, **k):
        opened.append(a)
        raise AssertionError("womsim tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    p = SC.to_toml(tmp_path / "sc.toml")
    sc = Scenario.from_toml(p)
    wom.simulate(sc, runs=2, seed=1, executor="serial")
    wom.compare({"a": sc, "b": sc.replace(**{"service.problem_rate": 0.2})}, runs=1, seed=1,
                executor="serial")
    wom.market_damage(sc)
    wom.figures.table()
    assert opened == []


# ------------------------------------- issue 12: state, coercion, settings that cannot act
def _stale(edit):
    """SC saved and edited by hand, then built directly (no file loader to re-solve it)."""
    def call(tmp):
        data = SC.to_dict()
        edit(data)
        return Scenario(**data)
    return call


def _desk_sc():
    return SC.today(desk=wom.ServiceDesk(agents=2))


def _two_ivs(tmp):
    a = Intervention("a", changes={"complaints.resolved": 0.25},
                     how={"complaints.resolved": "add"})
    b = Intervention("b", start="1 week", changes={"complaints.resolved": 0.25},
                     how={"complaints.resolved": "add"})
    SC.with_interventions(a)        # each alone stays in range (0.6 + 0.25)
    SC.with_interventions(b)
    return SC.with_interventions(a, b)


NUMBERS_NOT_GUESSED = [
    ("np-bool-for-probability", lambda t: Scenario(complaints={"resolved": np.True_}),
     ScenarioError, ["complaints.resolved", "True", "bool"]),
    ("np-bool-for-count", lambda t: Scenario(market={"people": np.True_}), ScenarioError,
     ["market.people", "True", "bool"]),
    ("number-as-text", lambda t: Scenario(service={"problem_rate": "0.2"}), ScenarioError,
     ["service.problem_rate", "'0.2'", "without quotes"]),
    ("numpy-array-for-number", lambda t: Scenario(service={"problem_rate": np.array([0.2])}),
     ScenarioError, ["service.problem_rate", "array"]),
    ("np-bool-in-replace", lambda t: SC.replace(**{"word_of_mouth.max_hops": np.True_}),
     ScenarioError, ["word_of_mouth.max_hops", "bool"]),
    ("desk-bool-agents", lambda t: wom.ServiceDesk(agents=True), ScenarioError,
     ["agents", "True", "bool"]),
    ("desk-np-bool-agents", lambda t: wom.ServiceDesk(agents=np.True_), ScenarioError,
     ["agents", "True", "bool"]),
    ("desk-text-agents", lambda t: wom.ServiceDesk(agents="12"), ScenarioError,
     ["agents", "'12'", "without quotes"]),
    ("desk-bool-in-hours", lambda t: wom.ServiceDesk(open_hours=(True, 18)), ScenarioError,
     ["open_hours", "bool"]),
    ("desk-np-bool-via-replace", lambda t: _desk_sc().replace(**{"desk.agents": np.True_}),
     ScenarioError, ["agents", "bool"]),
    ("iv-np-bool-change", lambda t: _iv(changes={"service.problem_rate": np.True_}),
     ScenarioError, ["training", "service.problem_rate", "bool"]),
    ("iv-text-change", lambda t: _iv(changes={"complaints.resolved": "0.9"}), ScenarioError,
     ["training", "complaints.resolved", "without quotes"]),
    ("iv-np-bool-cost", lambda t: _iv(cost_per_year=np.True_), ScenarioError,
     ["training", "cost_per_year", "bool"]),
    ("iv-np-bool-start", lambda t: _iv(start=np.True_), ScenarioError,
     ["training", "start", "True"]),
    ("sweep-np-bool-value", lambda t: wom.sweep(SC, {"service.problem_rate": [np.True_]},
                                                **OK_RUN), ScenarioError,
     ["service.problem_rate", "bool"]),
    ("horizon-shorter-than-a-step", lambda t: Scenario(simulation={"horizon_years": 0.01}),
     ScenarioError, ["simulation.horizon_years = 0.01", "shorter than one step", "7 days"]),
    ("compare-two-currencies", lambda t: wom.compare(
        {"a": SC, "b": SC.replace(**{"economics.currency": "EUR"})}, **OK_RUN), ScenarioError,
     ["'b'", "economics.currency = 'EUR'", "'USD'"]),
]

CALIBRATION_STATE = [
    ("what-if-changes-observable",
     lambda t: SC.what_if(**{"market.observed_annual_churn": 0.3}), ScenarioError,
     ["market.observed_annual_churn = 0.3", "would do nothing", ".today("]),
    ("stale-kept-baseline", _stale(lambda d: d["market"].update(observed_annual_churn=0.3)),
     ScenarioError, ["market.observed_annual_churn = 0.3", "keeps market.baseline_churn",
                     ".today("]),
    ("kept-baseline-edited", _stale(lambda d: d["market"].update(baseline_churn=0.3)),
     ScenarioError, ["market.baseline_churn = 0.3", "records it as solved"]),
    ("kept-value-in-today", _stale(lambda d: d.update(state="today")), ScenarioError,
     ["state = 'today'", "solves market.baseline_churn"]),
    ("record-twice", _stale(lambda d: d.update(solved=d["solved"] * 2)), ScenarioError,
     ["market.baseline_churn", "recorded twice"]),
    ("given-baseline-and-observable",
     lambda t: SC.today(**{"market.baseline_churn": 0.1}), ScenarioError,
     ["market.baseline_churn = 0.1 is given", "observed_annual_churn = 0.2 would not be used",
      "extra_churn"]),
    ("state-set-directly", lambda t: SC.replace(state="today"), ScenarioError,
     ["'state'", ".today(", ".what_if("]),
    ("fixed-mix-under-a-desk",
     lambda t: _desk_sc().replace(**{"service.problem_rate": 0.05}), ScenarioError,
     ["service.problem_rate = 0.05", "service desk", "desk.agents"]),
]

CANNOT_ACT = [
    ("iv-baseline-churn", lambda t: _iv(changes={"market.baseline_churn": 0.1}),
     ScenarioError, ["training", "market.baseline_churn", "mid-run", "market.extra_churn"]),
    ("iv-observed-churn", lambda t: _iv(changes={"market.observed_annual_churn": 0.1}),
     ScenarioError, ["training", "market.observed_annual_churn", "mid-run",
                     "market.extra_churn"]),
    ("iv-revenue-sigma", lambda t: _iv(changes={"economics.revenue_sigma": 0.1}),
     ScenarioError, ["training", "economics.revenue_sigma", "economics.revenue_per_year"]),
    ("iv-no-alternative", lambda t: _iv(changes={"market.no_alternative_share": 0.5}),
     ScenarioError, ["training", "market.no_alternative_share", "at the start"]),
    ("iv-discount-rate", lambda t: _iv(changes={"economics.discount_rate": 0.1}),
     ScenarioError, ["training", "economics.discount_rate", "mid-run"]),
    ("iv-after-the-horizon", lambda t: _sc_iv(start="1 year",
                                              changes={"complaints.resolved": 0.8}),
     ScenarioError, ["training", "starts at 1 years", "0.05-year horizon", "never act"]),
    ("iv-between-two-steps", lambda t: _sc_iv(start="1 day", end="2 days",
                                              changes={"complaints.resolved": 0.8}),
     ScenarioError, ["training", "ends at", "no step", "never act"]),
    ("iv-horizon-shortened", lambda t: SC.replace(**{"simulation.horizon_years": 1.0})
     .with_interventions(_iv(start="6 months", changes={"complaints.resolved": 0.8}))
     .replace(**{"simulation.horizon_years": 0.25}), ScenarioError,
     ["training", "starts at 0.5 years", "0.25-year horizon"]),
    ("iv-fixed-mix-under-a-desk", lambda t: _desk_sc().with_interventions(
        _iv(changes={"service.problem_rate": 0.05})), ScenarioError,
     ["training", "service.problem_rate", "service desk", "desk.agents"]),
    ("ivs-together-out-of-range", _two_ivs, ScenarioError,
     ["'a', 'b'", "complaints.resolved", "1.1", "<= 1"]),
    ("sweep-degree-on-a-given-network", lambda t: wom.sweep(
        SC.replace(**{"market.network": "random"}), {"market.mean_degree": [2.0, 50.0]},
        **{**OK_RUN, "network": NET}), ScenarioError,
     ["market.mean_degree = 50", "network= given", "Omit network="]),
    ("sweep-degree-well-mixed", lambda t: wom.sweep(SC, {"market.mean_degree": [2.0, 50.0]},
                                                    **OK_RUN), ScenarioError,
     ["market.mean_degree", "does nothing in a well-mixed market"]),
    ("compare-kinds-on-a-given-network", lambda t: wom.compare(
        {"a": SC.replace(**{"market.network": "random"}),
         "b": SC.replace(**{"market.network": "scale_free"})}, **{**OK_RUN, "network": NET}),
     ScenarioError, ["scenario 'b'", "'scale_free'", "would be ignored"]),
]

ISSUE_12 = {"numbers": NUMBERS_NOT_GUESSED, "state": CALIBRATION_STATE,
            "cannot-act": CANNOT_ACT}


def test_issue_12_bad_inputs_are_distinct():
    ids = [cid for cases in ISSUE_12.values() for cid, *_ in cases]
    assert len(ids) == len(set(ids)) == 38


@pytest.mark.parametrize(("call", "exc", "needles"), [
    pytest.param(call, exc, needles, id=f"{group}:{cid}")
    for group, cases in ISSUE_12.items() for cid, call, exc, needles in cases])
def test_issue_12_bad_input_names_the_culprit(call, exc, needles, tmp_path):
    test_bad_input_names_the_culprit(call, exc, needles, tmp_path)
