-- rankme schema, version 1. Forward-only; each migration runs in one transaction.
-- Names are meant to read naturally in the sqlite3 shell and in pandas.

-- A folder given to `rankme ingest`.
CREATE TABLE sweeps (
  sweep_id          INTEGER PRIMARY KEY,
  root              TEXT NOT NULL UNIQUE,      -- absolute path
  first_ingested_at TEXT NOT NULL,             -- UTC, ISO 8601
  last_ingested_at  TEXT NOT NULL
);

-- A set of hyperparameters: a run's config minus its seed and bookkeeping keys.
CREATE TABLE configurations (
  config_id   TEXT PRIMARY KEY,                -- short stable hash of config_key
  config_key  TEXT NOT NULL UNIQUE             -- canonical JSON object of the hyperparameters
);

-- One training run (one seed of one configuration).
CREATE TABLE runs (
  run_id        INTEGER PRIMARY KEY,
  sweep_id      INTEGER NOT NULL REFERENCES sweeps(sweep_id),
  path          TEXT NOT NULL UNIQUE,          -- absolute run folder
  name          TEXT NOT NULL,                 -- folder relative to the sweep root
  layout        TEXT NOT NULL,                 -- hydra | lightning | wandb | solo-learn | plain | custom
  config_id     TEXT NOT NULL REFERENCES configurations(config_id),
  seed          TEXT,                          -- as written in the config (NULL when none)
  config_json   TEXT NOT NULL,                 -- every flattened key of the run's config
  status        TEXT NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'missing')),
  first_seen_at TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL
);
CREATE INDEX runs_by_config ON runs(config_id);

-- The run's flattened config, one row per key, for queries such as
-- SELECT * FROM params WHERE key = 'optimizer.lr'.
CREATE TABLE params (
  run_id     INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key        TEXT NOT NULL,                    -- dotted path, e.g. optimizer.lr
  value_json TEXT NOT NULL,                    -- JSON literal: 0.001, "vicreg", true, [1,2]
  role       TEXT NOT NULL CHECK (role IN ('hyperparameter', 'seed', 'bookkeeping')),
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

-- A point in training at which the run dumped embeddings.
CREATE TABLE checkpoints (
  checkpoint_id INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  name          TEXT NOT NULL,                 -- file or folder name, e.g. epoch=4-step=1000
  step          INTEGER,                       -- as written in the name (NULL when absent)
  epoch         INTEGER,                       -- as written in the name (NULL when absent)
  position      INTEGER NOT NULL,              -- 0-based order within the run: step, epoch, name
  UNIQUE (run_id, name)
);

-- One embedding matrix of a checkpoint (e.g. embeddings, representations), possibly sharded.
-- A file holding several tensors (safetensors, .pt, .npz) gives one row per tensor, all with
-- the same source; a file that could not be read at all gives one row with tensor = ''.
CREATE TABLE tensors (
  tensor_id     INTEGER PRIMARY KEY,
  checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(checkpoint_id) ON DELETE CASCADE,
  source        TEXT NOT NULL,                 -- JSON list of the files, shards in rank order
  tensor        TEXT NOT NULL,                 -- tensor name, e.g. embeddings
  files_json    TEXT NOT NULL,                 -- JSON list of what was read: "path" or "path#name"
  stat_key      TEXT NOT NULL,                 -- sizes and mtimes of the files when last read
  content_hash  TEXT,                          -- XXH3-128 of the files' bytes (NULL until read)
  rows          INTEGER,
  cols          INTEGER,
  dtype         TEXT,
  status        TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'not_ready', 'missing')),
  error_kind    TEXT,                          -- format | io | data | not_ready, when not ok
  error_message TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,    -- reads tried while failing
  updated_at    TEXT NOT NULL,
  UNIQUE (checkpoint_id, source, tensor)
);
CREATE INDEX tensors_by_content ON tensors(content_hash, tensor);

-- A metric value, identified by what was scored (content and tensor) and how (metric and
-- settings): the same bytes scored with the same settings are never scored or stored twice.
CREATE TABLE scores (
  score_id          INTEGER PRIMARY KEY,
  content_hash      TEXT NOT NULL,
  tensor            TEXT NOT NULL,
  metric            TEXT NOT NULL,             -- rankme
  settings_key      TEXT NOT NULL,             -- canonical JSON of the settings below
  value             REAL,                      -- NULL when status = 'degenerate'
  status            TEXT NOT NULL CHECK (status IN ('ok', 'degenerate')),
  method            TEXT NOT NULL,             -- gram | qr: the computation path taken
  error_bound       REAL,                      -- estimated relative error of value
  rows_used         INTEGER NOT NULL,
  rows_total        INTEGER NOT NULL,
  cols              INTEGER NOT NULL,
  dtype             TEXT NOT NULL,
  eps               REAL NOT NULL,
  max_samples       INTEGER NOT NULL,          -- 0 = all rows
  subsample_seed    INTEGER NOT NULL,
  algorithm_version INTEGER NOT NULL,
  tool_version      TEXT NOT NULL,
  seconds           REAL,
  computed_at       TEXT NOT NULL,
  UNIQUE (content_hash, tensor, metric, settings_key)
);

-- Singular values of a scored matrix, float64 little-endian, descending. One row per kind
-- (uncentred now; centred spectra for sister metrics later are rows, not a new table).
CREATE TABLE spectra (
  spectrum_id   INTEGER PRIMARY KEY,
  content_hash  TEXT NOT NULL,
  tensor        TEXT NOT NULL,
  kind          TEXT NOT NULL,                 -- singular_values
  sample_key    TEXT NOT NULL,                 -- which rows: canonical JSON of max_samples, seed
  count         INTEGER NOT NULL,
  values_f64    BLOB NOT NULL,
  UNIQUE (content_hash, tensor, kind, sample_key)
);

-- Files that could not be scored, with the reason (the current state of each tensor).
CREATE VIEW failures AS
  SELECT r.name AS run, c.name AS checkpoint, t.tensor, t.files_json AS files, t.status,
         t.error_kind AS kind, t.error_message AS message, t.attempts, t.updated_at
  FROM tensors t JOIN checkpoints c USING (checkpoint_id) JOIN runs r USING (run_id)
  WHERE t.status <> 'ok';

-- Every score with its run, configuration and checkpoint: the table most analyses start from.
CREATE VIEW checkpoint_scores AS
  SELECT r.run_id, r.name AS run, r.config_id, r.seed, c.checkpoint_id, c.name AS checkpoint,
         c.step, c.epoch, c.position, t.tensor, s.metric, s.value, s.status, s.method,
         s.rows_used, s.cols, s.dtype, s.eps, s.max_samples, s.subsample_seed, s.settings_key,
         t.files_json AS files
  FROM tensors t
  JOIN checkpoints c USING (checkpoint_id)
  JOIN runs r USING (run_id)
  JOIN scores s ON s.content_hash = t.content_hash AND s.tensor = t.tensor
  WHERE t.status = 'ok';
