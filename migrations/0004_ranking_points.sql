-- rankme schema, version 4: what `best`, `leaderboard`, `marginals` and `validate` read, kept
-- as one table in ranking order, so that ranking 100,000 checkpoints reads 100,000 short rows
-- instead of joining tensors, checkpoints and scores by content hash.

-- The setups scores were computed under, each once: settings (as scores.settings_key), rows
-- used and width D. Scores of one setup are comparable; a sweep has a handful.
CREATE TABLE score_settings (
  settings_id  INTEGER PRIMARY KEY,
  settings_key TEXT NOT NULL,
  rows_used    INTEGER NOT NULL,
  cols         INTEGER NOT NULL,
  UNIQUE (settings_key, rows_used, cols)
);
INSERT INTO score_settings (settings_key, rows_used, cols)
  SELECT DISTINCT settings_key, rows_used, cols FROM scores;

-- Every (readable tensor, score of its content) pair: the rows of ranking_points below, as the
-- join it is derived from. The checkpoint_scores view of version 1 is the same join, wide.
-- value is NULL for a degenerate score (and for a NaN, which SQLite stores as NULL).
CREATE VIEW ranking_points_source AS
  SELECT s.metric, t.tensor, c.run_id, c.position, t.tensor_id, s.score_id, c.checkpoint_id,
         c.name, c.step, c.epoch,
         (SELECT settings_id FROM score_settings k WHERE k.settings_key = s.settings_key
            AND k.rows_used = s.rows_used AND k.cols = s.cols) AS settings_id,
         s.value
  FROM tensors t
  JOIN checkpoints c USING (checkpoint_id)
  JOIN scores s ON s.content_hash = t.content_hash AND s.tensor = t.tensor
  WHERE t.status = 'ok';

-- One row per (tensor row, score), ordered by metric, tensor, run and checkpoint position.
-- Derived data: written only by the triggers below, in the transaction of the change they
-- follow, so it always equals ranking_points_source (tests/store/ranking_points_test.cpp
-- checks that after every kind of change).
CREATE TABLE ranking_points (
  metric        TEXT NOT NULL,
  tensor        TEXT NOT NULL,
  run_id        INTEGER NOT NULL,
  position      INTEGER NOT NULL,
  tensor_id     INTEGER NOT NULL,
  score_id      INTEGER NOT NULL,
  checkpoint_id INTEGER NOT NULL,
  name          TEXT NOT NULL,                 -- checkpoint name
  step          INTEGER,
  epoch         INTEGER,
  settings_id   INTEGER NOT NULL,            -- settings, rows used and D of the score
  value         REAL,
  PRIMARY KEY (metric, tensor, run_id, position, tensor_id, score_id)
) WITHOUT ROWID;
CREATE INDEX ranking_points_by_tensor_row ON ranking_points(tensor_id);
CREATE INDEX ranking_points_by_score ON ranking_points(score_id);
INSERT INTO ranking_points SELECT * FROM ranking_points_source;

-- No statement below may meet a constraint: the conflict clause of the statement that fired a
-- trigger replaces the triggers' own (an INSERT OR IGNORE here would replace under an outer
-- INSERT OR REPLACE and renumber settings).
-- An INSERT OR REPLACE deletes the row it replaces without its delete trigger unless
-- recursive_triggers is on (rankme turns it on; a plain sqlite3 shell does not): the inserts
-- first drop the points of a row with the same id, and a score's insert those of a score with
-- the same identity. Replacing a tensor row or a checkpoint by its other unique key needs
-- recursive_triggers on.
CREATE TRIGGER ranking_points_score_added AFTER INSERT ON scores BEGIN
  INSERT INTO score_settings (settings_key, rows_used, cols)
    SELECT NEW.settings_key, NEW.rows_used, NEW.cols
    WHERE NOT EXISTS (SELECT 1 FROM score_settings WHERE settings_key = NEW.settings_key
                      AND rows_used = NEW.rows_used AND cols = NEW.cols);
  DELETE FROM ranking_points WHERE score_id = NEW.score_id;
  DELETE FROM ranking_points
    WHERE tensor_id IN (SELECT tensor_id FROM tensors
                        WHERE content_hash = NEW.content_hash AND tensor = NEW.tensor)
      AND metric = NEW.metric
      AND settings_id IN (SELECT settings_id FROM score_settings
                          WHERE settings_key = NEW.settings_key);
  INSERT INTO ranking_points SELECT * FROM ranking_points_source WHERE score_id = NEW.score_id;
END;

CREATE TRIGGER ranking_points_score_changed AFTER UPDATE ON scores BEGIN
  DELETE FROM ranking_points WHERE score_id = OLD.score_id;
  INSERT INTO score_settings (settings_key, rows_used, cols)
    SELECT NEW.settings_key, NEW.rows_used, NEW.cols
    WHERE NOT EXISTS (SELECT 1 FROM score_settings WHERE settings_key = NEW.settings_key
                      AND rows_used = NEW.rows_used AND cols = NEW.cols);
  INSERT INTO ranking_points SELECT * FROM ranking_points_source WHERE score_id = NEW.score_id;
END;

CREATE TRIGGER ranking_points_score_removed AFTER DELETE ON scores BEGIN
  DELETE FROM ranking_points WHERE score_id = OLD.score_id;
END;

CREATE TRIGGER ranking_points_tensor_added AFTER INSERT ON tensors BEGIN
  DELETE FROM ranking_points WHERE tensor_id = NEW.tensor_id;
  INSERT INTO ranking_points SELECT * FROM ranking_points_source WHERE tensor_id = NEW.tensor_id;
END;

-- Re-reading a file rewrites its tensor rows; only a change of what is joined matters.
CREATE TRIGGER ranking_points_tensor_changed AFTER UPDATE ON tensors
WHEN OLD.tensor_id IS NOT NEW.tensor_id OR OLD.checkpoint_id IS NOT NEW.checkpoint_id
  OR OLD.tensor IS NOT NEW.tensor OR OLD.content_hash IS NOT NEW.content_hash
  OR OLD.status IS NOT NEW.status BEGIN
  DELETE FROM ranking_points WHERE tensor_id = OLD.tensor_id;
  INSERT INTO ranking_points SELECT * FROM ranking_points_source WHERE tensor_id = NEW.tensor_id;
END;

CREATE TRIGGER ranking_points_tensor_removed AFTER DELETE ON tensors BEGIN
  DELETE FROM ranking_points WHERE tensor_id = OLD.tensor_id;
END;

CREATE TRIGGER ranking_points_checkpoint_added AFTER INSERT ON checkpoints BEGIN
  DELETE FROM ranking_points
    WHERE tensor_id IN (SELECT tensor_id FROM tensors WHERE checkpoint_id = NEW.checkpoint_id);
  INSERT INTO ranking_points SELECT * FROM ranking_points_source
    WHERE checkpoint_id = NEW.checkpoint_id;
END;

-- Ingest renumbers positions when a run gains a checkpoint between others.
CREATE TRIGGER ranking_points_checkpoint_changed AFTER UPDATE ON checkpoints
WHEN OLD.checkpoint_id IS NOT NEW.checkpoint_id OR OLD.run_id IS NOT NEW.run_id
  OR OLD.name IS NOT NEW.name OR OLD.step IS NOT NEW.step OR OLD.epoch IS NOT NEW.epoch
  OR OLD.position IS NOT NEW.position BEGIN
  DELETE FROM ranking_points
    WHERE tensor_id IN (SELECT tensor_id FROM tensors WHERE checkpoint_id = OLD.checkpoint_id);
  INSERT INTO ranking_points SELECT * FROM ranking_points_source
    WHERE checkpoint_id = NEW.checkpoint_id;
END;

-- With foreign keys on, deleting a checkpoint deletes its tensors (and their points) first;
-- with them off (a plain sqlite3 shell) the tensors stay, joined to nothing.
CREATE TRIGGER ranking_points_checkpoint_removed AFTER DELETE ON checkpoints BEGIN
  DELETE FROM ranking_points
    WHERE tensor_id IN (SELECT tensor_id FROM tensors WHERE checkpoint_id = OLD.checkpoint_id);
END;
