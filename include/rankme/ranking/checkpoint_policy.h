#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/ranking/value_order.h"

namespace rankme::ranking {

/// Which checkpoint (or checkpoints) of a run give the run its value.
struct CheckpointPolicy {
  enum class Kind {
    kLast,      ///< the run's last checkpoint (in step, epoch, name order)
    kBest,      ///< the checkpoint with the best value (by the metric's direction)
    kStep,      ///< the checkpoint whose step is `count`
    kEpoch,     ///< the checkpoint whose epoch is `count` (as its name writes it)
    kMeanLast,  ///< the mean over the last `count` checkpoints
  };
  Kind kind = Kind::kLast;
  std::int64_t count = 0;  ///< S, E or K; unused for last and best

  /// Parses "last", "best", "step=S", "epoch=E", "mean-last=K" (K >= 1); throws UsageError.
  static CheckpointPolicy Parse(const std::string& text);
  /// The text Parse() accepts, e.g. "mean-last=3".
  std::string ToString() const;
  bool operator==(const CheckpointPolicy&) const = default;
};

/// Why a checkpoint, a run or a configuration has (or lacks) a value. Declared from benign to
/// severe; kOk is the only status that carries a value.
enum class ValueStatus {
  kOk,
  kPending,       ///< the file is not ready yet or vanished: skipped by every policy
  kDegenerate,    ///< an all-zero matrix: RankMe undefined (total collapse)
  kDiverged,      ///< non-finite values (NaN/Inf) in the file or the score
  kFailed,        ///< the file could not be read or scored
  kIncomparable,  ///< scored only under other settings or with another row count
  kNoCheckpoint,  ///< step=S / epoch=E: the run has no such checkpoint
  kTooFew,        ///< mean-last=K: the run has fewer than K checkpoints
  kNotScored,     ///< the run has no checkpoint with this tensor at all
};

/// A short lower-case name, e.g. "diverged", "too-few-checkpoints".
std::string_view ValueStatusName(ValueStatus status);

/// One checkpoint of one run: its value for the tensor and metric being ranked, or why none.
struct SeriesPoint {
  std::int64_t checkpoint_id = 0;
  std::string checkpoint;  ///< name
  std::optional<std::int64_t> step, epoch;
  std::int64_t position = 0;
  std::optional<double> value;  ///< set only with kOk; always finite
  ValueStatus status = ValueStatus::kOk;
  std::string reason;  ///< why there is no value, for people
};

/// What a policy made of a run's checkpoints.
struct PolicyOutcome {
  std::optional<double> value;  ///< set only with kOk
  ValueStatus status = ValueStatus::kNotScored;
  std::string reason;
  std::vector<std::size_t> used;  ///< indices into the points the value came from (or failed on)
};

/// Applies `policy` to a run's checkpoints, `points` sorted by position. Pending points are
/// skipped. last, step=S, epoch=E: the chosen point's value or status (a failed last
/// checkpoint is a failed run, not a fall back to an earlier one). best: the best value by
/// `order` (the highest, by default) among points with one. mean-last=K: the mean of the last K
/// points, kTooFew when there are fewer, and the first failing point's status when one of them has
/// no value.
PolicyOutcome ApplyPolicy(const CheckpointPolicy& policy, const std::vector<SeriesPoint>& points,
                          const ValueOrder& order = {});

}  // namespace rankme::ranking
