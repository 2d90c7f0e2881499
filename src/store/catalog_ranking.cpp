// The reads that ranking and validation start from, and the writes of label-based numbers.
#include <fmt/format.h>

#include "rankme/core/metric_catalog.h"
#include "rankme/store/catalog.h"
#include "store/database_internal.h"
#include "store/raw_statement.h"

namespace rankme::store {

namespace {

constexpr std::string_view kViewsSuffix = "_views";

// Scores of a views metric (LiDAR) are stored under the views tensor, `<name>_views`, and read
// as scores of `<name>`: ranking by LiDAR of embeddings reads embeddings_views.
bool ReadsViews(const std::string& metric) {
  const MetricInfo* info = FindMetric(metric);
  return info != nullptr && info->source == MetricSource::kViews;
}

std::string StoredTensorName(const std::string& metric, const std::string& tensor) {
  return ReadsViews(metric) ? tensor + std::string(kViewsSuffix) : tensor;
}

std::string ReportedTensor(const std::string& metric, std::string stored) {
  if (ReadsViews(metric) && stored.ends_with(kViewsSuffix)) {
    stored.resize(stored.size() - kViewsSuffix.size());
  }
  return stored;
}

}  // namespace

std::map<std::string, std::int64_t> Catalog::ScoredTensors(const std::string& metric) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read scores", [&] {
    std::map<std::string, std::int64_t> out;
    auto& select =
        impl.Prepare("SELECT tensor, count(*) FROM scores WHERE metric = ?1 GROUP BY tensor");
    select.bind(1, metric);
    while (select.executeStep()) {
      out[ReportedTensor(metric, select.getColumn(0).getString())] = select.getColumn(1).getInt64();
    }
    return out;
  });
}

std::vector<std::string> Catalog::ScoredTensorNames(const std::string& metric) {
  if (database_.schema_version() < 3) {
    std::vector<std::string> names;
    for (const auto& [name, count] : ScoredTensors(metric)) names.push_back(name);
    return names;
  }
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read scores", [&] {
    std::vector<std::string> names;
    // One search of scores_for_ranking (metric, tensor, ...) per name: the next name after the
    // last one found.
    auto& select = impl.Prepare(
        "WITH RECURSIVE names(tensor) AS ("
        "SELECT (SELECT min(tensor) FROM scores WHERE metric = ?1) UNION ALL "
        "SELECT (SELECT min(tensor) FROM scores WHERE metric = ?1 AND tensor > names.tensor) "
        "FROM names WHERE names.tensor IS NOT NULL) "
        "SELECT tensor FROM names WHERE tensor IS NOT NULL");
    select.bind(1, metric);
    while (select.executeStep()) {
      names.push_back(ReportedTensor(metric, select.getColumn(0).getString()));
    }
    return names;
  });
}

std::vector<std::string> Catalog::ScoredMetrics() {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read scores", [&] {
    std::vector<std::string> names;
    auto& select = impl.Prepare("SELECT DISTINCT metric FROM scores ORDER BY metric");
    while (select.executeStep()) names.push_back(select.getColumn(0).getString());
    return names;
  });
}

namespace {

// Schemas 1-3: the tensors of one name (with their checkpoints) and the scores of one metric
// and tensor, each read in one pass in content order and merged, so that no score is searched
// for row by row. The indexes of schema 3 make both passes index-only.
void VisitJoinedScores(SQLite::Database& db, const std::string& metric, const std::string& tensor,
                       const std::function<void(const RankingScoreView&)>& visit) {
  // Both in content order: the index tensors_for_ranking gives the ok tensors of one name by
  // content_hash (then checkpoint_id), scores_for_ranking the scores of one metric and tensor
  // by content_hash (then settings_key).
  RawStatement tensors = RawStatement::Prepare(
      db,
      "SELECT t.content_hash, c.run_id, c.checkpoint_id, c.name, c.step, c.epoch, c.position "
      "FROM tensors t JOIN checkpoints c USING (checkpoint_id) "
      "WHERE t.tensor = ?1 AND t.status = 'ok' AND t.content_hash IS NOT NULL "
      "ORDER BY t.content_hash, t.checkpoint_id");
  tensors.Bind(1, tensor);
  RawStatement scores = RawStatement::Prepare(
      db,
      "SELECT content_hash, settings_key, value, status = 'degenerate', rows_used, cols "
      "FROM scores "
      "WHERE metric = ?1 AND tensor = ?2 ORDER BY content_hash, settings_key");
  scores.Bind(1, metric);
  scores.Bind(2, tensor);

  // The scores of one content (usually one; one per settings), kept while every tensor row of
  // that content is joined with them. Entries are reused to keep their buffers.
  struct Score {
    std::string settings_key;
    std::optional<double> value;
    bool degenerate = false;
    std::int64_t rows_used = 0, cols = 0;
  };
  std::vector<Score> group;
  std::string hash;
  // Each row's content_hash, read once per row (valid until that statement's next step).
  std::string_view tensor_hash, score_hash;
  auto next_tensor = [&] {
    const bool row = tensors.Step();
    tensor_hash = row ? tensors.Text(0) : std::string_view();
    return row;
  };
  auto next_score = [&] {
    const bool row = scores.Step();
    score_hash = row ? scores.Text(0) : std::string_view();
    return row;
  };
  bool tensor_row = next_tensor();
  bool score_row = next_score();
  while (tensor_row && score_row) {
    const int order = tensor_hash.compare(score_hash);
    if (order < 0) {
      tensor_row = next_tensor();
      continue;
    }
    if (order > 0) {
      score_row = next_score();
      continue;
    }
    hash.assign(score_hash);
    std::size_t count = 0;
    do {
      if (group.size() == count) group.emplace_back();
      Score& score = group[count++];
      score.settings_key.assign(scores.Text(1));
      score.value = scores.OptionalDouble(2);
      score.degenerate = scores.Int64(3) != 0;
      score.rows_used = scores.Int64(4);
      score.cols = scores.Int64(5);
      score_row = next_score();
    } while (score_row && score_hash == hash);
    do {
      RankingScoreView view;
      view.run_id = tensors.Int64(1);
      view.checkpoint_id = tensors.Int64(2);
      view.checkpoint = tensors.Text(3);
      view.step = tensors.OptionalInt64(4);
      view.epoch = tensors.OptionalInt64(5);
      view.position = tensors.Int64(6);
      for (std::size_t i = 0; i < count; ++i) {
        view.settings_key = group[i].settings_key;
        view.value = group[i].value;
        view.degenerate = group[i].degenerate;
        view.rows_used = group[i].rows_used;
        view.cols = group[i].cols;
        visit(view);
      }
      tensor_row = next_tensor();
    } while (tensor_row && tensor_hash == hash);
  }
}

// Schema 4 on: one pass over ranking_points, which the triggers of migration 0004 keep equal to
// that join. Its rows name their settings, rows used and D by score_settings id; a degenerate
// score is the one without a value.
void VisitRankingPoints(SQLite::Database& db, const std::string& path, const std::string& metric,
                        const std::string& tensor,
                        const std::function<void(const RankingScoreView&)>& visit) {
  struct Setup {
    std::string settings_key;
    std::int64_t rows_used = 0, cols = 0;
    bool known = false;
  };
  std::vector<Setup> setups;  // by settings_id (a handful)
  RawStatement select_setups = RawStatement::Prepare(
      db, "SELECT settings_id, settings_key, rows_used, cols FROM score_settings");
  while (select_setups.Step()) {
    const std::int64_t id = select_setups.Int64(0);
    if (id < 0 || id > 1'000'000) {
      throw StoreError(fmt::format("score_settings holds settings id {}, out of range", id), path);
    }
    if (setups.size() <= static_cast<std::size_t>(id)) setups.resize(id + 1);
    setups[id] = {std::string(select_setups.Text(1)), select_setups.Int64(2),
                  select_setups.Int64(3), true};
  }
  RawStatement points = RawStatement::Prepare(
      db,
      "SELECT run_id, checkpoint_id, name, step, epoch, position, settings_id, value "
      "FROM ranking_points WHERE metric = ?1 AND tensor = ?2");
  points.Bind(1, metric);
  points.Bind(2, tensor);
  RankingScoreView view;
  while (points.Step()) {
    view.run_id = points.Int64(0);
    view.checkpoint_id = points.Int64(1);
    view.checkpoint = points.Text(2);
    view.step = points.OptionalInt64(3);
    view.epoch = points.OptionalInt64(4);
    view.position = points.Int64(5);
    const std::int64_t id = points.Int64(6);
    if (id < 0 || static_cast<std::size_t>(id) >= setups.size() || !setups[id].known) {
      throw StoreError(fmt::format("inconsistent database: ranking_points names settings id {}, "
                                   "which score_settings lacks",
                                   id),
                       path);
    }
    const Setup& setup = setups[id];
    view.settings_key = setup.settings_key;
    view.rows_used = setup.rows_used;
    view.cols = setup.cols;
    view.value = points.OptionalDouble(7);
    view.degenerate = !view.value;
    visit(view);
  }
}

}  // namespace

void Catalog::VisitRankingScores(const std::string& metric, const std::string& tensor,
                                 const std::function<void(const RankingScoreView&)>& visit) {
  auto& impl = database_.impl();
  Guarded(impl.path, "cannot read scores", [&] {
    const std::string stored = StoredTensorName(metric, tensor);
    if (database_.schema_version() >= 4) {
      VisitRankingPoints(impl.db, impl.path, metric, stored, visit);
    } else {
      VisitJoinedScores(impl.db, metric, stored, visit);
    }
  });
}

std::int64_t Catalog::TensorRowsBound() {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read tensors", [&] {
    auto& select = impl.Prepare("SELECT ifnull(max(tensor_id), 0) FROM tensors");
    select.executeStep();
    const std::int64_t bound = select.getColumn(0).getInt64();
    select.reset();  // no read snapshot left open (see SingleInt64 in catalog.cpp)
    return bound;
  });
}

std::map<std::int64_t, std::string> Catalog::TensorFiles(
    const std::string& tensor, const std::vector<std::int64_t>& checkpoint_ids) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read files", [&] {
    std::map<std::int64_t, std::string> out;
    for (std::int64_t id : checkpoint_ids) {
      // The unary + keep SQLite off tensors_for_ranking (tensor, status, ...), which it would
      // otherwise prefer and scan every row of the tensor through: the checkpoint's few rows
      // are found by the UNIQUE (checkpoint_id, source, tensor) index. Of several sources, the
      // first by content (as that index scan gave it).
      auto& select = impl.Prepare(
          "SELECT files_json FROM tensors WHERE checkpoint_id = ?1 AND +tensor = ?2 "
          "AND +status = 'ok' ORDER BY content_hash LIMIT 1");
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
