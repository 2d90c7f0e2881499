"""rankme.ingest and rankme.open on tests/data/real_sweep_small: every document equal to what
the CLI prints with --json / --format json on the same database."""

import json
import os
import shutil
import subprocess

import pytest

import rankme

pytestmark = pytest.mark.skipif("RANKME" not in os.environ, reason="needs $RANKME (CTest)")

SWEEP = os.path.join(os.environ.get("RANKME_TEST_DATA_DIR", ""), "real_sweep_small")


def cli(*args):
    out = subprocess.run(
        [os.environ["RANKME"], *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def sweep_db(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("db") / "r.db")
    events = []
    summary = rankme.ingest(SWEEP, db=db, jobs=1, progress=lambda *e: events.append(e))
    return db, summary, events


def test_ingest_summary_equals_the_cli(sweep_db, tmp_path):
    db, summary, events = sweep_db
    expected = cli("ingest", SWEEP, "--db", str(tmp_path / "cli.db"), "-q", "-j", "1", "--json")
    for key in ("sweeps", "runs", "configurations", "checkpoints", "sources", "scored",
                "failed", "not_ready", "missing", "files_read"):
        assert summary[key] == expected[key], key
    assert summary["database"] == db and summary["scored"] > 0


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


def test_progress_callback_error_is_raised_after_the_ingest(tmp_path):
    def fail(*event):
        raise RuntimeError("stop")

    db = str(tmp_path / "x.db")
    with pytest.raises(RuntimeError, match="stop"):
        rankme.ingest(SWEEP, db=db, jobs=1, progress=fail)
    # The ingest itself completed and left a consistent database.
    assert len(rankme.open(db, frames=False).runs()) == len(cli("runs", "--db", db, "--json"))


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


def test_score_frames_carry_the_metric_column(sweep_db):
    pytest.importorskip("pandas")
    db, _, _ = sweep_db
    frame = rankme.open(db).scores()
    assert set(frame["metric"]) == set(METRICS)
    wide = frame[frame["tensor"] == "embeddings"].pivot(
        index=["run", "checkpoint"], columns="metric", values="value")
    assert sorted(wide.columns) == sorted(m for m in METRICS if m != "lidar")
    empty = rankme.open(db).scores(metric="no_such_metric")
    assert len(empty) == 0 and "metric" in empty.columns and "value" in empty.columns


@pytest.mark.parametrize("metric", METRICS)
def test_rankings_of_every_metric_equal_the_cli(sweep_db, metric):
    db, _, _ = sweep_db
    d = rankme.open(db, frames=False)
    flags = ["--metric", metric, "--within", "method"]
    board = cli("leaderboard", "--db", db, "--format", "json", *flags)
    assert d.leaderboard(metric=metric, within="method") == board["configurations"]
    assert d.best(metric=metric, within="method") == cli("best", "--db", db, "--json", *flags)
    frame = rankme.open(db).leaderboard(metric=metric)
    if not isinstance(frame, list):
        assert frame.attrs["metric"] == metric


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


def test_leaderboard_top(sweep_db):
    db, _, _ = sweep_db
    board = cli("leaderboard", "--db", db, "--format", "json", "--top", "1", "--within", "method")
    assert rankme.open(db, frames=False).leaderboard(top=1, within="method") == board[
        "configurations"
    ]


def labels_file(tmp_path):
    out = []
    for r in json.load(open(os.path.join(SWEEP, "ground_truth.json"))):
        e = {"run": r["run_dir"], "probe": r["linear_probe_acc"]}
        if r["name_step"] is not None:
            e["step"] = r["name_step"]
        else:
            e["epoch"] = r["name_epoch"]
        out.append(e)
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(out))
    return str(path)


def test_validate_equals_the_cli(sweep_db, tmp_path):
    db, _, _ = sweep_db
    labels = labels_file(tmp_path)
    mine, theirs = str(tmp_path / "mine.db"), str(tmp_path / "theirs.db")
    shutil.copy(db, mine)
    shutil.copy(db, theirs)
    expected = cli("validate", "--db", theirs, "--labels", labels, "--within", "method",
                   "--format", "json")
    got = rankme.open(mine, frames=False).validate(labels=labels, within="method")
    assert got == expected["agreement"] and len(got) == 3


def test_frames_carry_the_same_numbers(sweep_db):
    pandas = pytest.importorskip("pandas")
    db, _, _ = sweep_db
    rows = rankme.open(db, frames=False).leaderboard(within="method")
    frame = rankme.open(db).leaderboard(within="method")
    assert isinstance(frame, pandas.DataFrame)
    assert frame["mean"].tolist() == [r["mean"] for r in rows]
    assert frame["config_id"].tolist() == [r["config_id"] for r in rows]
    assert frame.attrs["metric"] == "rankme" and frame.attrs["within"] == "method"
    runs = rankme.open(db).runs()
    assert len(runs) == len(rankme.open(db, frames=False).runs())


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
