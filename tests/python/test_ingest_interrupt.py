"""Ctrl-C during rankme.ingest: the ingest stops soon, commits the files it was scoring, raises
KeyboardInterrupt, leaves a consistent database, and the next ingest scores exactly the rest."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

import rankme

pytestmark = pytest.mark.skipif("RANKME" not in os.environ, reason="needs $RANKME (CTest)")

MAKE_SWEEP = os.path.join(os.environ.get("RANKME_SOURCE_DIR", ""), "scripts",
                          "make_ingest_sweep.py")
RUNS, CHECKPOINTS = 4, 10
SOURCES = RUNS * CHECKPOINTS * 2  # the plain layout writes embeddings and representations apart

CHILD = """
    import sys
    import rankme
    events = 0
    def progress(event, what, done, total):
        global events
        events += event != "plan"
        print(event, done, total, flush=True)
    try:
        rankme.ingest({sweep!r}, db={db!r}, jobs={jobs}, progress=progress)
        print("finished", events, flush=True)
    except KeyboardInterrupt:
        print("interrupted", events, flush=True)
"""


def cli(*args):
    out = subprocess.run([os.environ["RANKME"], *args], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    subprocess.run([sys.executable, MAKE_SWEEP, str(out), "--runs", str(RUNS), "--checkpoints",
                    str(CHECKPOINTS), "--rows", "3000", "--cols", "192", "--no-truth-scores"],
                   check=True, capture_output=True)
    return str(out)


def interrupted_ingest(sweep, db, jobs):
    """Runs rankme.ingest in a child and sends it SIGINT once the first file group is written.
    Returns the child's last line: (outcome, progress events it saw)."""
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD.format(sweep=sweep, db=db, jobs=jobs))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in child.stdout:
        lines.append(line.split())
        if lines[-1][0] == "ok":
            child.send_signal(signal.SIGINT)
            break
    rest, err = child.communicate(timeout=300)
    lines += [line.split() for line in rest.splitlines()]
    assert child.returncode == 0, err
    return lines[-1][0], int(lines[-1][1])


def stored_rankme(db):
    return [s for s in rankme.open(db, frames=False).scores(metric="rankme")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_stops_the_ingest_and_keeps_what_is_done(sweep, tmp_path, jobs):
    db = str(tmp_path / "r.db")
    outcome, events = interrupted_ingest(sweep, db, jobs)
    assert outcome == "interrupted"
    # Stopped early: most file groups were never read.
    scored = stored_rankme(db)
    assert events >= 1 and len(scored) < SOURCES // 2, (events, len(scored))
    # Everything reported done is committed, and what was in flight is too, nothing half-way.
    assert len(scored) >= events
    info = cli("db", "info", "--db", db, "--json")
    assert info["runs"] == RUNS
    assert len(cli("runs", "--db", db, "--json")) == RUNS
    # The next ingest scores exactly what is left, and the result equals an uninterrupted one.
    again = rankme.ingest(sweep, db=db, jobs=jobs)
    assert again["scored"] == SOURCES - len(scored)
    assert again["unchanged"] == len(scored)
    fresh = str(tmp_path / "fresh.db")
    rankme.ingest(sweep, db=fresh, jobs=jobs)
    by_key = lambda rows: sorted((r["run"], r["checkpoint"], r["tensor"], r["value"])  # noqa
                                 for r in rows)
    assert by_key(stored_rankme(db)) == by_key(stored_rankme(fresh))
    assert cli("leaderboard", "--db", db, "--format", "json")["configurations"] == cli(
        "leaderboard", "--db", fresh, "--format", "json")["configurations"]


def test_an_exception_of_the_callback_stops_the_ingest_too(sweep, tmp_path):
    db = str(tmp_path / "r.db")
    seen = []

    def fail(event, what, done, total):
        if event != "plan":
            seen.append(event)
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        rankme.ingest(sweep, db=db, jobs=1, progress=fail)
    assert seen == ["ok"]  # called once: no event after it raised
    scored = stored_rankme(db)
    assert 1 <= len(scored) < SOURCES // 2
    assert rankme.ingest(sweep, db=db, jobs=1)["scored"] == SOURCES - len(scored)
