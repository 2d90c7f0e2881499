#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rankme/core/records.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

/// One line of `rankme runs`.
struct RunOverview {
  RunRecord run;
  std::int64_t checkpoints = 0;
  std::int64_t failures = 0;              ///< tensors not ok (failed, not ready, missing)
  std::optional<CheckpointScore> latest;  ///< RankMe of the last checkpoint, preferred tensor
};

/// Everything `rankme show RUN` prints.
struct RunDetail {
  RunRecord run;
  std::vector<store::RunUpsert::Param> params;  ///< flattened config with roles
  std::vector<CheckpointScore> scores;          ///< every score, by checkpoint order
  std::vector<TensorFailure> failures;
};

/// The tensor shown when a run has several: "embeddings" when present (as the paper scores the
/// projector output), else the first name in alphabetical order.
std::string PreferredTensor(const std::vector<std::string>& names);

/// Every run of the database with its checkpoint count and latest RankMe.
std::vector<RunOverview> ListRuns(const std::string& db_path);

/// One run, found by name (folder relative to its sweep), absolute path or run_id. Throws
/// UsageError naming the candidates when none or several runs match.
RunDetail ShowRun(const std::string& db_path, const std::string& which);

/// Which stored scores ListScores returns: empty fields keep every one.
struct ScoreFilter {
  std::string metric;  ///< e.g. "rankme"
  std::string tensor;  ///< e.g. "embeddings"
};

/// Every stored score of every run in one read of the database: runs in ListRuns' order, each
/// run's scores in ShowRun's (by checkpoint order, then tensor and settings).
std::vector<CheckpointScore> ListScores(const std::string& db_path, const ScoreFilter& filter = {});

/// The scores as `rankme show RUN --json` lists them (its "scores"), each with its run's name,
/// config_id and seed.
std::string RenderScoresJson(const std::vector<CheckpointScore>& scores);

/// `rankme runs --json`: one object per run. Always valid JSON, whatever the names hold.
std::string RenderRunsJson(const std::vector<RunOverview>& runs);

/// `rankme show RUN --json`: the run, its config with roles, scores and failures.
std::string RenderRunJson(const RunDetail& detail);

}  // namespace rankme::app
