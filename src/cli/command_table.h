#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace rankme::cli {

/// One subcommand: `add` declares its options on `sub` (bound to an options struct it owns)
/// and returns the function that runs it with those options.
struct Command {
  const char* name;
  const char* description;
  std::function<std::function<int()>(CLI::App& sub)> add;
  /// Runs the scoring engine (and so the BLAS): the process first picks the fast BLAS kernels.
  /// Commands that only read or administer the database leave it false and start cheaply.
  bool scores = false;
};

/// Every subcommand, in the order `rankme --help` lists them.
const std::vector<Command>& CommandTable();

}  // namespace rankme::cli
