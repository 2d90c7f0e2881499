#include "rankme/discovery/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "discovery/checkpoint_name_internal.h"
#include "discovery/checkpoint_scan_internal.h"
#include "discovery/config_internal.h"
#include "discovery/path_glob_internal.h"
#include "discovery/sweep_keys_internal.h"
#include "rankme/core/error.h"
#include "rankme/discovery/checkpoint_name.h"
#include "rankme/discovery/config_key.h"
#include "rankme/discovery/layout.h"

namespace rankme::discovery {

DiscoveryOptions::DiscoveryOptions()
    : seed_keys(DefaultSeedKeys()), ignored_keys(DefaultIgnoredKeys()) {}

namespace {

namespace fs = std::filesystem;

/// Folders never entered: version control, caches, and Hydra's own folder (its config is read
/// directly by the hydra layout).
bool SkippedFolder(const std::string& name) {
  return name == ".git" || name == "__pycache__" || name == ".hydra" || name == "node_modules" ||
         name == ".ipynb_checkpoints";
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

/// Every folder and file under the root, relative, each folder once by canonical path. Symlinked
/// folders are entered after all real ones so a run is named by its real path, not a link to it
/// (`wandb/latest-run`); a link to a folder outside the sweep root (`/proc/self`, `/usr`, a home
/// folder) is not followed, with a warning: the walk stays inside what the user named. At most
/// kMaxWalkedFolders folders are listed.
struct Tree {
  std::vector<std::string> dirs;  // "" = root
  std::vector<std::string> files;
  std::vector<std::string> warnings;
};

constexpr std::size_t kMaxWalkedFolders = 1'000'000;

bool IsInside(const fs::path& path, const fs::path& root) {
  const auto mismatch = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return mismatch.first == root.end();
}

Tree WalkTree(const fs::path& root) {
  Tree tree;
  std::error_code root_ec;
  const fs::path real_root = fs::canonical(root, root_ec);
  std::set<fs::path> seen_dirs{root};
  std::set<fs::path> seen_files;
  std::vector<std::pair<std::string, fs::path>> pending{{"", root}};  // relative, canonical
  std::vector<std::string> linked;                                    // symlinked folders, relative
  auto walk = [&](std::vector<std::pair<std::string, fs::path>> stack) {
    while (!stack.empty()) {
      auto [relative, canonical] = std::move(stack.back());
      stack.pop_back();
      if (tree.dirs.size() >= kMaxWalkedFolders) {
        tree.warnings.push_back(fmt::format("{}: more than {} folders; the rest is not searched",
                                            root.string(), kMaxWalkedFolders));
        return;
      }
      tree.dirs.push_back(relative);
      std::error_code ec;
      fs::directory_iterator it(root / relative, ec);
      if (ec) {
        tree.warnings.push_back("cannot list folder " + (root / relative).string() + ": " +
                                ec.message());
        continue;
      }
      std::vector<fs::directory_entry> entries;
      for (; !ec && it != fs::directory_iterator(); it.increment(ec)) entries.push_back(*it);
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.path().filename() > b.path().filename();
      });
      for (const auto& entry : entries) {
        const std::string name = entry.path().filename().string();
        const std::string child = Join(relative, name);
        std::error_code status_ec;
        const bool is_link = entry.is_symlink(status_ec);
        if (entry.is_directory(status_ec)) {
          if (SkippedFolder(name)) continue;
          if (is_link) {
            linked.push_back(child);
          } else if (seen_dirs.insert(canonical / name).second) {
            stack.emplace_back(child, canonical / name);
          }
        } else if (entry.is_regular_file(status_ec)) {
          const fs::path file = is_link ? fs::canonical(entry.path(), status_ec) : canonical / name;
          if (!status_ec && seen_files.insert(file).second) tree.files.push_back(child);
        }
      }
    }
  };
  walk(std::move(pending));
  while (!linked.empty()) {
    std::vector<std::string> batch;
    batch.swap(linked);
    std::sort(batch.begin(), batch.end());
    for (const auto& relative : batch) {
      std::error_code ec;
      const fs::path canonical = fs::canonical(root / relative, ec);
      if (ec) {
        tree.warnings.push_back("broken link " + (root / relative).string());
      } else if (!root_ec && !IsInside(canonical, real_root)) {
        tree.warnings.push_back(fmt::format(
            "{}: a link to a folder outside the sweep ({}), not followed; name that folder on "
            "the command line to ingest it",
            (root / relative).string(), canonical.string()));
      } else if (seen_dirs.insert(canonical).second) {
        walk({{relative, canonical}});
      }
    }
  }
  std::sort(tree.dirs.begin(), tree.dirs.end());
  std::sort(tree.files.begin(), tree.files.end());
  return tree;
}

bool IsAncestor(const std::string& dir, const std::string& path) {
  if (dir.empty()) return !path.empty();
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

/// A config file's text. Refuses, before opening it, what is not a regular file (a folder, a
/// FIFO that would block, a device, a link loop) and a file beyond kMaxConfigFileBytes.
std::string ReadConfigText(const fs::path& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec) throw IoError("cannot read: " + ec.message(), path.string());
  if (!fs::is_regular_file(status)) {
    throw ConfigError("is not a regular file (a folder, FIFO or device)", path.string());
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw IoError("cannot read: " + ec.message(), path.string());
  if (size > kMaxConfigFileBytes) {
    throw ConfigError(fmt::format("the config file has {} bytes, more than the limit of {} MiB",
                                  size, kMaxConfigFileBytes >> 20),
                      path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read", path.string());
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.bad()) throw IoError("cannot read", path.string());
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

/// True when something (even a broken link or a folder) sits at `path`.
bool Exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

struct Candidate {
  std::string relative;
  const Layout* layout = nullptr;
  std::string config_file;            // relative to the run folder; "" = none
  std::vector<std::string> absorbed;  // runs found inside this one and merged into it
};

std::vector<Candidate> FindCandidates(const fs::path& root, const Tree& tree,
                                      const std::vector<Layout>& layouts) {
  std::vector<Candidate> out;
  for (const auto& dir : tree.dirs) {
    for (const auto& layout : layouts) {
      if (!internal::MatchPathGlob(layout.run_glob, dir)) continue;
      std::optional<std::string> config;
      if (layout.config_files.empty()) config = "";
      for (const auto& file : layout.config_files) {
        if (Exists(root / dir / file)) {  // not a regular file: a run with an unreadable config
          config = file;
          break;
        }
      }
      if (!config) continue;
      out.push_back(Candidate{dir, &layout, *config, {}});
      break;  // first layout in precedence order wins
    }
  }
  return out;
}

/// Keeps the runs: an outer strong run absorbs strong runs inside it (a Lightning or W&B logger
/// folder inside a Hydra job); a weak (plain) candidate survives only when alone on its branch,
/// named like a run rather than a checkpoint, and with embedding files below it.
std::vector<Candidate> ResolveCandidates(std::vector<Candidate> candidates, const Tree& tree) {
  std::vector<Candidate> strong;
  for (auto& candidate : candidates) {
    if (candidate.layout->weak) continue;
    auto outer = std::find_if(strong.begin(), strong.end(), [&](const Candidate& kept) {
      return IsAncestor(kept.relative, candidate.relative);
    });
    if (outer != strong.end()) {
      outer->absorbed.push_back(candidate.layout->name + " run " + candidate.relative);
    } else {
      strong.push_back(candidate);
    }
  }
  std::vector<Candidate> kept = strong;
  for (const auto& candidate : candidates) {
    if (!candidate.layout->weak) continue;
    const std::string& dir = candidate.relative;
    const bool nested = std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& c) {
      return IsAncestor(dir, c.relative) || (!c.layout->weak && IsAncestor(c.relative, dir));
    });
    const std::string base =
        dir.substr(dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/') + 1);
    const bool checkpoint_named = internal::FindNameTokens(base).begin.has_value();
    bool has_embeddings = false;
    const std::string prefix = dir.empty() ? "" : dir + "/";
    for (auto it = std::lower_bound(tree.files.begin(), tree.files.end(), prefix);
         it != tree.files.end() && it->compare(0, prefix.size(), prefix) == 0 && !has_embeddings;
         ++it) {
      has_embeddings = internal::IsEmbeddingFile(*candidate.layout, it->substr(prefix.size()));
    }
    if (!nested && !checkpoint_named && has_embeddings) kept.push_back(candidate);
  }
  return kept;
}

template <typename T>
std::vector<T> Concat(std::vector<T> a, const std::vector<T>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

DiscoveredRun BuildRun(const fs::path& root, const Candidate& candidate,
                       const std::vector<std::string>& files, const DiscoveryOptions& options) {
  const Layout& layout = *candidate.layout;
  DiscoveredRun run;
  run.relative_dir = candidate.relative;
  run.dir = candidate.relative.empty() ? root.string() : (root / candidate.relative).string();
  run.layout = layout.name;
  for (const auto& absorbed : candidate.absorbed) {
    run.warnings.push_back("merged the " + absorbed + " found inside this run");
  }
  if (!candidate.config_file.empty()) {
    const fs::path config = fs::path(run.dir) / candidate.config_file;
    run.config_file = config.string();
    try {
      const std::string text = ReadConfigText(config);
      const FlattenOptions flatten{layout.unwrap_key, layout.drop_keys};
      const bool is_json = config.extension() == ".json";
      run.params = is_json ? FlattenJson(text, flatten, run.config_file)
                           : FlattenYaml(text, flatten, run.config_file);
    } catch (const Error& e) {
      // Its own configuration, named by the reason (which names the file): never merged with
      // another unreadable run's empty one.
      run.config_error = run.config_file + ": " + internal::OneLine(e.message(), 300);
      run.params = {{kConfigErrorKey, ParamValue{ParamValue::Kind::kString,
                                                 internal::QuoteJson(*run.config_error)}}};
      run.warnings.push_back(*run.config_error +
                             "; the run is kept as its own configuration, flagged " +
                             kConfigErrorKey);
    }
  } else {
    run.warnings.push_back("no config file: the run has no hyperparameters");
  }
  if (!layout.overrides_file.empty()) {
    const fs::path overrides = fs::path(run.dir) / layout.overrides_file;
    if (Exists(overrides)) {
      try {
        run.overrides = ParseOverrides(ReadConfigText(overrides), overrides.string());
      } catch (const Error& e) {
        run.warnings.push_back(overrides.string() + ": " + internal::OneLine(e.message(), 300));
      }
    }
  }
  const ConfigSplit split = SplitConfig(run.params, Concat(options.seed_keys, layout.seed_keys),
                                        Concat(options.ignored_keys, layout.ignored_keys));
  run.seed = split.seed;
  for (const auto& [key, value] : run.params) {
    run.entries.push_back(RunParam{key, key, value, split.roles.at(key), false});
  }
  internal::MarkSwept(run);
  // config_key and config_id: once every run of the sweep is known (NameSweepKeys).
  run.warnings.insert(run.warnings.end(), split.warnings.begin(), split.warnings.end());

  internal::CheckpointScan scan = internal::ScanCheckpoints(run.dir, files, layout);
  run.checkpoints = std::move(scan.checkpoints);
  run.warnings.insert(run.warnings.end(), scan.warnings.begin(), scan.warnings.end());
  if (run.checkpoints.empty()) run.warnings.push_back("no embedding files found");
  return run;
}

}  // namespace

Sweep DiscoverSweep(const std::string& root_text, const DiscoveryOptions& options) {
  std::error_code ec;
  const fs::path root = fs::canonical(root_text, ec);
  if (ec) throw IoError("cannot open the sweep folder: " + ec.message(), root_text);
  if (!fs::is_directory(root, ec)) throw IoError("the sweep path is not a folder", root_text);
  fs::directory_iterator probe(root, ec);
  if (ec) throw IoError("cannot list the sweep folder: " + ec.message(), root_text);

  const std::vector<Layout> layouts =
      options.layout_file ? LoadLayoutFile(*options.layout_file) : BuiltinLayouts();

  Sweep sweep;
  sweep.root = root.string();
  Tree tree = WalkTree(root);
  sweep.warnings = std::move(tree.warnings);
  const std::vector<Candidate> runs = ResolveCandidates(FindCandidates(root, tree, layouts), tree);

  // Each file goes to the run folder that contains it (runs never nest after resolution).
  std::map<std::string, std::vector<std::string>> files_by_run;
  for (const auto& run : runs) files_by_run[run.relative];
  std::size_t orphans = 0;
  std::string orphan_example;
  for (const auto& file : tree.files) {
    std::string dir = file;
    bool placed = false;
    while (!placed) {
      const std::size_t slash = dir.rfind('/');
      dir = slash == std::string::npos ? "" : dir.substr(0, slash);
      auto it = files_by_run.find(dir);
      if (it != files_by_run.end()) {
        it->second.push_back(dir.empty() ? file : file.substr(dir.size() + 1));
        placed = true;
      }
      if (dir.empty()) break;
    }
    if (!placed && internal::IsEmbeddingFile(Layout{}, file)) {
      if (orphans++ == 0) orphan_example = file;
    }
  }
  if (orphans > 0) {
    sweep.warnings.push_back(std::to_string(orphans) +
                             " embedding file(s) lie outside any run folder, e.g. " +
                             orphan_example);
  }
  for (const auto& candidate : runs) {
    sweep.runs.push_back(BuildRun(root, candidate, files_by_run[candidate.relative], options));
  }
  std::sort(sweep.runs.begin(), sweep.runs.end(), [](const auto& a, const auto& b) {
    return NaturalLess(a.relative_dir, b.relative_dir);
  });
  std::vector<KeyAlias> aliases;
  for (const Layout& layout : layouts) {
    aliases.insert(aliases.end(), layout.key_aliases.begin(), layout.key_aliases.end());
  }
  aliases.insert(aliases.end(), options.key_aliases.begin(), options.key_aliases.end());
  internal::NameSweepKeys(sweep.runs, aliases, sweep.notes);
  return sweep;
}

}  // namespace rankme::discovery
