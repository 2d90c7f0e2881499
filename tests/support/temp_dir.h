#pragma once

#include <filesystem>
#include <string>

namespace rankme::testing {

/// A fresh directory under the system temp folder, removed with everything in it on scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// path() / name, as a string.
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// Writes `bytes` to `path`, creating parent folders.
void WriteFile(const std::filesystem::path& path, const std::string& bytes);

/// Runs a shell command; returns its exit status and captures stdout into `output` when given.
int RunCommand(const std::string& command, std::string* output = nullptr);

}  // namespace rankme::testing
