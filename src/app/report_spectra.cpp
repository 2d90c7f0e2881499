// Finds the stored spectra of the checkpoints the report's best configurations are ranked by.
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "app/ingest_internal.h"
#include "app/json_text_internal.h"
#include "app/report_internal.h"

namespace rankme::app {

namespace {

// The `source` of a tensor row from its files_json: each file is "path" or "path#tensor" (a
// named tensor inside the file). Returns the candidates to try, exact text first.
std::vector<std::string> SourceCandidates(const std::string& files_json) {
  std::vector<std::string> out = {files_json};
  const auto files = internal::StoredJson(files_json);
  if (!files.is_array()) return out;
  nlohmann::json stripped = nlohmann::json::array();
  for (const auto& file : files) {
    if (!file.is_string()) return out;
    std::string path = file.get<std::string>();
    const auto hash = path.rfind('#');
    if (hash != std::string::npos) path.resize(hash);
    stripped.push_back(path);
  }
  out.push_back(stripped.dump());
  return out;
}

// Which rows a spectrum covers, as ingest keys it, from the board's settings.
std::string SampleKey(const std::string& settings_key) {
  metrics::RankmeOptions options;
  const auto settings = internal::StoredJson(settings_key);
  if (settings.is_object()) {
    if (settings.contains("max_samples"))
      options.max_samples = settings["max_samples"].get<std::int64_t>();
    if (settings.contains("seed")) options.seed = settings["seed"].get<std::uint64_t>();
  }
  return SpectrumSampleKey(options);
}

}  // namespace

std::vector<report::ReportSpectrum> ChosenSpectra(const ranking::Leaderboard& board,
                                                  store::Catalog& catalog, std::size_t per_group) {
  const std::string sample_key = SampleKey(board.settings_key);
  std::vector<report::ReportSpectrum> out;
  std::map<std::string, std::size_t> taken;  // by group
  for (const ranking::ConfigurationRow& row : board.configurations) {
    if (!row.rank || taken[row.group] >= per_group) continue;
    ++taken[row.group];
    for (const ranking::RunValue& run : row.runs) {
      if (!run.value || run.used.empty() || run.used.back() >= run.checkpoints.size()) continue;
      // The last checkpoint the value came from, and its files.
      const ranking::SeriesPoint& point = run.checkpoints[run.used.back()];
      const auto files = catalog.TensorFiles(board.tensor, {point.checkpoint_id});
      if (files.empty()) continue;
      std::optional<std::vector<double>> values;
      for (const std::string& source : SourceCandidates(files.begin()->second)) {
        for (const store::StoredTensor& t : catalog.TensorsOfSource(point.checkpoint_id, source)) {
          if (t.tensor != board.tensor || !t.content_hash) continue;
          values = catalog.Spectrum(*t.content_hash, t.tensor, "singular_values", sample_key);
        }
        if (values) break;
      }
      if (!values) continue;
      out.push_back({row.config_id, run.run, point.checkpoint, std::move(*values)});
    }
  }
  return out;
}

}  // namespace rankme::app
