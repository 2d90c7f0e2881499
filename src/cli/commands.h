#pragma once

#include <CLI/CLI.hpp>

namespace rankme::cli {

/// Whether the command line `argv` (argc words, the program first) runs a subcommand that never
/// calls the BLAS (Command::scores false in the command table: runs, show, best, leaderboard,
/// marginals, validate, report, db). False for the scoring subcommands (score, ingest, demo), a
/// word that names no command, and a line that names none.
bool NamesBlasFreeCommand(int argc, char** argv);

/// Process-wide preparation before any work; call it first thing in main(). For a BLAS-free
/// subcommand (NamesBlasFreeCommand) it stops the BLAS worker threads, which would otherwise
/// spin while idle. Otherwise it chooses the fast BLAS kernels
/// (metrics::SelectFastBlasKernels), which may re-execute the program with an adjusted
/// environment, in which case it does not return.
void PrepareProcess(int argc, char** argv);

/// Adds every subcommand (the table in commands.cpp) to `app`.
void RegisterCommands(CLI::App& app);

/// Runs the subcommand that `app.parse` selected; returns the process exit code.
int RunSelected(const CLI::App& app);

}  // namespace rankme::cli
