// Runs of Catalog: their writes (with their configuration and params) and reads, for ingest,
// `rankme runs`, `rankme show` and ranking.
#include "rankme/store/catalog.h"
#include "store/database_internal.h"

namespace rankme::store {

std::int64_t Catalog::UpsertRun(std::int64_t sweep_id, const RunUpsert& run) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot record a run", [&] {
    const std::string now = NowUtc();
    auto& config = impl.Prepare(
        "INSERT INTO configurations (config_id, config_key) VALUES (?1, ?2) "
        "ON CONFLICT DO NOTHING");
    config.bind(1, run.config_id);
    config.bind(2, run.config_key);
    config.exec();

    auto& upsert = impl.Prepare(
        "INSERT INTO runs (sweep_id, path, name, layout, config_id, seed, config_json, status, "
        "first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'present', ?8, ?8) "
        "ON CONFLICT (path) DO UPDATE SET sweep_id = excluded.sweep_id, name = excluded.name, "
        "layout = excluded.layout, config_id = excluded.config_id, seed = excluded.seed, "
        "config_json = excluded.config_json, status = 'present', "
        "last_seen_at = excluded.last_seen_at");
    upsert.bind(1, sweep_id);
    upsert.bind(2, run.path);
    upsert.bind(3, run.name);
    upsert.bind(4, run.layout);
    upsert.bind(5, run.config_id);
    BindOptional(upsert, 6, run.seed);
    upsert.bind(7, run.config_json);
    upsert.bind(8, now);
    upsert.exec();

    auto& select = impl.Prepare("SELECT run_id FROM runs WHERE path = ?1");
    select.bind(1, run.path);
    const std::int64_t run_id = SingleInt64(select);

    auto& clear = impl.Prepare("DELETE FROM params WHERE run_id = ?1");
    clear.bind(1, run_id);
    clear.exec();
    for (const auto& param : run.params) {
      auto& insert = impl.Prepare(
          "INSERT INTO params (run_id, key, value_json, role, name, swept) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      insert.bind(1, run_id);
      insert.bind(2, param.key);
      insert.bind(3, param.value_json);
      insert.bind(4, param.role);
      insert.bind(5, param.name.empty() ? param.key : param.name);
      insert.bind(6, param.swept ? 1 : 0);
      insert.exec();
    }
    return run_id;
  });
}

std::int64_t Catalog::DeleteUnusedConfigurations() {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot delete unused configurations", [&] {
    auto& remove = impl.Prepare(
        "DELETE FROM configurations WHERE NOT EXISTS "
        "(SELECT 1 FROM runs r WHERE r.config_id = configurations.config_id)");
    return static_cast<std::int64_t>(remove.exec());
  });
}

namespace {

// Every run's hyperparameters as params holds them, by name (before schema 6, by key), into the
// runs of `by_id`.
void ReadHyperparameters(Database::Impl& impl, int schema_version,
                         const std::map<std::int64_t, RunRecord*>& by_id) {
  auto& select =
      impl.Prepare(schema_version >= 6 ? "SELECT run_id, key, name, value_json FROM params "
                                         "WHERE role = 'hyperparameter'"
                                       : "SELECT run_id, key, key, value_json FROM params "
                                         "WHERE role = 'hyperparameter'");
  while (select.executeStep()) {
    const auto it = by_id.find(select.getColumn(0).getInt64());
    if (it == by_id.end()) continue;
    std::string key = select.getColumn(1).getString();
    std::string name = select.getColumn(2).getString();
    it->second->hyperparameters[name] = select.getColumn(3).getString();
    if (key != name) it->second->written_keys.emplace(std::move(key), std::move(name));
  }
}

}  // namespace

std::vector<RunRecord> Catalog::Runs() {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot list runs", [&] {
    std::vector<RunRecord> runs;
    auto& select = impl.Prepare(
        "SELECT r.run_id, r.path, r.name, s.root, r.layout, r.config_id, c.config_key, r.seed, "
        "r.status FROM runs r JOIN sweeps s USING (sweep_id) JOIN configurations c "
        "USING (config_id) ORDER BY r.config_id, r.name");
    while (select.executeStep()) {
      RunRecord run;
      run.run_id = select.getColumn(0).getInt64();
      run.path = select.getColumn(1).getString();
      run.name = select.getColumn(2).getString();
      run.sweep_root = select.getColumn(3).getString();
      run.layout = select.getColumn(4).getString();
      run.config_id = select.getColumn(5).getString();
      run.config_key = select.getColumn(6).getString();
      run.seed = OptionalText(select.getColumn(7));
      run.status = select.getColumn(8).getString();
      runs.push_back(std::move(run));
    }
    std::map<std::int64_t, RunRecord*> by_id;
    for (RunRecord& run : runs) by_id[run.run_id] = &run;
    ReadHyperparameters(impl, database_.schema_version(), by_id);
    return runs;
  });
}

std::vector<RunUpsert::Param> Catalog::Params(std::int64_t run_id) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read a run's config", [&] {
    std::vector<RunUpsert::Param> params;
    auto& select = impl.Prepare(database_.schema_version() >= 6
                                    ? "SELECT key, value_json, role, name, swept FROM params "
                                      "WHERE run_id = ?1 ORDER BY key"
                                    : "SELECT key, value_json, role, key, 0 FROM params "
                                      "WHERE run_id = ?1 ORDER BY key");
    select.bind(1, run_id);
    while (select.executeStep()) {
      params.push_back({select.getColumn(0).getString(), select.getColumn(1).getString(),
                        select.getColumn(2).getString(), select.getColumn(3).getString(),
                        select.getColumn(4).getInt() != 0});
    }
    return params;
  });
}

std::map<std::int64_t, std::int64_t> Catalog::CheckpointCounts() {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot count checkpoints", [&] {
    std::map<std::int64_t, std::int64_t> counts;
    auto& select = impl.Prepare("SELECT run_id, count(*) FROM checkpoints GROUP BY run_id");
    while (select.executeStep()) {
      counts[select.getColumn(0).getInt64()] = select.getColumn(1).getInt64();
    }
    return counts;
  });
}

}  // namespace rankme::store
