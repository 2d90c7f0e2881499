#include "cli/commands.h"

#include <functional>
#include <map>
#include <string>

#include "cli/command_table.h"
#include "rankme/core/error.h"
#include "rankme/metrics/blas_runtime.h"

namespace rankme::cli {

namespace {
// Runner of each registered subcommand, by name; filled by RegisterCommands.
std::map<std::string, std::function<int()>>& Runners() {
  static std::map<std::string, std::function<int()>> runners;
  return runners;
}
}  // namespace

void PrepareProcess(int argc, char** argv) { metrics::SelectFastBlasKernels(argc, argv); }

void RegisterCommands(CLI::App& app) {
  for (const Command& command : CommandTable()) {
    CLI::App* sub = app.add_subcommand(command.name, command.description);
    Runners()[command.name] = command.add(*sub);
  }
}

int RunSelected(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) {
    auto it = Runners().find(sub->get_name());
    if (it != Runners().end()) return it->second();
  }
  throw UsageError("no command given; see rankme --help");
}

}  // namespace rankme::cli
