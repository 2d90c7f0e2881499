#include "cli/command_table.h"

namespace rankme::cli {

Command MakeDbCommand();
Command MakeScoreCommand();
Command MakeDemoCommand();
Command MakeIngestCommand();
Command MakeRunsCommand();
Command MakeShowCommand();
Command MakeBestCommand();
Command MakeLeaderboardCommand();
Command MakeMarginalsCommand();
Command MakeValidateCommand();
Command MakeReportCommand();

const std::vector<Command>& CommandTable() {
  static const std::vector<Command> table = {
      MakeScoreCommand(),  MakeIngestCommand(),      MakeRunsCommand(),      MakeShowCommand(),
      MakeBestCommand(),   MakeLeaderboardCommand(), MakeMarginalsCommand(), MakeValidateCommand(),
      MakeReportCommand(), MakeDbCommand(),          MakeDemoCommand(),
  };
  return table;
}

}  // namespace rankme::cli
