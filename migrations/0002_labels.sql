-- rankme schema, version 2: label-based numbers supplied by the user (`rankme validate`), and
-- an index for ranking.

-- A label-based number (e.g. linear-probe accuracy) of a run, or of one of its checkpoints.
-- Re-importing the same file replaces values instead of adding rows: one row per
-- (run, checkpoint or none, name).
CREATE TABLE labels (
  label_id      INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  checkpoint_id INTEGER REFERENCES checkpoints(checkpoint_id) ON DELETE CASCADE,  -- NULL: run
  name          TEXT NOT NULL,                 -- e.g. linear_probe_acc
  value         REAL NOT NULL,
  source        TEXT NOT NULL,                 -- the file the value came from
  imported_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX labels_identity ON labels(run_id, ifnull(checkpoint_id, 0), name);
CREATE INDEX labels_by_name ON labels(name);


-- Ranking reads the scores of one tensor: this index finds its rows and holds what the join
-- needs, so the wide tensor rows (file lists, stat keys, messages) are never read.
CREATE INDEX tensors_for_ranking ON tensors(tensor, status, content_hash, checkpoint_id);
