"""rankme.ingest and rankme.open on tests/data/real_sweep_small: every document equal to what
the CLI prints with --json / --format json on the same database."""

import json
import os
import shutil
import subprocess

import pytest
from real_sweep import SWEEP, cli, labels_file

import rankme

pytestmark = pytest.mark.skipif("RANKME" not in os.environ, reason="needs $RANKME (CTest)")


def test_ingest_summary_equals_the_cli(sweep_db, tmp_path):
    db, summary, events = sweep_db
    expected = cli("ingest", SWEEP, "--db", str(tmp_path / "cli.db"), "-q", "-j", "1", "--json")
    assert sorted(summary) == sorted(expected)  # the same document, from the same app function
    for key in expected:
        if key not in ("database", "seconds"):
            assert summary[key] == expected[key], key
    assert summary["database"] == db and summary["scored"] > 0
    assert sum(summary["scored_by_method"].values()) == summary["scored"]


def test_ingest_reports_progress(sweep_db):
    _, summary, events = sweep_db
    plans = [e for e in events if e[0] == "plan"]
    sources = [e for e in events if e[0] != "plan"]
    assert len(plans) == summary["sweeps"]
    assert len(sources) == plans[0][2] == summary["sources"]
    assert [e[2] for e in sources] == list(range(1, len(sources) + 1))
    assert {e[0] for e in sources} <= {"ok", "touched", "failed", "not_ready"}


def test_ingest_again_scores_nothing(sweep_db):
    db, first, _ = sweep_db
    again = rankme.ingest([SWEEP], db=db, jobs=1)
    assert again["scored"] == 0 and again["unchanged"] == first["sources"]


def test_ingest_takes_the_commands_discovery_flags(tmp_path):
    # --seed-key and --ignore-key change what a configuration is: the same runs either way.
    flags = {"seed_keys": ["seed", "*.seed"], "ignore_keys": ["optim.lr", "lr"]}
    mine, theirs = str(tmp_path / "mine.db"), str(tmp_path / "theirs.db")
    rankme.ingest(SWEEP, db=mine, jobs=1, max_samples=100, **flags)
    cli("ingest", SWEEP, "--db", theirs, "-q", "-j", "1", "--json", "--max-samples", "100",
        "--seed-key", "seed", "--seed-key", "*.seed", "--ignore-key", "optim.lr",
        "--ignore-key", "lr")
    runs = rankme.open(mine, frames=False).runs()
    assert runs == cli("runs", "--db", theirs, "--json")
    assert all("lr" not in r["hyperparameters"] and "optim.lr" not in r["hyperparameters"]
               for r in runs)
    scores = rankme.open(mine, frames=False).scores(metric="rankme")
    assert scores and all(s["rows_used"] <= 100 for s in scores)


@pytest.mark.parametrize("kwargs,message", [
    ({"eps": -1.0}, "eps"), ({"max_samples": -2}, "max_samples"), ({"jobs": -1}, "jobs"),
    ({"settle_seconds": float("nan")}, "settle_seconds"),
])
def test_ingest_refuses_what_the_command_refuses(tmp_path, kwargs, message):
    with pytest.raises(rankme.UsageError, match=message):
        rankme.ingest(SWEEP, db=str(tmp_path / "x.db"), **kwargs)


def test_runs_equal_the_cli(sweep_db):
    db, _, _ = sweep_db
    assert rankme.open(db, frames=False).runs() == cli("runs", "--db", db, "--json")


def test_scores_equal_every_runs_show(sweep_db):
    db, _, _ = sweep_db
    scores = rankme.open(db, frames=False).scores()
    expected = []
    for run in cli("runs", "--db", db, "--json"):
        shown = cli("show", run["path"], "--db", db, "--json")
        for s in shown["scores"]:
            expected.append(
                {"run": shown["run"], "config_id": shown["config_id"], "seed": shown["seed"], **s}
            )
    assert scores == expected and len(scores) > 0


METRICS = [m["name"] for m in rankme.metric_catalog()]


def test_scores_hold_every_metric_of_every_tensor(sweep_db):
    db, _, _ = sweep_db
    scores = rankme.open(db, frames=False).scores()
    assert {s["metric"] for s in scores} == set(METRICS)
    by_tensor = {}
    for s in scores:
        by_tensor.setdefault((s["run"], s["checkpoint"], s["tensor"]), []).append(s["metric"])
    views = [key for key in by_tensor if key[2].endswith("_views")]
    assert views and len(views) < len(by_tensor)
    for key, metrics in by_tensor.items():
        if key[2].endswith("_views"):
            assert metrics == ["lidar"], key
        else:
            assert sorted(metrics) == sorted(m for m in METRICS if m != "lidar"), key


def test_scores_filter_by_metric_and_tensor(sweep_db):
    db, _, _ = sweep_db
    d = rankme.open(db, frames=False)
    every = d.scores()
    rankme_rows = d.scores(metric="rankme")
    assert rankme_rows == [s for s in every if s["metric"] == "rankme"]
    keys = [(s["run"], s["checkpoint"], s["tensor"]) for s in rankme_rows]
    assert len(keys) == len(set(keys))  # one RankMe per checkpoint and tensor
    lidar = d.scores(metric="lidar", tensor="embeddings_views")
    assert lidar and all(s["metric"] == "lidar" and s["tensor"] == "embeddings_views"
                         for s in lidar)
    assert d.scores(metric="no_such_metric") == []


@pytest.mark.parametrize("metric", METRICS)
def test_rankings_of_every_metric_equal_the_cli(sweep_db, metric):
    db, _, _ = sweep_db
    d = rankme.open(db, frames=False)
    flags = ["--metric", metric, "--within", "method"]
    board = cli("leaderboard", "--db", db, "--format", "json", *flags)
    assert d.leaderboard(metric=metric, within="method") == board["configurations"]
    assert d.best(metric=metric, within="method") == cli("best", "--db", db, "--json", *flags)


SELECTIONS = [
    ({}, []),
    ({"within": "method"}, ["--within", "method"]),
    ({"tensor": "representations", "checkpoint": "best"},
     ["--tensor", "representations", "--checkpoint", "best"]),
    ({"checkpoint": "mean-last=2", "collapse_fraction": 0.5},
     ["--checkpoint", "mean-last=2", "--collapse-fraction", "0.5"]),
]


@pytest.mark.parametrize("kwargs,flags", SELECTIONS)
def test_rankings_equal_the_cli(sweep_db, kwargs, flags):
    db, _, _ = sweep_db
    d = rankme.open(db, frames=False)
    board = cli("leaderboard", "--db", db, "--format", "json", *flags)
    assert d.leaderboard(**kwargs) == board["configurations"]
    marginals = cli("marginals", "--db", db, "--format", "json", *flags)
    assert d.marginals(**kwargs) == marginals["marginals"]
    assert d.best(**kwargs) == cli("best", "--db", db, "--json", *flags)


@pytest.mark.parametrize("kwargs,flags", [
    ({"metric": "alpha_req", "alpha_target": 0.5}, ["--metric", "alpha_req", "--alpha-target",
                                                    "0.5"]),
    ({"metric": "alpha_req", "alpha_target": 2.0, "within": "method"},
     ["--metric", "alpha_req", "--alpha-target", "2", "--within", "method"]),
    ({"metric": "stable_rank", "tensor": "representations", "checkpoint": "best"},
     ["--metric", "stable_rank", "--tensor", "representations", "--checkpoint", "best"]),
])
def test_every_option_of_the_commands_gives_their_numbers(sweep_db, kwargs, flags):
    db, _, _ = sweep_db
    d = rankme.open(db, frames=False)
    assert d.leaderboard(**kwargs) == cli("leaderboard", "--db", db, "--format", "json",
                                          *flags)["configurations"]
    assert d.marginals(**kwargs) == cli("marginals", "--db", db, "--format", "json",
                                        *flags)["marginals"]
    best = d.best(**kwargs)
    assert best == cli("best", "--db", db, "--json", *flags)
    assert best["second_opinions"], "best carries what every other signal picks"


def test_alpha_target_changes_the_ranking(sweep_db):
    db, _, _ = sweep_db
    d = rankme.open(db, frames=False)
    near, far = (d.leaderboard(metric="alpha_req", alpha_target=t) for t in (0.0, 5.0))
    assert near != far


def test_marginals_by_one_key_equal_the_leaderboard_by(sweep_db):
    db, _, _ = sweep_db
    d = rankme.open(db, frames=False)
    expected = cli("leaderboard", "--db", db, "--format", "json", "--by", "method")
    assert d.marginals(by="method") == expected["marginals"]
    assert {m["key"] for m in expected["marginals"]} == {"method"}
    with pytest.raises(rankme.UsageError, match="not a hyperparameter that varies"):
        d.marginals(by="no_such_key")


def test_leaderboard_top(sweep_db):
    db, _, _ = sweep_db
    board = cli("leaderboard", "--db", db, "--format", "json", "--top", "1", "--within", "method")
    assert rankme.open(db, frames=False).leaderboard(top=1, within="method") == board[
        "configurations"
    ]


VALIDATIONS = [
    ({"within": "method"}, ["--within", "method"]),
    ({"metric": "alpha_req", "alpha_target": 0.5}, ["--metric", "alpha_req", "--alpha-target",
                                                    "0.5"]),
    ({"tensor": "representations", "checkpoint": "best"},
     ["--tensor", "representations", "--checkpoint", "best"]),
]


@pytest.mark.parametrize("kwargs,flags", VALIDATIONS)
def test_validate_equals_the_cli(sweep_db, tmp_path, kwargs, flags):
    db, _, _ = sweep_db
    labels = labels_file(tmp_path)
    mine, theirs = str(tmp_path / "mine.db"), str(tmp_path / "theirs.db")
    shutil.copy(db, mine)
    shutil.copy(db, theirs)
    expected = cli("validate", "--db", theirs, "--labels", labels, "--format", "json", *flags)
    d = rankme.open(mine, frames=False)
    got = d.validate(labels=labels, **kwargs)
    assert got == expected["agreement"] and len(got) >= 1
    # The table of every signal, as `validate --signals` prints it, and the whole document.
    signals = cli("validate", "--db", theirs, "--format", "json", "--signals", *flags)
    assert d.validate(signals=True, **kwargs) == signals["signals"] == expected["signals"]
    assert len(signals["signals"]) > 1 and any(s["ranked"] for s in signals["signals"])
    document = d.validate_document(**kwargs)
    assert document == cli("validate", "--db", theirs, "--format", "json", *flags)
    assert document["imported"] == 0  # the stored labels, as the command without --labels


def test_validate_lower_is_better_equals_the_cli(sweep_db, tmp_path):
    db, _, _ = sweep_db
    labels = labels_file(tmp_path)
    mine, theirs = str(tmp_path / "mine.db"), str(tmp_path / "theirs.db")
    shutil.copy(db, mine)
    shutil.copy(db, theirs)
    expected = cli("validate", "--db", theirs, "--labels", labels, "--label-column", "probe",
                   "--lower-is-better", "--format", "json")
    got = rankme.open(mine, frames=False).validate_document(
        labels=labels, label_column="probe", lower_is_better=True)
    assert got == expected


def test_database_errors(tmp_path):
    with pytest.raises(rankme.DatabaseError) as error:
        rankme.open(str(tmp_path / "none.db"))
    assert "no database here" in str(error.value) and error.value.exit_code == 3
    not_db = tmp_path / "x.db"
    not_db.write_text("hello")
    with pytest.raises(rankme.DatabaseError):
        rankme.open(str(not_db)).runs()


def test_bad_selection_is_a_usage_error(sweep_db):
    db, _, _ = sweep_db
    d = rankme.open(db)
    with pytest.raises(rankme.UsageError):
        d.leaderboard(checkpoint="sometimes")
    with pytest.raises(rankme.UsageError):
        d.leaderboard(within="no_such_key")
