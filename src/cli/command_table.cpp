#include "cli/command_table.h"

namespace rankme::cli {

const std::vector<Command>& CommandTable() {
  static const std::vector<Command> table = {};
  return table;
}

}  // namespace rankme::cli
