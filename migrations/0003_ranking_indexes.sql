-- rankme schema, version 3: indexes for `best` and `leaderboard`, which read every score of one
-- metric and tensor (100,000 in a large sweep) and every tensor without a score.

-- The scores of one metric and tensor in content order, holding every column ranking reads, so
-- that one pass over this index (merged with tensors_for_ranking, also in content order)
-- replaces a search of the scores per tensor row and never reads the wide score rows.
CREATE INDEX scores_for_ranking
  ON scores(metric, tensor, content_hash, settings_key, value, status, rows_used, cols);

-- The tensors that have no score (failed, not ready, missing): few, but without this index
-- finding them means reading every tensor.
CREATE INDEX tensors_unscored ON tensors(checkpoint_id) WHERE status <> 'ok';
