#pragma once

#include <CLI/CLI.hpp>

namespace rankme::cli {

/// Process-wide preparation before any work (e.g. choosing the BLAS kernels). May re-execute
/// the program with an adjusted environment, in which case it does not return.
void PrepareProcess(int argc, char** argv);

/// Adds every subcommand (the table in commands.cpp) to `app`.
void RegisterCommands(CLI::App& app);

/// Runs the subcommand that `app.parse` selected; returns the process exit code.
int RunSelected(const CLI::App& app);

}  // namespace rankme::cli
