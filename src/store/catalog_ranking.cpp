// The reads that ranking and validation start from, and the writes of label-based numbers.
#include "rankme/store/catalog.h"
#include "store/database_internal.h"

namespace rankme::store {

std::map<std::string, std::int64_t> Catalog::ScoredTensors(const std::string& metric) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read scores", [&] {
    std::map<std::string, std::int64_t> out;
    auto& select =
        impl.Prepare("SELECT tensor, count(*) FROM scores WHERE metric = ?1 GROUP BY tensor");
    select.bind(1, metric);
    while (select.executeStep()) {
      out[select.getColumn(0).getString()] = select.getColumn(1).getInt64();
    }
    return out;
  });
}

std::vector<CheckpointScore> Catalog::MetricScores(const std::string& metric,
                                                   const std::string& tensor) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read scores", [&] {
    std::vector<CheckpointScore> scores;
    // Tensors are scanned once; each finds its score through the UNIQUE (content_hash, tensor,
    // metric, settings_key) index and its checkpoint by primary key.
    const std::string sql =
        "SELECT c.run_id, c.checkpoint_id, c.name, c.step, c.epoch, c.position, t.tensor, "
        "s.value, s.status, s.rows_used, s.cols, s.settings_key "
        "FROM tensors t JOIN checkpoints c USING (checkpoint_id) "
        "JOIN scores s ON s.content_hash = t.content_hash AND s.tensor = t.tensor "
        "AND s.metric = ?1 WHERE t.status = 'ok'";
    // Two statements, so that the one for a tensor searches the tensors_for_ranking index.
    auto& select = impl.Prepare(tensor.empty() ? sql : sql + " AND t.tensor = ?2");
    select.bind(1, metric);
    if (!tensor.empty()) select.bind(2, tensor);
    while (select.executeStep()) {
      CheckpointScore s;
      s.run_id = select.getColumn(0).getInt64();
      s.checkpoint_id = select.getColumn(1).getInt64();
      s.checkpoint = select.getColumn(2).getString();
      s.step = OptionalInt(select.getColumn(3));
      s.epoch = OptionalInt(select.getColumn(4));
      s.position = select.getColumn(5).getInt64();
      s.tensor = select.getColumn(6).getString();
      s.metric = metric;
      if (!select.getColumn(7).isNull()) s.value = select.getColumn(7).getDouble();
      s.status = select.getColumn(8).getString();
      s.rows_used = select.getColumn(9).getInt64();
      s.cols = select.getColumn(10).getInt64();
      s.settings_key = select.getColumn(11).getString();
      scores.push_back(std::move(s));
    }
    return scores;
  });
}

std::map<std::int64_t, std::string> Catalog::TensorFiles(
    const std::string& tensor, const std::vector<std::int64_t>& checkpoint_ids) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read files", [&] {
    std::map<std::int64_t, std::string> out;
    for (std::int64_t id : checkpoint_ids) {
      auto& select = impl.Prepare(
          "SELECT files_json FROM tensors WHERE checkpoint_id = ?1 AND tensor = ?2 "
          "AND status = 'ok' LIMIT 1");
      select.bind(1, id);
      select.bind(2, tensor);
      if (select.executeStep()) out[id] = select.getColumn(0).getString();
      select.reset();  // no read snapshot left open (see SingleInt64 in catalog.cpp)
    }
    return out;
  });
}

std::vector<UnscoredTensor> Catalog::UnscoredTensors() {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read failures", [&] {
    std::vector<UnscoredTensor> out;
    auto& select = impl.Prepare(
        "SELECT c.run_id, c.checkpoint_id, c.name, c.step, c.epoch, c.position, t.tensor, "
        "t.status, coalesce(t.error_kind, ''), coalesce(t.error_message, '') "
        "FROM tensors t JOIN checkpoints c USING (checkpoint_id) WHERE t.status <> 'ok'");
    while (select.executeStep()) {
      UnscoredTensor u;
      u.run_id = select.getColumn(0).getInt64();
      u.checkpoint_id = select.getColumn(1).getInt64();
      u.checkpoint = select.getColumn(2).getString();
      u.step = OptionalInt(select.getColumn(3));
      u.epoch = OptionalInt(select.getColumn(4));
      u.position = select.getColumn(5).getInt64();
      u.tensor = select.getColumn(6).getString();
      u.status = select.getColumn(7).getString();
      u.kind = select.getColumn(8).getString();
      u.message = select.getColumn(9).getString();
      out.push_back(std::move(u));
    }
    return out;
  });
}

std::vector<CheckpointRecord> Catalog::Checkpoints() {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read checkpoints", [&] {
    std::vector<CheckpointRecord> out;
    auto& select =
        impl.Prepare("SELECT checkpoint_id, run_id, name, step, epoch, position FROM checkpoints");
    while (select.executeStep()) {
      CheckpointRecord c;
      c.checkpoint_id = select.getColumn(0).getInt64();
      c.run_id = select.getColumn(1).getInt64();
      c.name = select.getColumn(2).getString();
      c.step = OptionalInt(select.getColumn(3));
      c.epoch = OptionalInt(select.getColumn(4));
      c.position = select.getColumn(5).getInt64();
      out.push_back(std::move(c));
    }
    return out;
  });
}

void Catalog::SaveLabels(const std::vector<LabelValue>& labels) {
  auto& impl = database_.impl();
  Guarded(impl.path, "cannot store labels", [&] {
    const std::string now = NowUtc();
    for (const LabelValue& label : labels) {
      auto& upsert = impl.Prepare(
          "INSERT INTO labels (run_id, checkpoint_id, name, value, source, imported_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
          "ON CONFLICT (run_id, ifnull(checkpoint_id, 0), name) DO UPDATE SET "
          "value = excluded.value, source = excluded.source, imported_at = excluded.imported_at");
      upsert.bind(1, label.run_id);
      if (label.checkpoint_id) {
        upsert.bind(2, *label.checkpoint_id);
      } else {
        upsert.bind(2);
      }
      upsert.bind(3, label.name);
      upsert.bind(4, label.value);
      upsert.bind(5, label.source);
      upsert.bind(6, now);
      upsert.exec();
    }
  });
}

std::vector<LabelValue> Catalog::Labels(const std::string& name) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read labels", [&] {
    std::vector<LabelValue> out;
    if (database_.schema_version() < 2) return out;
    auto& select = impl.Prepare(
        "SELECT run_id, checkpoint_id, name, value, source FROM labels "
        "WHERE (?1 = '' OR name = ?1) ORDER BY label_id");
    select.bind(1, name);
    while (select.executeStep()) {
      LabelValue l;
      l.run_id = select.getColumn(0).getInt64();
      l.checkpoint_id = OptionalInt(select.getColumn(1));
      l.name = select.getColumn(2).getString();
      l.value = select.getColumn(3).getDouble();
      l.source = select.getColumn(4).getString();
      out.push_back(std::move(l));
    }
    return out;
  });
}

}  // namespace rankme::store
