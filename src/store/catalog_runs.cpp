// Per-run reads of Catalog, for `rankme runs` and `rankme show`.
#include "rankme/store/catalog.h"
#include "store/database_internal.h"

namespace rankme::store {

std::vector<RunUpsert::Param> Catalog::Params(std::int64_t run_id) {
  auto& impl = database_.impl();
  return Guarded(impl.path, "cannot read a run's config", [&] {
    std::vector<RunUpsert::Param> params;
    auto& select =
        impl.Prepare("SELECT key, value_json, role FROM params WHERE run_id = ?1 ORDER BY key");
    select.bind(1, run_id);
    while (select.executeStep()) {
      params.push_back({select.getColumn(0).getString(), select.getColumn(1).getString(),
                        select.getColumn(2).getString()});
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
