#include "support/lidar_reference.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "support/temp_dir.h"

namespace rankme::testing {

MemoryRowStream ReferenceViews::Stream() const {
  return MemoryRowStream(values, samples * views, cols, name, dtype);
}

void SkipWithoutNumpy() {
  if (RunCommand("/usr/bin/python3 -c 'import numpy' 2>/dev/null") == 0) return;
  std::fprintf(stderr, "skipped: /usr/bin/python3 cannot import numpy (install python3-numpy)\n");
  std::exit(77);
}

std::vector<ReferenceViews> GenerateViewsReference(const nlohmann::json& cases) {
  TempDir dir;
  WriteFile(dir.path() / "cases.json", cases.dump());
  const std::string command = std::string("/usr/bin/python3 ") + RANKME_SOURCE_DIR +
                              "/scripts/lidar_reference.py " + dir.File("cases.json") + " " +
                              dir.path().string();
  if (RunCommand(command) != 0) throw std::runtime_error("reference script failed: " + command);
  std::vector<ReferenceViews> out;
  for (const nlohmann::json& c : cases) {
    ReferenceViews v;
    v.name = c.at("name").get<std::string>();
    std::ifstream meta_file(dir.File(v.name + ".json"));
    const nlohmann::json meta = nlohmann::json::parse(meta_file);
    v.samples = meta.at("samples").get<std::int64_t>();
    v.views = meta.at("views").get<std::int64_t>();
    v.cols = meta.at("cols").get<std::int64_t>();
    v.dtype = DTypeFromName(meta.at("dtype").get<std::string>()).value();
    if (!meta.at("lidar").is_null()) v.lidar = meta.at("lidar").get<double>();
    v.eigenvalues = meta.at("eigenvalues").get<std::vector<double>>();
    if (!meta.at("selected").is_null()) {
      v.selected = meta.at("selected").get<std::vector<std::int64_t>>();
    }
    v.values.resize(static_cast<std::size_t>(v.samples * v.views * v.cols));
    std::ifstream bin(dir.File(v.name + ".bin"), std::ios::binary);
    bin.read(reinterpret_cast<char*>(v.values.data()),
             static_cast<std::streamsize>(v.values.size() * sizeof(double)));
    if (!bin) throw std::runtime_error("short reference tensor " + v.name);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace rankme::testing
