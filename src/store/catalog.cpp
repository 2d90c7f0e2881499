#include "rankme/store/catalog.h"

#include <chrono>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "store/database_internal.h"

namespace rankme::store {

std::string NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buffer, static_cast<int>(millis));
  return out;
}

std::int64_t Catalog::UpsertSweep(const std::string& root) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot record the sweep", [&] {
    const std::string now = NowUtc();
    auto& upsert = impl.Prepare(
        "INSERT INTO sweeps (root, first_ingested_at, last_ingested_at) VALUES (?1, ?2, ?2) "
        "ON CONFLICT (root) DO UPDATE SET last_ingested_at = excluded.last_ingested_at");
    upsert.bind(1, root);
    upsert.bind(2, now);
    upsert.exec();
    auto& select = impl.Prepare("SELECT sweep_id FROM sweeps WHERE root = ?1");
    select.bind(1, root);
    return SingleInt64(select);
  });
}

std::int64_t Catalog::UpsertCheckpoint(std::int64_t run_id, const std::string& name,
                                       std::optional<std::int64_t> step,
                                       std::optional<std::int64_t> epoch, std::int64_t position) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot record a checkpoint", [&] {
    auto& upsert = impl.Prepare(
        "INSERT INTO checkpoints (run_id, name, step, epoch, position) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (run_id, name) DO UPDATE SET step = excluded.step, epoch = excluded.epoch, "
        "position = excluded.position");
    upsert.bind(1, run_id);
    upsert.bind(2, name);
    BindOptional(upsert, 3, step);
    BindOptional(upsert, 4, epoch);
    upsert.bind(5, position);
    upsert.exec();
    auto& select =
        impl.Prepare("SELECT checkpoint_id FROM checkpoints WHERE run_id = ?1 AND name = ?2");
    select.bind(1, run_id);
    select.bind(2, name);
    return SingleInt64(select);
  });
}

std::vector<StoredTensor> Catalog::TensorsOfSource(std::int64_t checkpoint_id,
                                                   const std::string& source) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read tensors", [&] {
    auto& select = impl.Prepare(
        "SELECT tensor_id, tensor, files_json, stat_key, content_hash, rows, cols, dtype, status, "
        "error_kind, error_message, attempts FROM tensors WHERE checkpoint_id = ?1 AND source = ?2 "
        "ORDER BY tensor");
    select.bind(1, checkpoint_id);
    select.bind(2, source);
    std::vector<StoredTensor> out;
    while (select.executeStep()) {
      StoredTensor t;
      t.tensor_id = select.getColumn(0).getInt64();
      t.checkpoint_id = checkpoint_id;
      t.source = source;
      t.tensor = select.getColumn(1).getString();
      t.files_json = select.getColumn(2).getString();
      t.stat_key = select.getColumn(3).getString();
      t.content_hash = OptionalText(select.getColumn(4));
      t.rows = OptionalInt(select.getColumn(5));
      t.cols = OptionalInt(select.getColumn(6));
      t.dtype = OptionalText(select.getColumn(7));
      t.status = select.getColumn(8).getString();
      t.error_kind = OptionalText(select.getColumn(9));
      t.error_message = OptionalText(select.getColumn(10));
      t.attempts = select.getColumn(11).getInt64();
      out.push_back(std::move(t));
    }
    return out;
  });
}

void Catalog::ReplaceTensors(std::int64_t checkpoint_id, const std::string& source,
                             const std::vector<StoredTensor>& tensors) {
  auto& impl = database_.impl();
  Guarded(impl.path, "cannot record tensors", [&] {
    const std::string now = NowUtc();
    std::set<std::string> names;
    for (const StoredTensor& t : tensors) {
      names.insert(EscapeInvalidUtf8(t.tensor));  // as stored, to compare with stored names
      auto& upsert = impl.Prepare(
          "INSERT INTO tensors (checkpoint_id, source, tensor, files_json, stat_key, content_hash, "
          "rows, cols, dtype, status, error_kind, error_message, attempts, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
          "ON CONFLICT (checkpoint_id, source, tensor) DO UPDATE SET "
          "files_json = excluded.files_json, stat_key = excluded.stat_key, "
          "content_hash = excluded.content_hash, rows = excluded.rows, cols = excluded.cols, "
          "dtype = excluded.dtype, status = excluded.status, error_kind = excluded.error_kind, "
          "error_message = excluded.error_message, attempts = excluded.attempts, "
          "updated_at = excluded.updated_at");
      upsert.bind(1, checkpoint_id);
      upsert.bind(2, source);
      upsert.bind(3, t.tensor);
      upsert.bind(4, t.files_json);
      upsert.bind(5, t.stat_key);
      BindOptional(upsert, 6, t.content_hash);
      BindOptional(upsert, 7, t.rows);
      BindOptional(upsert, 8, t.cols);
      BindOptional(upsert, 9, t.dtype);
      upsert.bind(10, t.status);
      BindOptional(upsert, 11, t.error_kind);
      BindOptional(upsert, 12, t.error_message);
      upsert.bind(13, t.attempts);
      upsert.bind(14, now);
      upsert.exec();
    }
    for (const StoredTensor& old : TensorsOfSource(checkpoint_id, source)) {
      if (names.count(old.tensor)) continue;
      auto& remove = impl.Prepare("DELETE FROM tensors WHERE tensor_id = ?1");
      remove.bind(1, old.tensor_id);
      remove.exec();
    }
  });
}

std::int64_t Catalog::MarkMissing(
    std::int64_t sweep_id, const std::vector<std::int64_t>& seen_runs,
    const std::vector<std::pair<std::int64_t, std::string>>& seen_sources) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot mark vanished files", [&] {
    auto& db = impl.db;
    db.exec(
        "CREATE TEMP TABLE IF NOT EXISTS seen_runs (run_id INTEGER PRIMARY KEY);"
        "CREATE TEMP TABLE IF NOT EXISTS seen_sources (checkpoint_id INTEGER, source TEXT,"
        " PRIMARY KEY (checkpoint_id, source));"
        "DELETE FROM seen_runs; DELETE FROM seen_sources;");
    for (std::int64_t run_id : seen_runs) {
      auto& insert = impl.Prepare("INSERT OR IGNORE INTO seen_runs VALUES (?1)");
      insert.bind(1, run_id);
      insert.exec();
    }
    for (const auto& [checkpoint_id, source] : seen_sources) {
      auto& insert = impl.Prepare("INSERT OR IGNORE INTO seen_sources VALUES (?1, ?2)");
      insert.bind(1, checkpoint_id);
      insert.bind(2, source);
      insert.exec();
    }
    auto& runs = impl.Prepare(
        "UPDATE runs SET status = 'missing' WHERE sweep_id = ?1 AND status <> 'missing' "
        "AND run_id NOT IN (SELECT run_id FROM seen_runs)");
    runs.bind(1, sweep_id);
    runs.exec();
    auto& tensors = impl.Prepare(
        "UPDATE tensors SET status = 'missing', error_kind = NULL, "
        "error_message = 'file no longer present', updated_at = ?2 "
        "WHERE status <> 'missing' AND checkpoint_id IN (SELECT checkpoint_id FROM checkpoints "
        "JOIN runs USING (run_id) WHERE runs.sweep_id = ?1) "
        "AND NOT EXISTS (SELECT 1 FROM seen_sources s WHERE s.checkpoint_id = "
        "tensors.checkpoint_id "
        "AND s.source = tensors.source)");
    tensors.bind(1, sweep_id);
    tensors.bind(2, NowUtc());
    return static_cast<std::int64_t>(tensors.exec());
  });
}

bool Catalog::HasScore(const std::string& content_hash, const std::string& tensor,
                       const std::string& metric, const std::string& settings_key) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot look up a score", [&] {
    auto& select = impl.Prepare(
        "SELECT 1 FROM scores WHERE content_hash = ?1 AND tensor = ?2 AND metric = ?3 "
        "AND settings_key = ?4");
    select.bind(1, content_hash);
    select.bind(2, tensor);
    select.bind(3, metric);
    select.bind(4, settings_key);
    const bool found = select.executeStep();
    select.reset();  // an active statement would hold a read snapshot; see SingleInt64
    return found;
  });
}

void Catalog::SaveScore(const ScoreRow& s) {
  auto& impl = database_.impl();
  Guarded(impl.path, "cannot store a score", [&] {
    auto& insert = impl.Prepare(
        "INSERT INTO scores (content_hash, tensor, metric, settings_key, value, status, method, "
        "error_bound, rows_used, rows_total, cols, dtype, eps, max_samples, subsample_seed, "
        "algorithm_version, tool_version, seconds, computed_at, r_squared) VALUES (?1, ?2, ?3, "
        "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) "
        "ON CONFLICT (content_hash, tensor, metric, settings_key) DO NOTHING");
    insert.bind(1, s.content_hash);
    insert.bind(2, s.tensor);
    insert.bind(3, s.metric);
    insert.bind(4, s.settings_key);
    BindOptional(insert, 5, s.value);
    insert.bind(6, s.status);
    insert.bind(7, s.method);
    insert.bind(8, s.error_bound);
    insert.bind(9, s.rows_used);
    insert.bind(10, s.rows_total);
    insert.bind(11, s.cols);
    insert.bind(12, s.dtype);
    insert.bind(13, s.eps);
    insert.bind(14, s.max_samples);
    insert.bind(15, static_cast<std::int64_t>(s.subsample_seed));
    insert.bind(16, s.algorithm_version);
    insert.bind(17, s.tool_version);
    insert.bind(18, s.seconds);
    insert.bind(19, NowUtc());
    BindOptional(insert, 20, s.r_squared);
    insert.exec();
  });
}

void Catalog::SaveSpectrum(const SpectrumRow& spectrum) {
  auto& impl = database_.impl();
  Guarded(impl.path, "cannot store a spectrum", [&] {
    auto& insert = impl.Prepare(
        "INSERT INTO spectra (content_hash, tensor, kind, sample_key, count, values_f64) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (content_hash, tensor, kind, sample_key) DO NOTHING");
    insert.bind(1, spectrum.content_hash);
    insert.bind(2, spectrum.tensor);
    insert.bind(3, spectrum.kind);
    insert.bind(4, spectrum.sample_key);
    insert.bind(5, static_cast<std::int64_t>(spectrum.values.size()));
    // little-endian float64 on every supported machine (x86-64, aarch64)
    insert.bind(6, spectrum.values.data(),
                static_cast<int>(spectrum.values.size() * sizeof(double)));
    insert.exec();
  });
}

std::optional<std::vector<double>> Catalog::Spectrum(const std::string& content_hash,
                                                     const std::string& tensor,
                                                     const std::string& kind,
                                                     const std::string& sample_key) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read a spectrum", [&]() -> std::optional<std::vector<double>> {
    auto& select = impl.Prepare(
        "SELECT values_f64 FROM spectra WHERE content_hash = ?1 AND tensor = ?2 AND kind = ?3 "
        "AND sample_key = ?4");
    select.bind(1, content_hash);
    select.bind(2, tensor);
    select.bind(3, kind);
    select.bind(4, sample_key);
    if (!select.executeStep()) return std::nullopt;
    const SQLite::Column blob = select.getColumn(0);
    std::vector<double> values(static_cast<std::size_t>(blob.getBytes()) / sizeof(double));
    std::memcpy(values.data(), blob.getBlob(), values.size() * sizeof(double));
    select.reset();
    return values;
  });
}

}  // namespace rankme::store
