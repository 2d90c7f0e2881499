#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace rankme::cli {

/// Adds --db (the database file; default $RANKME_DB, else ./rankme.db) bound to `target`.
inline void AddDatabaseOption(CLI::App& sub, std::string& target) {
  sub.add_option("--db", target, "database file (default: $RANKME_DB, else ./rankme.db)");
}

/// Writes `text` to stdout (data goes to stdout; progress and logs to stderr).
void PrintOut(const std::string& text);
/// Writes `value` to stdout as an indented JSON document. Control characters are escaped and
/// invalid UTF-8 (from file names or tensor names) is replaced by U+FFFD: always valid JSON.
void PrintJson(const nlohmann::json& value);
/// Writes one line to stderr, prefixed "rankme: ".
void PrintNote(const std::string& text);

}  // namespace rankme::cli
