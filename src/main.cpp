// The rankme executable: builds the command table, dispatches, and holds the one top-level
// handler that turns an exception into a one-line message and a documented exit code.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>

#include "cli/commands.h"
#include "cli/common.h"
#include "rankme/core/error.h"

int main(int argc, char** argv) {
  rankme::cli::PrepareProcess(argc, argv);
  CLI::App app{"rankme: label-free selection of self-supervised training runs by RankMe"};
  app.set_version_flag("--version", RANKME_VERSION);
  app.require_subcommand(1);
  rankme::cli::RegisterCommands(app);
  try {
    app.parse(argc, argv);
    return rankme::cli::RunSelected(app);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    rankme::cli::PrintNote(std::string(e.what()) + " (--help lists the options)");
    return static_cast<int>(rankme::ExitCode::kUsage);
  } catch (const rankme::Error& e) {
    rankme::cli::PrintNote(e.what());
    return static_cast<int>(e.exit_code());
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the system refuses that a module did not translate: the path's problem (exit 2,
    // as an IoError), not a bug of rankme's.
    const rankme::IoError error(e.code().message(), e.path1().string());
    rankme::cli::PrintNote(error.what());
    return static_cast<int>(error.exit_code());
  } catch (const std::exception& e) {
    rankme::cli::PrintNote(std::string("internal error: ") + e.what());
    return static_cast<int>(rankme::ExitCode::kInternal);
  }
}
