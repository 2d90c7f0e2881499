#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace rankme::cli {

/// Adds --db (the database file; default $RANKME_DB, else ./rankme.db) bound to `target`.
inline void AddDatabaseOption(CLI::App& sub, std::string& target) {
  sub.add_option("--db", target, "database file (default: $RANKME_DB, else ./rankme.db)")
      ->check(CLI::Validator(
          [](std::string& path) {
            return path.empty() ? std::string("'' is not a file name") : "";
          },
          "FILE"));
}

/// Adds --max-memory (the memory budget for scoring one tensor, e.g. 4GB, 512MB, 2GiB; default
/// 0: half the physical memory) bound to `target` (bytes).
inline void AddMaxMemoryOption(CLI::App& sub, std::size_t& target) {
  sub.add_option("--max-memory", target,
                 "memory budget for scoring one tensor, e.g. 4GB, 512MB (default: half the "
                 "physical memory); larger shapes are refused")
      ->transform(CLI::AsSizeValue(true));
}

/// Writes `text` to stdout (data goes to stdout; progress and logs to stderr).
void PrintOut(const std::string& text);
/// Writes `value` to stdout as an indented JSON document. Control characters are escaped and
/// invalid UTF-8 (from file names or tensor names) is replaced by U+FFFD: always valid JSON.
void PrintJson(const nlohmann::json& value);
/// Writes one line to stderr, prefixed "rankme: ".
void PrintNote(const std::string& text);

}  // namespace rankme::cli
