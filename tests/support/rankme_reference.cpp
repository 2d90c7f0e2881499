#include "support/rankme_reference.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "support/temp_dir.h"

namespace rankme::testing {

namespace {

// `sigma` (times 2^exponent) into the convention of RankmeResult: true values, unless the largest
// is >= 2^1024 or subnormal; then divided by 2^`out_exponent` so that the largest is in [1, 2).
void NormaliseExponent(std::vector<double>& sigma, int exponent, int& out_exponent) {
  out_exponent = 0;
  if (sigma.empty() || !(sigma[0] > 0.0)) return;
  const int largest = std::ilogb(sigma[0]) + exponent;
  int shift = exponent;
  if (largest >= 1024 || largest < -1022) {
    out_exponent = largest;
    shift = -std::ilogb(sigma[0]);
  }
  for (double& s : sigma) s = std::ldexp(s, shift);
}

}  // namespace

MemoryRowStream ReferenceMatrix::Stream() const {
  return MemoryRowStream(values, rows, cols, name, dtype);
}

std::vector<ReferenceMatrix> GenerateReference(const nlohmann::json& cases) {
  if (RunCommand("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
    throw std::runtime_error(
        "numpy is missing: /usr/bin/python3 cannot import numpy (install python3-numpy)");
  }
  TempDir dir;
  WriteFile(dir.path() / "cases.json", cases.dump());
  const std::string command = std::string("/usr/bin/python3 ") + RANKME_SOURCE_DIR +
                              "/scripts/rankme_reference.py " + dir.File("cases.json") + " " +
                              dir.path().string();
  if (RunCommand(command) != 0) throw std::runtime_error("reference script failed: " + command);
  std::vector<ReferenceMatrix> out;
  for (const nlohmann::json& c : cases) {
    ReferenceMatrix m;
    m.name = c.at("name").get<std::string>();
    std::ifstream meta_file(dir.File(m.name + ".json"));
    const nlohmann::json meta = nlohmann::json::parse(meta_file);
    m.rows = meta.at("rows").get<std::int64_t>();
    m.cols = meta.at("cols").get<std::int64_t>();
    m.dtype = DTypeFromName(meta.at("dtype").get<std::string>()).value();
    if (!meta.at("rankme").is_null()) m.rankme = meta.at("rankme").get<double>();
    m.metrics = meta.value("metrics", nlohmann::json::object());
    m.sigma = meta.at("sigma").get<std::vector<double>>();
    NormaliseExponent(m.sigma, meta.at("sigma_exponent").get<int>(), m.sigma_exponent);
    if (!meta.at("selected").is_null()) {
      m.selected = meta.at("selected").get<std::vector<std::int64_t>>();
    }
    m.values.resize(static_cast<std::size_t>(m.rows * m.cols));
    std::ifstream bin(dir.File(m.name + ".bin"), std::ios::binary);
    bin.read(reinterpret_cast<char*>(m.values.data()),
             static_cast<std::streamsize>(m.values.size() * sizeof(double)));
    if (!bin) throw std::runtime_error("short reference matrix " + m.name);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace rankme::testing
