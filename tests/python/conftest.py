"""Fixtures shared by the tests of tests/python."""

import pytest


@pytest.fixture(scope="module")
def sweep_db(tmp_path_factory):
    """The real sweep ingested by rankme.ingest (one worker): (database, summary, events)."""
    import rankme
    from real_sweep import SWEEP

    db = str(tmp_path_factory.mktemp("db") / "r.db")
    events = []
    summary = rankme.ingest(SWEEP, db=db, jobs=1, progress=lambda *e: events.append(e))
    return db, summary, events
