#pragma once

#include <stdexcept>
#include <string>

namespace rankme {

/// Process exit codes, documented in the README. Every command maps its outcome to one of these.
enum class ExitCode : int {
  kOk = 0,
  kUsage = 1,      ///< bad command line or options
  kBadInput = 2,   ///< an input file could not be read or scored (format, NaN/Inf, I/O)
  kStore = 3,      ///< the database could not be opened, migrated or written
  kInternal = 70,  ///< a bug: an internal invariant failed
};

/// Base of every exception rankme throws. Carries the file (or run) it concerns so the single
/// top-level handler can print one line "rankme: <path>: <message>".
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, std::string path = {});

  /// The file, tensor (`file#name`) or run the error concerns; empty when none.
  const std::string& path() const { return path_; }
  /// The message without the path prefix.
  const std::string& message() const { return message_; }
  virtual ExitCode exit_code() const { return ExitCode::kBadInput; }
  /// What went wrong, as stored with a failed file: "io", "format", "data", "config", "usage",
  /// "store" (decided by the class that was thrown, never guessed afterwards).
  virtual const char* kind() const { return "io"; }

 private:
  std::string path_;
  std::string message_;
};

/// The command line asks for something impossible (unknown tensor, bad option value).
class UsageError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kUsage; }
  const char* kind() const override { return "usage"; }
};

/// A file could not be opened or read (missing, permission, short read).
class IoError : public Error {
 public:
  using Error::Error;
};

/// A file's bytes do not form a valid file of its format (bad magic, sizes past the end, ...).
class FormatError : public Error {
 public:
  using Error::Error;
  const char* kind() const override { return "format"; }
};

/// The values cannot be scored: NaN/Inf, fewer than two rows, an unsupported shape.
class DataError : public Error {
 public:
  using Error::Error;
  const char* kind() const override { return "data"; }
};

/// A configuration or layout file is invalid.
class ConfigError : public Error {
 public:
  using Error::Error;
  const char* kind() const override { return "config"; }
};

/// The database could not be opened, migrated, read or written.
class StoreError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kStore; }
  const char* kind() const override { return "store"; }
};

/// Aborts with a message when an internal invariant is broken (a bug, not bad input).
[[noreturn]] void FailInvariant(const char* condition, const char* file, int line);

}  // namespace rankme

/// Checks an internal invariant; a failure is a bug in rankme and aborts the process.
#define RANKME_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::rankme::FailInvariant(#condition, __FILE__, __LINE__))
