// `rankme ingest DIR...`: discover, score and store; incremental and idempotent.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "rankme/app/database_admin.h"
#include "rankme/app/ingest.h"
#include "rankme/core/error.h"
#include "rankme/report/table.h"

namespace rankme::cli {

namespace {

struct IngestCliOptions {
  app::IngestOptions ingest;
  std::string db;
  std::string layout;
  std::vector<std::string> seed_keys;
  std::vector<std::string> ignore_keys;
  std::vector<std::string> key_aliases;
  bool quiet = false;
  bool json = false;
};

// A progress bar redrawn in place on a terminal; on anything else, a plain line at most once
// a second, so logs stay readable.
class Progress final : public app::IngestObserver {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}
  ~Progress() override { Finish(); }

  void OnPlan(const std::string& root, std::int64_t total, std::int64_t unchanged) override {
    Finish();
    if (quiet_) return;
    PrintNote(fmt::format("{}: {} file groups to read, {} unchanged", root, total, unchanged));
  }

  void OnSource(std::int64_t done, std::int64_t total, const std::string& label,
                const std::string& outcome) override {
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    if (tty_) {
      const int width = 30;
      const int filled = total > 0 ? static_cast<int>(width * done / total) : width;
      std::string bar(static_cast<std::size_t>(filled), '=');
      bar.resize(width, ' ');
      const std::string visible = report::VisibleText(label);
      std::string shown =
          visible.size() > 50 ? "..." + visible.substr(visible.size() - 47) : visible;
      std::fprintf(stderr, "\r[%s] %lld/%lld %-50s", bar.c_str(), static_cast<long long>(done),
                   static_cast<long long>(total), shown.c_str());
      drawn_ = true;
    } else if (outcome == "failed" || outcome == "not_ready" || done == total ||
               now - last_ >= std::chrono::seconds(1)) {
      std::fprintf(stderr, "rankme: %lld/%lld %s: %s\n", static_cast<long long>(done),
                   static_cast<long long>(total), report::VisibleText(label).c_str(),
                   outcome.c_str());
      last_ = now;
    }
  }

 private:
  void Finish() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }
  bool quiet_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

int Run(IngestCliOptions& o) {
  app::IngestOptions options = o.ingest;
  options.db_path = app::ResolveDatabasePath(o.db);
  if (!o.layout.empty()) options.discovery.layout_file = o.layout;
  if (!o.seed_keys.empty()) options.discovery.seed_keys = o.seed_keys;
  for (const auto& key : o.ignore_keys) options.discovery.ignored_keys.push_back(key);
  for (const auto& alias : o.key_aliases) {
    try {
      options.discovery.key_aliases.push_back(discovery::ParseKeyAlias(alias, "--key-alias"));
    } catch (const ConfigError& e) {
      throw UsageError("--key-alias: " + e.message());
    }
  }

  app::IngestSummary summary;
  {
    Progress progress(o.quiet);
    summary = app::Ingest(options, &progress);
  }
  for (const auto& warning : summary.warnings) {
    if (!o.quiet) PrintNote(warning);
  }
  for (const auto& note : summary.notes) {
    if (!o.quiet) PrintNote(note);
  }
  if (o.json) {
    PrintOut(app::RenderIngestJson(summary, options.db_path));
  } else {
    std::string by_method;  // " (gram32 3, qr 1)": how many tensors each tier scored
    for (const auto& [method, count] : summary.scored_by_method) {
      by_method += fmt::format("{}{} {}", by_method.empty() ? " (" : ", ", method, count);
    }
    if (!by_method.empty()) by_method += ")";
    PrintOut(fmt::format(
        "{} runs in {} configurations, {} checkpoints: {} tensors scored{}, {} file groups "
        "unchanged, {} failed, {} not ready, {} missing ({:.2f} s) -> {}\n",
        summary.runs, summary.configurations, summary.checkpoints, summary.scored, by_method,
        summary.unchanged + summary.touched, summary.failed, summary.not_ready, summary.missing,
        summary.seconds, options.db_path));
  }
  // A sweep with bad files is still ingested: exit 0 unless nothing could be read at all.
  return 0;
}

}  // namespace

Command MakeIngestCommand() {
  return {"ingest", "discover runs and checkpoints under sweep folders, score and store them",
          [](CLI::App& sub) {
            auto o = std::make_shared<IngestCliOptions>();
            sub.add_option("dirs", o->ingest.roots, "sweep output folders")->required();
            AddDatabaseOption(sub, o->db);
            sub.add_option("-j,--jobs", o->ingest.jobs, "scoring workers (default: one per core)")
                ->check(WholeNumber(0, 1024));
            sub.add_option("--layout", o->layout, "layout file (JSON/YAML, see configs/layouts)")
                ->check(CLI::ExistingFile);
            sub.add_option("--tensor", o->ingest.tensors,
                           "tensor names to score (repeatable; default: every tensor found)");
            sub.add_option("--eps", o->ingest.rankme.eps, "RankMe eps")
                ->capture_default_str()
                ->check(FiniteNumber(0, 1));
            sub.add_option("--max-samples", o->ingest.rankme.max_samples,
                           "subsample to this many rows (0 = all)")
                ->capture_default_str()
                ->check(SampleCount());
            sub.add_option("--seed", o->ingest.rankme.seed, "subsample seed")
                ->capture_default_str()
                ->check(SeedNumber());
            AddMaxMemoryOption(sub, o->ingest.rankme.max_memory);
            sub.add_flag("--flatten", o->ingest.stream.flatten,
                         "score rank > 2 arrays as N x (product of the other dims)");
            sub.add_option("--seed-key", o->seed_keys,
                           "config keys holding the seed (glob; replaces the defaults)");
            sub.add_option("--ignore-key", o->ignore_keys,
                           "more bookkeeping keys left out of configurations (glob)");
            sub.add_option("--key-alias", o->key_aliases,
                           "FROM=TO: name the hyperparameter written or named FROM as TO "
                           "(repeatable; overrides the built-in names and the layout file's)");
            sub.add_option("--settle-seconds", o->ingest.settle_seconds,
                           "a failing file modified this recently is 'not ready', not failed")
                ->capture_default_str()
                ->check(FiniteNumber(0, 1e9));
            sub.add_flag("-q,--quiet", o->quiet, "no progress or warnings");
            sub.add_flag("--json", o->json, "print the summary as JSON");
            return std::function<int()>([o] { return Run(*o); });
          },
          /*scores=*/true};
}

}  // namespace rankme::cli
