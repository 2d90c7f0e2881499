// The configuration of each run of a sweep: its hyperparameters by their sweep-wide names.
#include <fmt/format.h>

#include "discovery/sweep_keys_internal.h"
#include "rankme/core/error.h"
#include "rankme/discovery/config_key.h"

namespace rankme::discovery::internal {

namespace {

// The key an override sets: "+model.depth=4" -> "model.depth", "db@backup=mysql" -> "db".
std::string OverriddenKey(std::string_view text) {
  std::size_t begin = 0;
  while (begin < text.size() && (text[begin] == '+' || text[begin] == '~')) ++begin;
  std::string_view key = text.substr(begin);
  key = key.substr(0, key.find('='));
  key = key.substr(0, key.find('@'));
  while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
  return std::string(key);
}

bool IsUnder(const std::string& key, const std::string& group) {
  return key == group || (key.size() > group.size() && key.compare(0, group.size(), group) == 0 &&
                          key[group.size()] == '.');
}

}  // namespace

void MarkSwept(DiscoveredRun& run) {
  for (const std::string& text : run.overrides) {
    const std::string key = OverriddenKey(text);
    if (key.empty()) continue;
    for (RunParam& entry : run.entries) {
      if (IsUnder(entry.key, key)) entry.swept = true;
    }
  }
}

void NameSweepKeys(std::vector<DiscoveredRun>& runs, const std::vector<KeyAlias>& aliases,
                   std::vector<std::string>& notes) {
  std::vector<std::vector<std::string>> keys_by_run;
  keys_by_run.reserve(runs.size());
  for (const DiscoveredRun& run : runs) {
    std::vector<std::string>& keys = keys_by_run.emplace_back();
    for (const RunParam& entry : run.entries) {
      if (entry.role == ParamRole::kHyperparameter) keys.push_back(entry.key);
    }
  }
  KeyNaming naming = NameKeys(keys_by_run, aliases);
  notes.insert(notes.end(), naming.notes.begin(), naming.notes.end());

  for (DiscoveredRun& run : runs) {
    run.hyperparameters.clear();
    std::map<std::string, const RunParam*> taken;  // name -> the entry that took it
    for (RunParam& entry : run.entries) {
      if (entry.role != ParamRole::kHyperparameter) continue;
      entry.name = naming.names.at(entry.key);
      const auto [it, inserted] = run.hyperparameters.emplace(entry.name, entry.value);
      if (inserted) {
        taken[entry.name] = &entry;
        continue;
      }
      if (it->second == entry.value) continue;  // one value under two keys: one entry
      std::vector<std::string> sources;         // the aliases to that name
      std::string where;
      for (const KeyAlias& alias : aliases) {
        if (alias.to != entry.name) continue;
        sources.push_back(alias.source + " " + alias.from + "=" + alias.to);
        if (where.empty()) where = alias.source;
      }
      throw ConfigError(
          fmt::format("{}: {} = {} and {} = {} would both be named {} ({}); the two values "
                      "differ, so one would be lost",
                      run.dir, taken.at(entry.name)->key, ParamText(it->second), entry.key,
                      ParamText(entry.value), entry.name,
                      sources.empty() ? std::string("key names")
                                      : fmt::format("{}", fmt::join(sources, ", "))),
          where.empty() ? run.config_file : where);
    }
    run.config_key = ConfigKey(run.hyperparameters);
    run.config_id = ConfigId(run.config_key);
  }
}

}  // namespace rankme::discovery::internal
