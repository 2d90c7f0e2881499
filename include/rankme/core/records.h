#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rankme {

/// A run as stored: one seed of one configuration.
struct RunRecord {
  std::int64_t run_id = 0;
  std::string path;         ///< absolute run folder
  std::string name;         ///< folder relative to its sweep root
  std::string sweep_root;
  std::string layout;       ///< hydra | lightning | wandb | solo-learn | plain | custom
  std::string config_id;    ///< short hash of config_key
  std::string config_key;   ///< canonical JSON of the hyperparameters (no seed, no bookkeeping)
  std::optional<std::string> seed;
  std::map<std::string, std::string> hyperparameters;  ///< dotted key → JSON literal
  std::string status;       ///< present | missing
};

/// One stored score of one tensor of one checkpoint, with where it came from.
struct CheckpointScore {
  std::int64_t run_id = 0;
  std::string run;          ///< run name
  std::string config_id;
  std::optional<std::string> seed;
  std::int64_t checkpoint_id = 0;
  std::string checkpoint;   ///< checkpoint name
  std::optional<std::int64_t> step;
  std::optional<std::int64_t> epoch;
  std::int64_t position = 0;  ///< order within the run
  std::string tensor;
  std::string metric;
  std::optional<double> value;  ///< empty when the matrix was degenerate
  std::string status;           ///< ok | degenerate
  std::string method;           ///< gram | qr
  std::int64_t rows_used = 0;
  std::int64_t cols = 0;
  std::string dtype;
  std::string settings_key;     ///< canonical JSON of eps, max_samples, seed, algorithm version
  std::string files;            ///< JSON list of the files scored
};

/// A tensor that could not be scored (yet), with the reason.
struct TensorFailure {
  std::int64_t run_id = 0;
  std::string run;
  std::string checkpoint;
  std::string tensor;
  std::string files;
  std::string status;   ///< failed | not_ready | missing
  std::string kind;     ///< format | io | data | not_ready
  std::string message;
  std::int64_t attempts = 0;
};

}  // namespace rankme
