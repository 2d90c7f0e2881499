// The score rows of one scored matrix and the settings that identify them (metric_scores.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rankme/app/metric_scores.h"
#include "rankme/core/dtype.h"
#include "rankme/metrics/rankme.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

/// Canonical JSON of the settings that identify a RankMe score.
std::string RankmeSettingsKey(const metrics::RankmeOptions& options);
/// Canonical JSON of which rows a spectrum covers.
std::string SpectrumSampleKey(const metrics::RankmeOptions& options);
/// The metrics computed from a matrix's spectra (every catalog metric but LiDAR).
std::vector<std::string_view> SpectrumMetricNames();
/// Whether every spectrum metric of (hash, tensor) is stored with the current settings.
bool SpectrumScoresStored(store::Catalog& catalog, const std::string& hash,
                          const std::string& tensor, const metrics::RankmeOptions& options);
/// A tensor named `<name>_views`: n × q × D views of n samples, scored by LiDAR (of `<name>`),
/// never as a plain matrix.
bool IsViewsTensor(std::string_view tensor);
/// Whether every score a tensor gets (its spectrum metrics, or LiDAR for a views tensor) is stored
/// for (hash, tensor) with the current settings.
bool ScoresStored(store::Catalog& catalog, const std::string& hash, const std::string& tensor,
                  const metrics::RankmeOptions& options);
/// The score rows of RankMe and its sister metrics of one scored matrix (`dtype`: the file's).
std::vector<store::ScoreRow> SpectrumScoreRows(const std::string& hash, const std::string& tensor,
                                               const metrics::RankmeResult& result, DType dtype,
                                               const metrics::RankmeOptions& options,
                                               double seconds);

}  // namespace rankme::app
