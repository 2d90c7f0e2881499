#include "rankme/app/ingest.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "app/ingest_internal.h"
#include "app/json_text_internal.h"
#include "rankme/core/error.h"
#include "rankme/core/utf8_text.h"
#include "rankme/discovery/config_key.h"
#include "rankme/io/content_hash.h"
#include "rankme/metrics/blas_runtime.h"
#include "rankme/store/catalog.h"

namespace rankme::app {

namespace {

using Clock = std::chrono::steady_clock;

// How often the writer asks the observer whether to stop while no outcome arrives.
constexpr auto kStopPoll = std::chrono::milliseconds(100);

// The run as discovery decided it: roles and names are recorded, never worked out again here.
store::RunUpsert ToRunUpsert(const discovery::DiscoveredRun& run) {
  store::RunUpsert upsert;
  upsert.path = run.dir;
  upsert.name = run.relative_dir.empty() ? "." : run.relative_dir;
  upsert.layout = run.layout;
  upsert.config_id = run.config_id;
  upsert.config_key = run.config_key;
  upsert.seed = run.seed;
  upsert.config_json = discovery::ConfigKey(run.params);  // every key as written, valid JSON
  for (const auto& entry : run.entries) {
    upsert.params.push_back(
        {entry.key, entry.value.json, std::string(RoleName(entry.role)), entry.name, entry.swept});
  }
  return upsert;
}

// A source needs no reading when its files have the stat seen last time, every row of it is
// ok, and every selected tensor already has a score with these settings.
bool IsUnchanged(const std::vector<store::StoredTensor>& rows, const std::string& stat_key,
                 const IngestOptions& options, store::Catalog& catalog) {
  if (rows.empty()) return false;
  for (const auto& row : rows) {
    if (row.status != "ok" || row.stat_key != stat_key || !row.content_hash) return false;
    // Stored names are escaped (EscapeInvalidUtf8); so are the asked ones before comparing.
    const bool selected =
        options.tensors.empty() ||
        std::any_of(options.tensors.begin(), options.tensors.end(), [&](const std::string& asked) {
          return EscapeInvalidUtf8(asked) == row.tensor;
        });
    if (selected && !ScoresStored(catalog, *row.content_hash, row.tensor, options.rankme)) {
      return false;
    }
  }
  return true;
}

// Work shared by the scoring workers and the writer: a fixed list handed out by index, and a
// queue of outcomes drained by the writer (the calling thread).
struct Pipeline {
  std::vector<IngestWork> work;
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::pair<std::size_t, IngestOutcome>> outcomes;
  std::size_t finished_workers = 0;
  std::exception_ptr error;  ///< first failure of a worker or the writer
};

void Write(store::Catalog& catalog, const IngestWork& work, const IngestOutcome& outcome) {
  for (const auto& score : outcome.scores) catalog.SaveScore(score);
  for (const auto& spectrum : outcome.spectra) catalog.SaveSpectrum(spectrum);
  catalog.ReplaceTensors(work.checkpoint_id, work.source, outcome.tensors);
}

void Count(IngestSummary& summary, const IngestWork& work, const IngestOutcome& outcome) {
  // A matrix counts once (its RankMe stands for its spectrum metrics), a views tensor once.
  for (const auto& score : outcome.scores) {
    if (score.metric != "rankme" && score.metric != "lidar") continue;
    ++summary.scored;
    ++summary.scored_by_method[score.method];
  }
  for (const auto& warning : outcome.warnings)
    summary.warnings.push_back(work.label + "#" + warning);
  summary.reused += outcome.reused;
  if (outcome.read) ++summary.files_read;
  if (outcome.kind == "touched") ++summary.touched;
  if (outcome.kind == "failed") ++summary.failed;
  if (outcome.kind == "not_ready") ++summary.not_ready;
  for (const auto& t : outcome.tensors) {
    if (t.status != "ok") {
      summary.warnings.push_back(work.label + (t.tensor.empty() ? "" : "#" + t.tensor) + ": " +
                                 t.status + ": " + t.error_message.value_or(""));
    }
  }
}

}  // namespace

IngestSummary Ingest(const IngestOptions& options, IngestObserver* observer) {
  const auto start = Clock::now();
  IngestSummary summary;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int jobs = options.jobs > 0 ? options.jobs : cores;
  // BLAS threads × workers never exceed the cores.
  metrics::SetBlasThreads(std::max(1, cores / jobs));

  store::Database db = store::Database::Open(options.db_path);
  store::Catalog catalog(db);
  std::set<std::string> configurations;
  std::set<std::string> tensors_seen;  // every tensor name of every file group, as stored

  for (const std::string& root : options.roots) {
    const discovery::Sweep sweep = discovery::DiscoverSweep(root, options.discovery);
    ++summary.sweeps;
    for (const auto& warning : sweep.warnings) summary.warnings.push_back(warning);
    for (const auto& note : sweep.notes) summary.notes.push_back(sweep.root + ": " + note);

    Pipeline pipeline;
    std::int64_t sweep_id = 0;
    std::vector<std::int64_t> seen_runs;
    std::vector<std::pair<std::int64_t, std::string>> seen_sources;
    std::int64_t unchanged_here = 0;
    {
      store::WriteTransaction transaction(db);
      sweep_id = catalog.UpsertSweep(sweep.root);
      for (const auto& run : sweep.runs) {
        for (const auto& warning : run.warnings)
          summary.warnings.push_back(run.dir + ": " + warning);
        const std::int64_t run_id = catalog.UpsertRun(sweep_id, ToRunUpsert(run));
        seen_runs.push_back(run_id);
        configurations.insert(run.config_id);
        ++summary.runs;
        for (std::size_t position = 0; position < run.checkpoints.size(); ++position) {
          const auto& checkpoint = run.checkpoints[position];
          const std::int64_t checkpoint_id =
              catalog.UpsertCheckpoint(run_id, checkpoint.name, checkpoint.step, checkpoint.epoch,
                                       static_cast<std::int64_t>(position));
          ++summary.checkpoints;
          for (const auto& file : checkpoint.files) {
            IngestWork work;
            work.checkpoint_id = checkpoint_id;
            work.paths = file.paths;
            work.source = internal::JsonNameList(file.paths);
            work.tensor_hint = file.tensor;
            work.incomplete = file.incomplete;
            work.label =
                (run.relative_dir.empty() ? "." : run.relative_dir) + "/" + checkpoint.name;
            work.previous = catalog.TensorsOfSource(checkpoint_id, work.source);
            seen_sources.emplace_back(checkpoint_id, work.source);
            ++summary.sources;
            std::string stat_key;
            try {
              stat_key = io::StatKey(work.paths);
            } catch (const Error&) {
              // vanished since discovery: the worker records why
            }
            for (const auto& row : work.previous)
              tensors_seen.insert(EscapeInvalidUtf8(row.tensor));
            if (!stat_key.empty() && IsUnchanged(work.previous, stat_key, options, catalog)) {
              ++unchanged_here;
              continue;
            }
            pipeline.work.push_back(std::move(work));
          }
        }
      }
      // A run whose configuration changed (re-keyed by a new naming) leaves its old one behind.
      catalog.DeleteUnusedConfigurations();
      transaction.Commit();
    }
    summary.unchanged += unchanged_here;
    const auto total = static_cast<std::int64_t>(pipeline.work.size());
    if (observer) observer->OnPlan(sweep.root, total, unchanged_here);
    if (observer != nullptr && observer->StopRequested()) {
      summary.stopped = true;
      break;
    }

    // Workers score; this thread writes, committing the outcomes gathered so far each time.
    const int workers = static_cast<int>(std::min<std::size_t>(jobs, pipeline.work.size()));
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&pipeline, &options] {
        try {
          store::Database reader = store::Database::Open(
              options.db_path, {.create = false, .migrate = false, .read_only = true});
          store::Catalog worker_catalog(reader);
          for (std::size_t i; (i = pipeline.next.fetch_add(1)) < pipeline.work.size();) {
            IngestOutcome outcome = ProcessWork(pipeline.work[i], options, worker_catalog);
            std::lock_guard lock(pipeline.mutex);
            pipeline.outcomes.emplace_back(i, std::move(outcome));
            pipeline.ready.notify_one();
          }
        } catch (...) {
          std::lock_guard lock(pipeline.mutex);
          if (!pipeline.error) pipeline.error = std::current_exception();
          pipeline.next = pipeline.work.size();
        }
        std::lock_guard lock(pipeline.mutex);
        ++pipeline.finished_workers;
        pipeline.ready.notify_one();
      });
    }
    std::int64_t done = 0;
    // Asks the observer whether to stop; once it says so, no worker takes new work.
    const auto poll_stop = [&] {
      if (summary.stopped || observer == nullptr || !observer->StopRequested()) return;
      summary.stopped = true;
      pipeline.next = pipeline.work.size();
    };
    while (true) {
      std::deque<std::pair<std::size_t, IngestOutcome>> batch;
      {
        std::unique_lock lock(pipeline.mutex);
        const auto news = [&] {
          return !pipeline.outcomes.empty() || pipeline.finished_workers == threads.size();
        };
        while (!summary.stopped && !pipeline.ready.wait_for(lock, kStopPoll, news)) {
          lock.unlock();  // the observer may take locks of its own (Python's GIL)
          poll_stop();
          lock.lock();
        }
        pipeline.ready.wait(lock, news);
        if (pipeline.outcomes.empty()) break;  // every worker finished and all is written
        batch.swap(pipeline.outcomes);
      }
      try {
        store::WriteTransaction transaction(db);
        for (const auto& [index, outcome] : batch) Write(catalog, pipeline.work[index], outcome);
        transaction.Commit();
      } catch (...) {
        std::lock_guard lock(pipeline.mutex);
        if (!pipeline.error) pipeline.error = std::current_exception();
        pipeline.next = pipeline.work.size();  // stop handing out work
        break;
      }
      for (const auto& [index, outcome] : batch) {
        for (const auto& row : outcome.tensors) tensors_seen.insert(EscapeInvalidUtf8(row.tensor));
        Count(summary, pipeline.work[index], outcome);
        ++done;
        if (observer) observer->OnSource(done, total, pipeline.work[index].label, outcome.kind);
      }
      poll_stop();
    }
    for (auto& thread : threads) thread.join();
    if (pipeline.error) std::rethrow_exception(pipeline.error);
    if (summary.stopped) break;  // sources not read keep their rows; the next ingest sees them

    store::WriteTransaction transaction(db);
    summary.missing += catalog.MarkMissing(sweep_id, seen_runs, seen_sources);
    transaction.Commit();
  }
  // A --tensor name that no file holds scores nothing: say so rather than finish silently.
  tensors_seen.erase("");
  for (const std::string& asked : options.tensors) {
    // Stopped: not every tensor was seen.
    if (summary.stopped || tensors_seen.count(EscapeInvalidUtf8(asked)) > 0) continue;
    std::string seen;
    for (const std::string& name : tensors_seen) seen += (seen.empty() ? "" : ", ") + name;
    summary.warnings.push_back("--tensor " + asked +
                               ": no file of the sweep holds a tensor of "
                               "that name (tensors found: " +
                               (seen.empty() ? "none" : seen) + ")");
  }
  summary.configurations = static_cast<std::int64_t>(configurations.size());
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

std::string RenderIngestJson(const IngestSummary& summary, const std::string& db_path) {
  return internal::JsonDocument({{"database", db_path},
                                 {"sweeps", summary.sweeps},
                                 {"runs", summary.runs},
                                 {"configurations", summary.configurations},
                                 {"checkpoints", summary.checkpoints},
                                 {"sources", summary.sources},
                                 {"scored", summary.scored},
                                 {"scored_by_method", summary.scored_by_method},
                                 {"reused", summary.reused},
                                 {"unchanged", summary.unchanged},
                                 {"touched", summary.touched},
                                 {"failed", summary.failed},
                                 {"not_ready", summary.not_ready},
                                 {"missing", summary.missing},
                                 {"files_read", summary.files_read},
                                 {"seconds", summary.seconds},
                                 {"warnings", summary.warnings},
                                 {"notes", summary.notes},
                                 {"stopped", summary.stopped}});
}

}  // namespace rankme::app
