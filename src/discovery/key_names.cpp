// One name per hyperparameter across a sweep: the shortest dotted suffix no run holds twice,
// overridden by aliases.
#include "rankme/discovery/key_names.h"

#include <fmt/format.h>

#include <set>

#include "rankme/core/error.h"

namespace rankme::discovery {

std::string_view RoleName(ParamRole role) {
  switch (role) {
    case ParamRole::kHyperparameter:
      return "hyperparameter";
    case ParamRole::kSeed:
      return "seed";
    case ParamRole::kBookkeeping:
      return "bookkeeping";
  }
  return "hyperparameter";
}

namespace {

std::string_view Trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const std::size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

// The dotted suffixes of `key`, shortest first: "a.b.c" -> "c", "b.c", "a.b.c".
std::vector<std::string_view> Suffixes(std::string_view key) {
  std::vector<std::string_view> out;
  for (std::size_t end = key.size(); end != std::string_view::npos && end > 0;) {
    const std::size_t dot = key.rfind('.', end - 1);
    const std::size_t begin = dot == std::string_view::npos ? 0 : dot + 1;
    out.push_back(key.substr(begin));
    end = dot;
  }
  if (out.empty()) out.push_back(key);  // "" stays ""
  return out;
}

// One naming with `aliased` (key as written → its alias) fixed: every other key takes its
// shortest suffix that no run could give to two of its keys.
struct Pass {
  std::map<std::string, std::string> names;
  std::set<std::string, std::less<>> ambiguous;  ///< names some run could give two keys
};

Pass NameOnce(const std::vector<std::vector<std::string>>& keys_by_run,
              const std::map<std::string, std::string>& aliased) {
  Pass pass;
  for (const auto& run : keys_by_run) {
    std::map<std::string_view, int> takers;  // name -> keys of this run that could take it
    for (const auto& key : run) {
      const auto alias = aliased.find(key);
      if (alias != aliased.end()) {
        ++takers[alias->second];
        continue;
      }
      for (const std::string_view suffix : Suffixes(key)) ++takers[suffix];
    }
    for (const auto& [name, count] : takers) {
      if (count > 1) pass.ambiguous.emplace(name);
    }
  }
  for (const auto& run : keys_by_run) {
    for (const auto& key : run) {
      if (pass.names.count(key) > 0) continue;
      const auto alias = aliased.find(key);
      if (alias != aliased.end()) {
        pass.names.emplace(key, alias->second);
        continue;
      }
      std::string name = key;  // no unambiguous suffix: the key as written
      for (const std::string_view suffix : Suffixes(key)) {
        if (pass.ambiguous.find(suffix) == pass.ambiguous.end()) {
          name = std::string(suffix);
          break;
        }
      }
      pass.names.emplace(key, std::move(name));
    }
  }
  return pass;
}

// "lr: optim.lr and model.lr are written together in a run, so they keep longer names" — one
// note per last component that some key could not be named by.
std::vector<std::string> AmbiguityNotes(const Pass& pass,
                                        const std::map<std::string, std::string>& aliased) {
  std::map<std::string, std::vector<std::string>> kept_long;  // last component -> names
  for (const auto& [key, name] : pass.names) {
    if (aliased.count(key) > 0) continue;
    const std::string last(Suffixes(key).front());
    if (name != last) kept_long[last].push_back(name);
  }
  std::vector<std::string> notes;
  for (const auto& [last, names] : kept_long) {
    constexpr std::size_t kShown = 6;
    std::vector<std::string> shown(
        names.begin(), names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), kShown)));
    const std::string more =
        names.size() > kShown ? fmt::format(" and {} more", names.size() - kShown) : "";
    notes.push_back(fmt::format(
        "key names: `{}` alone would name two keys of one run, so {}{} keep longer names "
        "(--key-alias FROM=TO to choose)",
        last, fmt::join(shown, ", "), more));
  }
  return notes;
}

}  // namespace

KeyAlias ParseKeyAlias(std::string_view text, std::string_view source) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    throw ConfigError(fmt::format("a key alias is FROM=TO, not `{}`", text), std::string(source));
  }
  KeyAlias alias{std::string(Trim(text.substr(0, equals))),
                 std::string(Trim(text.substr(equals + 1))), std::string(source)};
  if (alias.from.empty() || alias.to.empty()) {
    throw ConfigError(fmt::format("a key alias names a key on both sides of `=`: `{}`", text),
                      std::string(source));
  }
  return alias;
}

KeyNaming NameKeys(const std::vector<std::vector<std::string>>& keys_by_run,
                   const std::vector<KeyAlias>& aliases) {
  std::set<std::string> written;
  for (const auto& run : keys_by_run) written.insert(run.begin(), run.end());

  // Aliases of keys as written first; then those naming a key by its built-in name, which the
  // first pass gives. A later alias of the same key wins (--key-alias after the layout file).
  std::map<std::string, std::string> aliased;
  for (const KeyAlias& alias : aliases) {
    if (written.count(alias.from) > 0) aliased[alias.from] = alias.to;
  }
  KeyNaming naming;
  const Pass first = NameOnce(keys_by_run, aliased);
  for (const KeyAlias& alias : aliases) {
    bool matched = written.count(alias.from) > 0;
    for (const auto& [key, name] : first.names) {
      if (name == alias.from && aliased.count(key) == 0) {
        aliased[key] = alias.to;
        matched = true;
      }
    }
    if (!matched) {
      naming.notes.push_back(fmt::format("{} {}={}: no key of the sweep is written or named {}",
                                         alias.source, alias.from, alias.to, alias.from));
    }
  }
  Pass final_pass = NameOnce(keys_by_run, aliased);
  const std::vector<std::string> ambiguity = AmbiguityNotes(final_pass, aliased);
  naming.notes.insert(naming.notes.begin(), ambiguity.begin(), ambiguity.end());
  naming.names = std::move(final_pass.names);
  return naming;
}

}  // namespace rankme::discovery
