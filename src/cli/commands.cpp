#include "cli/commands.h"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <string>
#include <string_view>

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

// Subcommands that only read or administer the database and never call the BLAS. A command not
// listed here (and a command line naming none) gets the fast kernels, so a new command that
// scores is never left on the slow ones.
constexpr std::array<std::string_view, 8> kBlasFreeCommands = {
    "runs", "show", "best", "leaderboard", "marginals", "validate", "report", "db"};

}  // namespace

// OpenBLAS (pthreads build) starts its worker threads when it loads, and each spins on
// sched_yield for about 2^28 cycles (~0.1 s) waiting for work before it sleeps; setting the
// thread count does not stop them. Weak, because only threaded OpenBLAS builds define it.
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));

bool NamesBlasFreeCommand(int argc, char** argv) {
  // The top-level options (--help, --version) take no value, so the first word that is not an
  // option is the subcommand.
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (!word.empty() && word.front() == '-') continue;
    return std::find(kBlasFreeCommands.begin(), kBlasFreeCommands.end(), word) !=
           kBlasFreeCommands.end();
  }
  return false;
}

void PrepareProcess(int argc, char** argv) {
  if (!NamesBlasFreeCommand(argc, argv)) {
    metrics::SelectFastBlasKernels(argc, argv);
    return;
  }
  // No kernels to choose, hence no re-execution; stop the idle workers so they do not compete
  // with the query for the cores.
  if (blas_thread_shutdown_ != nullptr) blas_thread_shutdown_();
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
