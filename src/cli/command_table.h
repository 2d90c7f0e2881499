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
};

/// Every subcommand, in the order `rankme --help` lists them.
const std::vector<Command>& CommandTable();

}  // namespace rankme::cli
