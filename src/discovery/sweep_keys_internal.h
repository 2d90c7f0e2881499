#pragma once
// Module-private: the sweep-wide half of a run's configuration (DiscoverSweep), after each run's
// config is flattened and its keys' roles decided.

#include <string>
#include <vector>

#include "rankme/discovery/key_names.h"
#include "rankme/discovery/sweep.h"

namespace rankme::discovery::internal {

/// Sets RunParam::swept on the entries of `run` named, or under a group named, by its overrides
/// ("optim.lr=0.001", "+model.depth=4", "++x=1", "~y", "optim=adam", "db@backup=mysql").
void MarkSwept(DiscoveredRun& run);

/// Names the hyperparameters of every run together (NameKeys) and makes each run's
/// hyperparameters, config_key and config_id from the names; the naming notes are appended to
/// `notes`. Throws ConfigError when an alias gives two keys of one run one name and their values
/// differ; equal values are one entry.
void NameSweepKeys(std::vector<DiscoveredRun>& runs, const std::vector<KeyAlias>& aliases,
                   std::vector<std::string>& notes);

}  // namespace rankme::discovery::internal
