#include "cli/commands.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

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

bool NamesBlasFreeCommand(int argc, char** argv) {
  // The top-level options (--help, --version) take no value, so the first word that is not an
  // option is the subcommand.
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (!word.empty() && word.front() == '-') continue;
    const std::vector<Command>& table = CommandTable();
    return std::any_of(table.begin(), table.end(), [word](const Command& command) {
      return command.name == word && !command.scores;
    });
  }
  return false;
}

void PrepareProcess(int argc, char** argv) {
  if (!NamesBlasFreeCommand(argc, argv)) {
    metrics::SelectFastBlasKernels(argc, argv);
    return;
  }
  // No kernels to choose, hence no re-execution; the idle workers must not compete with the
  // query for the cores.
  metrics::StopIdleBlasThreads();
}

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
