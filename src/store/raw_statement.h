#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rankme/core/utf8_text.h"

namespace rankme::store {

/// A statement of SQLite's C API, for reads of 100,000 rows where SQLiteCpp's per-column
/// objects (a shared pointer copied for each value) cost as much as the read itself. Errors
/// throw SQLite::Exception, which Guarded() turns into StoreError. Not cached: prepare it for
/// one pass.
class RawStatement {
 public:
  static RawStatement Prepare(SQLite::Database& db, const char* sql) {
    sqlite3_stmt* statement = nullptr;
    const int rc = sqlite3_prepare_v2(db.getHandle(), sql, -1, &statement, nullptr);
    RawStatement out(statement);
    if (rc != SQLITE_OK) throw SQLite::Exception(db.getHandle(), rc);
    return out;
  }

  /// Binds `text` as Statement::bind does: invalid UTF-8 escaped (EscapeInvalidUtf8).
  void Bind(int index, const std::string& text) {
    const std::string valid = EscapeInvalidUtf8(text);
    Check(sqlite3_bind_text(get(), index, valid.data(), static_cast<int>(valid.size()),
                            SQLITE_TRANSIENT));
  }

  /// Moves to the next row; false when there is none.
  bool Step() {
    const int rc = sqlite3_step(get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw SQLite::Exception(sqlite3_db_handle(get()), rc);
  }

  // Each read takes one call into the statement (sqlite3_column_value) and reads the value it
  // returns directly: connections are opened without a mutex (one thread at a time, see
  // Database::Open), so there is no lock to take between the two.

  /// The column's text ("" when NULL), valid until the next Step().
  std::string_view Text(int column) const {
    sqlite3_value* value = sqlite3_column_value(get(), column);
    const unsigned char* text = sqlite3_value_text(value);
    if (text == nullptr) return {};
    return {reinterpret_cast<const char*>(text),
            static_cast<std::size_t>(sqlite3_value_bytes(value))};
  }
  std::int64_t Int64(int column) const { return sqlite3_column_int64(get(), column); }
  std::optional<std::int64_t> OptionalInt64(int column) const {
    sqlite3_value* value = sqlite3_column_value(get(), column);
    if (sqlite3_value_type(value) == SQLITE_NULL) return std::nullopt;
    return sqlite3_value_int64(value);
  }
  std::optional<double> OptionalDouble(int column) const {
    sqlite3_value* value = sqlite3_column_value(get(), column);
    if (sqlite3_value_type(value) == SQLITE_NULL) return std::nullopt;
    return sqlite3_value_double(value);
  }

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
  };
  explicit RawStatement(sqlite3_stmt* statement) : statement_(statement) {}
  sqlite3_stmt* get() const { return statement_.get(); }
  void Check(int rc) const {
    if (rc != SQLITE_OK) throw SQLite::Exception(sqlite3_db_handle(get()), rc);
  }

  std::unique_ptr<sqlite3_stmt, Finalize> statement_;
};

}  // namespace rankme::store
