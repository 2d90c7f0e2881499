#pragma once

#include <string>
#include <string_view>

#include "rankme/metrics/rankme.h"

namespace rankme::app {

/// Canonical JSON of the settings that identify a score of `metric` (a catalog name, LiDAR
/// included): the rows (max_samples, seed), the engine's version and the metric's own
/// conventions (eps, centring, fit range, δ). What ingest stores with the score and `rankme score
/// --json` prints as its "settings"; the same options give the same text, byte for byte.
/// Throws rankme::Error for a name the catalog does not have.
std::string MetricSettingsKey(std::string_view metric, const metrics::RankmeOptions& options);

}  // namespace rankme::app
