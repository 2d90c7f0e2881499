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
  std::string path;  ///< absolute run folder
  std::string name;  ///< folder relative to its sweep root
  std::string sweep_root;
  std::string layout;      ///< hydra | lightning | wandb | solo-learn | plain | custom
  std::string config_id;   ///< short hash of config_key
  std::string config_key;  ///< canonical JSON of the hyperparameters (no seed, no bookkeeping)
  std::optional<std::string> seed;
  /// Name across the sweep (see discovery::NameKeys) → JSON literal.
  std::map<std::string, std::string> hyperparameters;
  /// Hyperparameter keys as the config wrote them → their name, where the two differ
  /// ("optim.lr" → "lr"), so that a key may be asked for by either.
  std::map<std::string, std::string> written_keys;
  std::string status;  ///< present | missing
};

/// One stored score of one tensor of one checkpoint, with where it came from.
struct CheckpointScore {
  std::int64_t run_id = 0;
  std::string run;  ///< run name
  std::string config_id;
  std::optional<std::string> seed;
  std::int64_t checkpoint_id = 0;
  std::string checkpoint;  ///< checkpoint name
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
  std::string settings_key;  ///< canonical JSON of eps, max_samples, seed, algorithm version
  std::string files;         ///< JSON list of the files scored
};

/// A tensor that could not be scored (yet), with the reason.
struct TensorFailure {
  std::int64_t run_id = 0;
  std::string run;
  std::string checkpoint;
  std::string tensor;
  std::string files;
  std::string status;  ///< failed | not_ready | missing
  std::string kind;    ///< format | io | data | not_ready
  std::string message;
  std::int64_t attempts = 0;
};

/// A checkpoint of a run, in the run's order.
struct CheckpointRecord {
  std::int64_t checkpoint_id = 0;
  std::int64_t run_id = 0;
  std::string name;  ///< file or folder name, e.g. epoch=4-step=1000
  std::optional<std::int64_t> step;
  std::optional<std::int64_t> epoch;
  std::int64_t position = 0;  ///< 0-based order within the run
};

/// A tensor of a checkpoint that has no score (its read failed, is not ready or vanished), placed
/// in its run's checkpoint order so checkpoint policies can see it. tensor is '' when the file
/// could not be read far enough to name its tensors (the failure then concerns every tensor).
struct UnscoredTensor {
  std::int64_t run_id = 0;
  std::int64_t checkpoint_id = 0;
  std::string checkpoint;
  std::optional<std::int64_t> step;
  std::optional<std::int64_t> epoch;
  std::int64_t position = 0;
  std::string tensor;
  std::string status;  ///< failed | not_ready | missing
  std::string kind;    ///< format | io | data | usage | not_ready ('' when none)
  std::string message;
};

/// A label-based number supplied by the user for a run or one of its checkpoints (e.g. the
/// linear-probe accuracy), as `rankme validate --labels` imports it.
struct LabelValue {
  std::int64_t run_id = 0;
  std::optional<std::int64_t> checkpoint_id;  ///< empty: the number concerns the whole run
  std::string name;                           ///< e.g. linear_probe_acc
  double value = 0;
  std::string source;  ///< the file it was read from
};

}  // namespace rankme
