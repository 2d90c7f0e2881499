#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace rankme::cli {

/// Adds --db (the database file; default $RANKME_DB, else ./rankme.db) bound to `target`.
inline void AddDatabaseOption(CLI::App& sub, std::string& target) {
  sub.add_option("--db", target, "database file (default: $RANKME_DB, else ./rankme.db)");
}

/// Writes `text` to stdout (data goes to stdout; progress and logs to stderr).
void PrintOut(const std::string& text);
/// Writes one line to stderr, prefixed "rankme: ".
void PrintNote(const std::string& text);

}  // namespace rankme::cli
