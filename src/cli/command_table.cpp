#include "cli/command_table.h"

namespace rankme::cli {

Command MakeDbCommand();

const std::vector<Command>& CommandTable() {
  static const std::vector<Command> table = {
      MakeDbCommand(),
  };
  return table;
}

}  // namespace rankme::cli
