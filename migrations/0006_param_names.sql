-- rankme schema, version 6: one name per hyperparameter across its sweep. Discovery names each
-- hyperparameter (Hydra's `optim.lr` and Lightning's `lr` are both `lr`) and configurations are
-- keyed by those names; params keeps the key as the config wrote it beside its name.

-- The hyperparameter's name across its sweep; the key itself for seed and bookkeeping rows (and
-- for every row written before this version, until the next ingest names them).
ALTER TABLE params ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE params SET name = key;
-- 1 when the run's overrides (Hydra's overrides.yaml) set the key on the command line.
ALTER TABLE params ADD COLUMN swept INTEGER NOT NULL DEFAULT 0 CHECK (swept IN (0, 1));
CREATE INDEX params_by_name ON params(name);

-- Before this version ingest worked out the roles again, without a layout file's seed and
-- ignored keys; the configuration key is what ranking used. Rows the key does not hold are not
-- hyperparameters.
UPDATE params SET role = 'bookkeeping'
  WHERE role = 'hyperparameter'
    AND NOT EXISTS (SELECT 1 FROM runs r JOIN configurations c USING (config_id),
                                  json_each(c.config_key) j
                    WHERE r.run_id = params.run_id AND j.key = params.key);

-- Configurations no run refers to.
DELETE FROM configurations
  WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.config_id = configurations.config_id);
