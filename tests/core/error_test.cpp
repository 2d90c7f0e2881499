#include "rankme/core/error.h"

#include <catch2/catch.hpp>
#include <cstring>

namespace rankme {
namespace {

// A failed file is stored with the kind of the error that was thrown, and each kind maps to
// one documented exit code: the table below is the contract the README states.
TEST_CASE("Each error class names its kind and its exit code", "[core]") {
  struct Case {
    const Error& error;
    const char* kind;
    ExitCode code;
  };
  const IoError io("cannot open", "a.npy");
  const FormatError format("bad magic", "a.npy");
  const DataError data("NaN at row 3", "a.npy");
  const ConfigError config("nests too deeply", "config.yaml");
  const UsageError usage("unknown tensor", "a.npy");
  const StoreError store("not a database", "r.db");
  const Case cases[] = {
      {io, "io", ExitCode::kBadInput},     {format, "format", ExitCode::kBadInput},
      {data, "data", ExitCode::kBadInput}, {config, "config", ExitCode::kBadInput},
      {usage, "usage", ExitCode::kUsage},  {store, "store", ExitCode::kStore}};
  for (const Case& c : cases) {
    INFO(c.error.what());
    CHECK(std::strcmp(c.error.kind(), c.kind) == 0);
    CHECK(c.error.exit_code() == c.code);
  }
  CHECK(std::string(format.what()) == "a.npy: bad magic");
}

}  // namespace
}  // namespace rankme
