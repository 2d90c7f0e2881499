#include "rankme/discovery/layout.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "discovery/config_internal.h"
#include "discovery/layout_internal.h"
#include "discovery/path_glob_internal.h"
#include "rankme/core/error.h"
#include "rankme/discovery/config.h"

namespace rankme::discovery {

std::vector<std::string> Layout::DefaultEmbeddingGlobs() {
  return {"**/*.{npy,npz,safetensors,pt,pth}"};
}

std::vector<std::string> Layout::DefaultExcludeGlobs() {
  return {// launcher, logger and tool internals
          "**/.hydra/**", "**/.git/**", "**/__pycache__/**", "**/.ipynb_checkpoints/**",
          "**/wandb/*/{logs,tmp}/**",
          // model weights and training state, not embeddings (only the formats weights come in)
          "**/{model,pytorch_model,adapter_model}*.{pt,pth,safetensors}",
          "**/*{optimizer,optim,scheduler,scaler,state_dict,weights}*.{pt,pth,safetensors}",
          "**/rng_state*.{pt,pth}", "**/{checkpoint,last,best}.{pt,pth,safetensors}",
          "**/checkpoint[0-9]*.{pt,pth}"};
}

std::vector<Layout> BuiltinLayouts() {
  Layout hydra;
  hydra.name = "hydra";
  hydra.config_files = {".hydra/config.yaml"};
  hydra.overrides_file = ".hydra/overrides.yaml";

  Layout wandb;
  wandb.name = "wandb";
  wandb.run_glob = "**/{run,offline-run}-*";
  wandb.config_files = {"files/config.yaml"};
  wandb.unwrap_key = "value";
  wandb.drop_keys = {"_wandb", "wandb_version"};

  Layout lightning;
  lightning.name = "lightning";
  lightning.config_files = {"hparams.yaml"};

  Layout solo_learn;
  solo_learn.name = "solo-learn";
  solo_learn.config_files = {"args.json"};

  Layout plain;
  plain.name = "plain";
  plain.config_files = {"config.json", "config.yaml", "config.yml"};
  plain.weak = true;

  return {hydra, wandb, lightning, solo_learn, plain};
}

namespace internal {

CheckpointRegex CompileCheckpointRegex(const std::string& pattern, const std::string& source) {
  CheckpointRegex out;
  std::string plain;
  int group = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      plain += pattern.substr(i, 2);
      ++i;
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      plain += c;
      continue;
    }
    if (c == '[') in_class = true;
    if (c == '(' && pattern.compare(i, 2, "(?") != 0) ++group;
    if (c == '(' && (pattern.compare(i, 3, "(?<") == 0 || pattern.compare(i, 4, "(?P<") == 0) &&
        pattern.compare(i, 4, "(?<=") != 0 && pattern.compare(i, 4, "(?<!") != 0) {
      const std::size_t name_begin = pattern.find('<', i) + 1;
      const std::size_t name_end = pattern.find('>', name_begin);
      if (name_end == std::string::npos)
        throw ConfigError("unclosed group name in " + pattern, source);
      ++group;
      const std::string name = pattern.substr(name_begin, name_end - name_begin);
      if (name == "step") out.step_group = group;
      if (name == "epoch") out.epoch_group = group;
      plain += '(';
      i = name_end;
      continue;
    }
    plain += c;
  }
  if (out.step_group < 0 && out.epoch_group < 0) {
    throw ConfigError("checkpoint regex has neither (?<step>...) nor (?<epoch>...): " + pattern,
                      source);
  }
  try {
    out.regex = std::regex(plain, std::regex::ECMAScript | std::regex::icase);
  } catch (const std::regex_error& e) {
    throw ConfigError("bad checkpoint regex " + pattern + ": " + e.what(), source);
  }
  return out;
}

}  // namespace internal

namespace {

using nlohmann::json;

constexpr std::size_t kMaxGlobBytes = 4096;

std::string GetString(const json& value, const std::string& field, const std::string& source) {
  if (!value.is_string()) throw ConfigError("layout field " + field + " must be a string", source);
  return value.get<std::string>();
}

std::vector<std::string> GetList(const json& value, const std::string& field,
                                 const std::string& source) {
  if (value.is_string()) return {value.get<std::string>()};
  if (value.is_null()) return {};
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const auto& item : value) out.push_back(GetString(item, field, source));
    return out;
  }
  throw ConfigError("layout field " + field + " must be a string or a list of strings", source);
}

/// `key_aliases`: a map {FROM: TO} or a list of "FROM=TO".
std::vector<KeyAlias> GetAliases(const json& value, const std::string& source) {
  std::vector<KeyAlias> out;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      out.push_back(ParseKeyAlias(it.key() + "=" + GetString(it.value(), "key_aliases", source),
                                  source));
    }
    return out;
  }
  for (const auto& text : GetList(value, "key_aliases", source)) {
    out.push_back(ParseKeyAlias(text, source));
  }
  return out;
}

/// A glob longer than a path can be, or with braces multiplying past kMaxGlobAlternatives, would
/// make every path match cost without bound.
void CheckGlobs(const std::vector<std::string>& globs, const std::string& field,
                const std::string& source) {
  for (const auto& glob : globs) {
    if (glob.size() > kMaxGlobBytes) {
      throw ConfigError(
          fmt::format("layout field {}: a glob longer than {} bytes", field, kMaxGlobBytes),
          source);
    }
    if (internal::ExpandBraces(glob).size() >= internal::kMaxGlobAlternatives) {
      throw ConfigError(fmt::format("layout field {}: a glob whose braces expand to {} or more "
                                    "alternatives",
                                    field, internal::kMaxGlobAlternatives),
                        source);
    }
  }
}

Layout ParseOne(const json& object, const std::string& source) {
  if (!object.is_object()) throw ConfigError("a layout must be a map of fields", source);
  Layout layout;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& field = it.key();
    const json& value = it.value();
    if (field == "name") {
      layout.name = GetString(value, field, source);
    } else if (field == "run_glob") {
      layout.run_glob = GetString(value, field, source);
    } else if (field == "config_files" || field == "config_file") {
      layout.config_files = GetList(value, field, source);
    } else if (field == "unwrap_key") {
      layout.unwrap_key = value.is_null() ? "" : GetString(value, field, source);
    } else if (field == "drop_keys") {
      layout.drop_keys = GetList(value, field, source);
    } else if (field == "overrides_file") {
      layout.overrides_file = value.is_null() ? "" : GetString(value, field, source);
    } else if (field == "embedding_globs") {
      layout.embedding_globs = GetList(value, field, source);
    } else if (field == "exclude_globs") {
      layout.exclude_globs = GetList(value, field, source);
    } else if (field == "checkpoint_regexes") {
      layout.checkpoint_regexes = GetList(value, field, source);
      for (const auto& pattern : layout.checkpoint_regexes) {
        internal::CompileCheckpointRegex(pattern, source);
      }
    } else if (field == "tensor") {
      layout.tensor = value.is_null() ? "file" : GetString(value, field, source);
    } else if (field == "seed_keys") {
      layout.seed_keys = GetList(value, field, source);
    } else if (field == "ignored_keys") {
      layout.ignored_keys = GetList(value, field, source);
    } else if (field == "key_aliases") {
      layout.key_aliases = GetAliases(value, source);
    } else if (field == "weak") {
      if (!value.is_boolean()) throw ConfigError("layout field weak must be true or false", source);
      layout.weak = value.get<bool>();
    } else if (field != "description") {
      throw ConfigError("unknown layout field: " + field, source);
    }
  }
  CheckGlobs({layout.run_glob, layout.overrides_file}, "run_glob/overrides_file", source);
  CheckGlobs(layout.config_files, "config_files", source);
  CheckGlobs(layout.embedding_globs, "embedding_globs", source);
  CheckGlobs(layout.exclude_globs, "exclude_globs", source);
  if (layout.embedding_globs.empty()) {
    throw ConfigError("layout " + layout.name + " has no embedding_globs", source);
  }
  return layout;
}

}  // namespace

std::vector<Layout> ParseLayouts(std::string_view text, std::string_view source_view) {
  const std::string source(source_view);
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  const bool is_json =
      first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
  const json document = is_json ? internal::ParseJsonDocument(text, source)
                                : internal::ParseYamlDocument(text, source);
  std::vector<Layout> layouts;
  if (document.is_object() && document.contains("layouts")) {
    if (document.size() != 1 || !document["layouts"].is_array()) {
      throw ConfigError("`layouts` must be the only field and a list", source);
    }
    for (const auto& item : document["layouts"]) layouts.push_back(ParseOne(item, source));
  } else if (document.is_array()) {
    for (const auto& item : document) layouts.push_back(ParseOne(item, source));
  } else {
    layouts.push_back(ParseOne(document, source));
  }
  if (layouts.empty()) throw ConfigError("the layout file defines no layout", source);
  return layouts;
}

std::vector<Layout> LoadLayoutFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec) &&
      std::filesystem::file_size(path, ec) > kMaxConfigFileBytes) {
    throw ConfigError(
        fmt::format("the layout file is larger than {} MiB", kMaxConfigFileBytes >> 20), path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read layout file", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw IoError("cannot read layout file", path);
  return ParseLayouts(text.str(), path);
}

}  // namespace rankme::discovery
