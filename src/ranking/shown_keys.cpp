// Which hyperparameters a leaderboard shows: those that vary within a group. A key constant
// wherever it is written and missing elsewhere (one layout writes it, another does not) is not a
// difference between configurations, and is hidden with a note.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "ranking/ranking_internal.h"

namespace rankme::ranking {

std::string HyperparameterName(const std::vector<RunRecord>& runs, const std::string& key) {
  for (const RunRecord& run : runs) {
    if (run.hyperparameters.count(key) > 0) return key;
  }
  for (const RunRecord& run : runs) {
    if (const auto it = run.written_keys.find(key); it != run.written_keys.end()) {
      return it->second;
    }
  }
  return key;
}

std::string Leaderboard::KeyName(const std::string& key) const {
  if (std::find(varying_keys.begin(), varying_keys.end(), key) != varying_keys.end()) return key;
  const auto it = written_keys.find(key);
  return it == written_keys.end() ? key : it->second;
}

namespace {

// What one group's configurations write for one key.
struct KeyUse {
  std::set<std::string> values;
  std::size_t holders = 0;
};

}  // namespace

ShownKeys ChooseShownKeys(const std::vector<ConfigurationRow>& rows) {
  std::map<std::string, std::vector<const ConfigurationRow*>> groups;
  for (const auto& row : rows) groups[row.group].push_back(&row);

  std::set<std::string> varying;
  std::map<std::string, std::set<std::string>> partial;  // key -> its values, where some lack it
  for (const auto& [group, members] : groups) {
    std::map<std::string, KeyUse> uses;
    for (const ConfigurationRow* row : members) {
      for (const auto& [key, value] : row->hyperparameters) {
        uses[key].values.insert(value);
        ++uses[key].holders;
      }
    }
    for (const auto& [key, use] : uses) {
      if (use.values.size() > 1) {
        varying.insert(key);
      } else if (use.holders < members.size()) {
        partial[key].insert(use.values.begin(), use.values.end());
      }
    }
  }
  for (const auto& key : varying) partial.erase(key);

  // Configurations of one group that the shown keys would not tell apart: the hidden keys that
  // differ between them are shown after all.
  for (const auto& [group, members] : groups) {
    std::map<std::vector<std::string>, std::vector<const ConfigurationRow*>> alike;
    for (const ConfigurationRow* row : members) {
      std::vector<std::string> shown;
      for (const auto& key : varying) {
        const auto it = row->hyperparameters.find(key);
        shown.push_back(it == row->hyperparameters.end() ? "" : "=" + it->second);
      }
      alike[shown].push_back(row);
    }
    for (const auto& [shown, same] : alike) {
      if (same.size() < 2) continue;
      for (auto it = partial.begin(); it != partial.end();) {
        const std::size_t holders = std::count_if(same.begin(), same.end(), [&](const auto* row) {
          return row->hyperparameters.count(it->first) > 0;
        });
        if (holders > 0 && holders < same.size()) {
          varying.insert(it->first);
          it = partial.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  ShownKeys out;
  out.varying.assign(varying.begin(), varying.end());
  for (const auto& [key, values] : partial) {
    out.hidden.push_back(key);
    out.hidden_values.push_back(values.size() == 1 ? DisplayValue(*values.begin())
                                                   : fmt::format("{} values", values.size()));
  }
  return out;
}

std::string HiddenKeysNote(const ShownKeys& keys) {
  if (keys.hidden.empty()) return "";
  constexpr std::size_t kShown = 8;
  std::vector<std::string> items;
  for (std::size_t i = 0; i < keys.hidden.size() && i < kShown; ++i) {
    items.push_back(fmt::format("{} = {}", keys.hidden[i], keys.hidden_values[i]));
  }
  const std::string more =
      keys.hidden.size() > kShown ? fmt::format(" and {} more", keys.hidden.size() - kShown) : "";
  return fmt::format(
      "not shown, constant wherever written and missing from other configurations "
      "(other layouts do not write them): {}{}",
      fmt::join(items, ", "), more);
}

}  // namespace rankme::ranking
