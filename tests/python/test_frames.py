"""rankme.open's tables as pandas DataFrames (the file skips as a whole without pandas): the
same numbers as the lists of dicts, which test_database.py compares with the command's JSON."""

import math
import os

import pytest
from real_sweep import labels_file

import rankme

pandas = pytest.importorskip("pandas")
pytestmark = pytest.mark.skipif("RANKME" not in os.environ, reason="needs $RANKME (CTest)")

METRICS = [m["name"] for m in rankme.metric_catalog()]


def records(frame):
    """A frame's rows as dicts, its NaN (pandas' missing value) as None, as the JSON has it."""
    return [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
            for row in frame.to_dict("records")]


def test_score_frames_carry_the_metric_column(sweep_db):
    db, _, _ = sweep_db
    frame = rankme.open(db).scores()
    assert isinstance(frame, pandas.DataFrame)
    assert records(frame) == rankme.open(db, frames=False).scores()
    assert set(frame["metric"]) == set(METRICS)
    wide = frame[frame["tensor"] == "embeddings"].pivot(
        index=["run", "checkpoint"], columns="metric", values="value")
    assert sorted(wide.columns) == sorted(m for m in METRICS if m != "lidar")
    empty = rankme.open(db).scores(metric="no_such_metric")
    assert len(empty) == 0 and "metric" in empty.columns and "value" in empty.columns


def test_frames_carry_the_same_numbers(sweep_db):
    db, _, _ = sweep_db
    rows = rankme.open(db, frames=False).leaderboard(within="method")
    frame = rankme.open(db).leaderboard(within="method")
    assert isinstance(frame, pandas.DataFrame)
    assert frame["mean"].tolist() == [r["mean"] for r in rows]
    assert frame["config_id"].tolist() == [r["config_id"] for r in rows]
    assert frame.attrs["metric"] == "rankme" and frame.attrs["within"] == "method"
    runs = rankme.open(db).runs()
    assert len(runs) == len(rankme.open(db, frames=False).runs())


@pytest.mark.parametrize("metric", METRICS)
def test_each_metrics_frame_names_its_metric(sweep_db, metric):
    db, _, _ = sweep_db
    frame = rankme.open(db).leaderboard(metric=metric)
    assert frame.attrs["metric"] == metric
    marginals = rankme.open(db).marginals(metric=metric)
    assert records(marginals) == rankme.open(db, frames=False).marginals(metric=metric)


def test_validate_frames_hold_the_agreement_and_the_signals(sweep_db, tmp_path):
    import shutil

    db, _, _ = sweep_db
    copy = str(tmp_path / "v.db")
    shutil.copy(db, copy)
    d = rankme.open(copy)
    agreement = d.validate(labels=labels_file(tmp_path), within="method")
    signals = d.validate(signals=True, within="method")
    rows = rankme.open(copy, frames=False)
    assert records(agreement) == rows.validate(within="method")
    assert records(signals) == rows.validate(signals=True, within="method")
    assert {"metric", "tensor", "spearman", "regret"} <= set(signals.columns)
    assert agreement.attrs["signals"] == records(signals)
    assert "configurations" in agreement.attrs and "signal_notes" in agreement.attrs
