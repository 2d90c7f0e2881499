// Test runner: prepares the process like the rankme executable does, then runs Catch2.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  rankme::cli::PrepareProcess(argc, argv);
  return Catch::Session().run(argc, argv);
}
