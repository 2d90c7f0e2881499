// The read side of Catalog: the scores and failures `runs`, `show`, `best` and `leaderboard`
// start from.
#include "rankme/store/catalog.h"
#include "store/database_internal.h"

namespace rankme::store {

std::vector<CheckpointScore> Catalog::Scores(const std::string& metric) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read scores", [&] {
    std::vector<CheckpointScore> scores;
    auto& select = impl.Prepare(
        "SELECT run_id, run, config_id, seed, checkpoint_id, checkpoint, step, epoch, position, "
        "tensor, metric, value, status, method, rows_used, cols, dtype, settings_key, files "
        "FROM checkpoint_scores WHERE (?1 = '' OR metric = ?1) "
        "ORDER BY run, position, tensor, settings_key");
    select.bind(1, metric);
    while (select.executeStep()) {
      CheckpointScore s;
      s.run_id = select.getColumn(0).getInt64();
      s.run = select.getColumn(1).getString();
      s.config_id = select.getColumn(2).getString();
      s.seed = OptionalText(select.getColumn(3));
      s.checkpoint_id = select.getColumn(4).getInt64();
      s.checkpoint = select.getColumn(5).getString();
      s.step = OptionalInt(select.getColumn(6));
      s.epoch = OptionalInt(select.getColumn(7));
      s.position = select.getColumn(8).getInt64();
      s.tensor = select.getColumn(9).getString();
      s.metric = select.getColumn(10).getString();
      if (!select.getColumn(11).isNull()) s.value = select.getColumn(11).getDouble();
      s.status = select.getColumn(12).getString();
      s.method = select.getColumn(13).getString();
      s.rows_used = select.getColumn(14).getInt64();
      s.cols = select.getColumn(15).getInt64();
      s.dtype = select.getColumn(16).getString();
      s.settings_key = select.getColumn(17).getString();
      s.files = select.getColumn(18).getString();
      scores.push_back(std::move(s));
    }
    return scores;
  });
}

std::vector<TensorFailure> Catalog::Failures() {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read failures", [&] {
    std::vector<TensorFailure> failures;
    auto& select = impl.Prepare(
        "SELECT r.run_id, r.name, c.name, t.tensor, t.files_json, t.status, "
        "coalesce(t.error_kind, ''), coalesce(t.error_message, ''), t.attempts "
        "FROM tensors t JOIN checkpoints c USING (checkpoint_id) JOIN runs r USING (run_id) "
        "WHERE t.status <> 'ok' ORDER BY r.name, c.position, t.tensor");
    while (select.executeStep()) {
      TensorFailure f;
      f.run_id = select.getColumn(0).getInt64();
      f.run = select.getColumn(1).getString();
      f.checkpoint = select.getColumn(2).getString();
      f.tensor = select.getColumn(3).getString();
      f.files = select.getColumn(4).getString();
      f.status = select.getColumn(5).getString();
      f.kind = select.getColumn(6).getString();
      f.message = select.getColumn(7).getString();
      f.attempts = select.getColumn(8).getInt64();
      failures.push_back(std::move(f));
    }
    return failures;
  });
}

}  // namespace rankme::store
