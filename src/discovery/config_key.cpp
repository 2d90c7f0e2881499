#include "rankme/discovery/config_key.h"

#include <fnmatch.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdio>

#include "discovery/config_internal.h"

namespace rankme::discovery {

std::vector<std::string> DefaultSeedKeys() {
  return {"seed", "random_seed", "*.seed", "*.random_seed"};
}

std::vector<std::string> DefaultIgnoredKeys() {
  return {// launcher and logger internals
          "hydra", "hydra.*", "_wandb", "_wandb.*", "wandb", "wandb.*", "wandb_*", "*.wandb_*",
          "logger", "logger.*", "slurm", "slurm.*", "submitit.*",
          // paths and folders (not `*path*`: `drop_path_rate` is a hyperparameter)
          "dir", "*.dir", "*_dir", "*_dirs", "path", "*.path", "*_path", "*_paths", "paths.*",
          "*_file", "*_filename", "*_url", "root", "*.root",
          // names and tags of the run (a nested `*.name`, e.g. `optimizer.name`, is kept)
          "name", "run_name", "*.run_name", "exp_name", "*.exp_name", "experiment_name",
          "*.experiment_name", "job_name", "run_id", "*.run_id", "project", "entity", "group",
          "tags", "notes", "id",
          // timestamps
          "timestamp", "*.timestamp", "date", "*.date", "time", "now",
          // checkpointing, resuming and logging cadence
          "ckpt*", "*.ckpt*", "resume*", "*.resume*", "save_*", "*.save_*", "log_every*",
          "*.log_every*", "log_freq", "*.log_freq", "print_freq", "*.print_freq",
          // hardware and distribution
          "devices", "*.devices", "gpus", "*.gpus", "gpu", "device", "*.device", "accelerator",
          "*.accelerator", "num_nodes", "*.num_nodes", "num_workers", "*.num_workers", "workers",
          "pin_memory", "*.pin_memory", "world_size", "rank", "local_rank", "dist_url",
          "dist_backend", "*.dist_url", "*.dist_backend"};
}

bool MatchesKeyPattern(std::string_view pattern, std::string_view key) {
  return ::fnmatch(std::string(pattern).c_str(), std::string(key).c_str(), FNM_CASEFOLD) == 0;
}

namespace {

bool MatchesAny(const std::vector<std::string>& patterns, const std::string& key) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& pattern) { return MatchesKeyPattern(pattern, key); });
}

std::size_t Depth(const std::string& key) { return std::count(key.begin(), key.end(), '.'); }

}  // namespace

ConfigSplit SplitConfig(const ParamMap& params, const std::vector<std::string>& seed_keys,
                        const std::vector<std::string>& ignored_keys) {
  ConfigSplit split;
  for (const auto& pattern : seed_keys) {
    std::vector<std::string> matches;
    for (const auto& [key, value] : params) {
      if (MatchesKeyPattern(pattern, key) && value.kind != ParamValue::Kind::kNull &&
          !MatchesAny(ignored_keys, key)) {
        matches.push_back(key);
      }
    }
    std::stable_sort(matches.begin(), matches.end(),
                     [](const auto& a, const auto& b) { return Depth(a) < Depth(b); });
    for (const auto& key : matches) {
      const std::string text = ParamText(params.at(key));
      if (!split.seed) {
        split.seed = text;
        split.seed_key = key;
      } else if (*split.seed != text) {
        split.warnings.push_back("seed keys disagree: " + split.seed_key + "=" + *split.seed +
                                 " but " + key + "=" + text + "; using " + split.seed_key);
      }
    }
  }
  for (const auto& [key, value] : params) {
    const bool ignored = MatchesAny(ignored_keys, key);
    const bool seed = MatchesAny(seed_keys, key);
    split.roles[key] = ignored ? ParamRole::kBookkeeping
                       : seed  ? ParamRole::kSeed
                               : ParamRole::kHyperparameter;
    if (!seed && !ignored) split.hyperparameters.emplace(key, value);
  }
  return split;
}

std::string ConfigKey(const ParamMap& hyperparameters) {
  std::string out = "{";
  for (const auto& [key, value] : hyperparameters) {
    if (out.size() > 1) out += ',';
    out += internal::QuoteJson(key) + ':' + value.json;
  }
  return out + '}';
}

std::string ConfigId(std::string_view config_key) {
  const XXH64_hash_t hash = XXH3_64bits(config_key.data(), config_key.size());
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
  return std::string(buffer, 12);
}

}  // namespace rankme::discovery
