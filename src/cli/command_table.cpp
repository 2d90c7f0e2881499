#include "cli/command_table.h"

namespace rankme::cli {

Command MakeDbCommand();
Command MakeScoreCommand();
Command MakeDemoCommand();
Command MakeIngestCommand();

const std::vector<Command>& CommandTable() {
  static const std::vector<Command> table = {
      MakeScoreCommand(),
      MakeIngestCommand(),
      MakeDbCommand(),
      MakeDemoCommand(),
  };
  return table;
}

}  // namespace rankme::cli
