#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rankme/ranking/leaderboard.h"

namespace rankme::testing {

/// Builds a RankingInput by hand: runs with one score per checkpoint (nullopt = the checkpoint's
/// tensor failed to read), as the store would return them.
/// How InputBuilder scores a run's checkpoints.
struct Scored {
  std::string tensor = "embeddings";
  std::int64_t rows = 512, cols = 64;
  std::string settings = R"({"eps":1e-07})";
};

class InputBuilder {
 public:
  /// Adds a run of configuration `config_id` with `values` at steps 100, 200, ...; returns its id.
  std::int64_t AddRun(const std::string& config_id, std::map<std::string, std::string> hyper,
                      const std::string& seed, const std::vector<std::optional<double>>& values,
                      const Scored& how = {}) {
    RunRecord run;
    run.run_id = next_run_++;
    run.name = config_id + "/seed" + seed;
    run.path = "/sweep/" + run.name;
    run.config_id = config_id;
    run.seed = seed;
    run.hyperparameters = std::move(hyper);
    run.status = "present";
    input.runs.push_back(run);
    AddValues(run.run_id, values, how);
    return run.run_id;
  }

  /// Adds scores (or failures) of `how.tensor` for the run's checkpoints 0.. values.size()-1.
  void AddValues(std::int64_t run_id, const std::vector<std::optional<double>>& values,
                 const Scored& how) {
    Run(run_id);  // throws for an unknown run
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::int64_t position = static_cast<std::int64_t>(i);
      const std::int64_t checkpoint_id = run_id * 1000 + position;
      if (!values[i]) {
        AddUnscored(run_id, position, how.tensor, "failed", "format", "bad magic");
        continue;
      }
      ranking::RankingScore s;
      s.run_id = run_id;
      s.checkpoint_id = checkpoint_id;
      s.checkpoint = "step_" + std::to_string((position + 1) * 100);
      s.step = (position + 1) * 100;
      s.position = position;
      s.tensor = how.tensor;
      s.value = values[i];
      s.rows_used = how.rows;
      s.cols = how.cols;
      s.settings = input.AddSettings(how.settings);
      input.scores.push_back(s);
    }
  }

  void AddUnscored(std::int64_t run_id, std::int64_t position, const std::string& tensor,
                   const std::string& status, const std::string& kind, const std::string& message) {
    UnscoredTensor u;
    u.run_id = run_id;
    u.checkpoint_id = run_id * 1000 + position;
    u.checkpoint = "step_" + std::to_string((position + 1) * 100);
    u.step = (position + 1) * 100;
    u.position = position;
    u.tensor = tensor;
    u.status = status;
    u.kind = kind;
    u.message = message;
    input.unscored.push_back(u);
  }

  const RunRecord& Run(std::int64_t run_id) const {
    for (const auto& r : input.runs) {
      if (r.run_id == run_id) return r;
    }
    throw std::logic_error("no such run");
  }

  ranking::RankingInput input;

 private:
  std::int64_t next_run_ = 1;
};

/// The configuration `config_id` of `board` (fails the test when absent).
inline const ranking::ConfigurationRow& Row(const ranking::Leaderboard& board,
                                            const std::string& config_id) {
  for (const auto& row : board.configurations) {
    if (row.config_id == config_id) return row;
  }
  throw std::logic_error("no configuration " + config_id);
}

inline bool HasNote(const ranking::Leaderboard& board, const std::string& fragment) {
  for (const auto& note : board.notes) {
    if (note.find(fragment) != std::string::npos) return true;
  }
  return false;
}

}  // namespace rankme::testing
