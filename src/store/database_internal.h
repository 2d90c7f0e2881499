#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "rankme/core/error.h"
#include "rankme/core/utf8_text.h"
#include "rankme/store/database.h"

namespace rankme::store {

/// A statement whose text parameters are stored as valid UTF-8: every text bound goes through
/// EscapeInvalidUtf8, so a folder, file or tensor name with invalid bytes is kept (and found
/// again, since lookups bind the same way) as one distinct, valid text. Valid UTF-8 is bound
/// unchanged.
class Statement : public SQLite::Statement {
 public:
  using SQLite::Statement::bind;
  using SQLite::Statement::Statement;
  void bind(int index, const std::string& text) {
    SQLite::Statement::bind(index, EscapeInvalidUtf8(text));
  }
  void bind(int index, const char* text) { bind(index, std::string(text)); }
};

/// The SQLite connection behind a Database, with its prepared statements cached by SQL text
/// (ingest runs the same few statements thousands of times).
struct Database::Impl {
  Impl(const std::string& file, int flags, int busy_timeout_ms)
      : path(file), db(file, flags, busy_timeout_ms) {}

  /// The cached statement for `sql`, reset and with its bindings cleared.
  Statement& Prepare(const std::string& sql);

  std::string path;
  SQLite::Database db;
  std::map<std::string, std::unique_ptr<Statement>> statements;
};

/// The column's value, or nullopt when it is NULL.
inline std::optional<std::int64_t> OptionalInt(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

inline std::optional<std::string> OptionalText(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getString();
}

/// Binds `value`, or NULL when it is empty (texts as Statement binds them: valid UTF-8).
template <typename T>
void BindOptional(Statement& statement, int index, const std::optional<T>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind(index);  // NULL
  }
}

/// The first column of the only row of `select`, which is then reset. A cached statement left
/// active keeps its read snapshot open after COMMIT; the connection's next BEGIN IMMEDIATE then
/// fails with "database is locked" at once (a stale snapshot cannot be upgraded, so the busy
/// timeout does not apply) whenever another process wrote meanwhile.
inline std::int64_t SingleInt64(SQLite::Statement& select) {
  RANKME_CHECK(select.executeStep());
  const std::int64_t value = select.getColumn(0).getInt64();
  select.reset();
  return value;
}

/// A StoreError "<what>: <sqlite message>" naming the database file.
StoreError StoreErrorFor(const std::string& path, const char* what, const SQLite::Exception& e);

/// Runs `body`, translating SQLite exceptions into StoreError naming the database file.
template <typename F>
auto Guarded(const std::string& path, const char* what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    throw StoreErrorFor(path, what, e);
  }
}

}  // namespace rankme::store
