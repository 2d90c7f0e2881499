// `rankme db info` and `rankme db migrate`.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command_table.h"
#include "cli/common.h"
#include "rankme/app/database_admin.h"

namespace rankme::cli {

namespace {

struct DbOptions {
  std::string db;
  bool json = false;
};

int RunInfo(const DbOptions& options) {
  const auto info = app::DescribeDatabase(app::ResolveDatabasePath(options.db));
  if (options.json) {
    nlohmann::json out = {{"path", info.path},
                          {"schema_version", info.schema_version},
                          {"latest_schema_version", info.latest_schema_version},
                          {"journal_mode", info.journal_mode},
                          {"file_bytes", info.file_bytes},
                          {"sweeps", info.sweeps},
                          {"configurations", info.configurations},
                          {"runs", info.runs},
                          {"checkpoints", info.checkpoints},
                          {"tensors", info.tensors},
                          {"scores", info.scores},
                          {"spectra", info.spectra},
                          {"failures", info.failures}};
    PrintJson(out);
    return 0;
  }
  std::string text = fmt::format("database        {}\n", info.path);
  text += fmt::format(
      "schema version  {} (this rankme: {}){}\n", info.schema_version, info.latest_schema_version,
      info.schema_version < info.latest_schema_version ? " — run `rankme db migrate`" : "");
  text += fmt::format("journal mode    {}\nsize            {} bytes\n", info.journal_mode,
                      info.file_bytes);
  text += fmt::format(
      "sweeps {}, configurations {}, runs {}, checkpoints {}, tensors {}, scores {}, spectra {}, "
      "failures {}\n",
      info.sweeps, info.configurations, info.runs, info.checkpoints, info.tensors, info.scores,
      info.spectra, info.failures);
  PrintOut(text);
  return 0;
}

int RunMigrate(const DbOptions& options) {
  const auto report = app::MigrateDatabase(app::ResolveDatabasePath(options.db));
  if (report.from_version == report.to_version) {
    PrintOut(fmt::format("schema already at version {}\n", report.to_version));
  } else {
    PrintOut(fmt::format("migrated schema {} -> {}{}\n", report.from_version, report.to_version,
                         report.backup_path.empty() ? "" : "; backup at " + report.backup_path));
  }
  return 0;
}

}  // namespace

Command MakeDbCommand() {
  return {"db", "database administration: info, migrate", [](CLI::App& sub) {
            auto options = std::make_shared<DbOptions>();
            sub.require_subcommand(1);
            CLI::App* info = sub.add_subcommand("info", "schema version, counts and path");
            AddDatabaseOption(*info, options->db);
            info->add_flag("--json", options->json, "print JSON");
            CLI::App* migrate =
                sub.add_subcommand("migrate", "bring the schema up to date (backup first)");
            AddDatabaseOption(*migrate, options->db);
            return std::function<int()>([options, info, migrate] {
              if (info->parsed()) return RunInfo(*options);
              if (migrate->parsed()) return RunMigrate(*options);
              return 1;
            });
          }};
}

}  // namespace rankme::cli
