// The database and ingest: the app layer's functions, their results as the CLI's JSON text
// (the package parses it), so Python sees exactly the numbers the CLI prints.
#include <fmt/format.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings.h"
#include "rankme/app/database_admin.h"
#include "rankme/app/ingest.h"
#include "rankme/app/run_listing.h"
#include "rankme/app/selection.h"
#include "rankme/core/error.h"
#include "rankme/ranking/checkpoint_policy.h"

namespace py = pybind11;

namespace rankme::python {

namespace {

// `rankme runs --json`, rendered by app as the command does.
std::string RunsJson(const std::string& db) { return app::RenderRunsJson(app::ListRuns(db)); }

// Every stored score, as the "scores" of `rankme show RUN --json`, each with its run.
std::string ScoresJson(const std::string& db, const std::string& metric,
                       const std::string& tensor) {
  return app::RenderScoresJson(app::ListScores(db, {.metric = metric, .tensor = tensor}));
}

struct Selection {
  std::string metric = "rankme";
  std::string tensor;
  std::string checkpoint = "last";
  std::string within;
  double collapse_fraction = 0.01;
  double alpha_target = 1.0;
};

app::SelectionOptions Resolve(const std::string& db, const Selection& s) {
  app::SelectionOptions options;
  options.db_path = db;
  options.metric = s.metric;
  options.ranking.tensor = s.tensor;
  options.ranking.checkpoint = ranking::CheckpointPolicy::Parse(s.checkpoint);
  options.ranking.within = s.within;
  options.ranking.collapse_fraction = s.collapse_fraction;
  options.ranking.target = s.alpha_target;
  return options;
}

// What `rankme ingest` takes from its flags (--layout, --seed-key, --ignore-key included).
struct IngestSettings {
  std::vector<std::string> roots;
  std::string db;  ///< resolved: the path itself
  int jobs = 0;
  std::vector<std::string> tensors;
  double eps = 1e-7;
  std::int64_t max_samples = 25600;
  std::uint64_t seed = 0;
  std::size_t max_memory = 0;
  bool flatten = false;
  std::string layout;
  std::vector<std::string> seed_keys;    ///< replace the defaults when not empty
  std::vector<std::string> ignore_keys;  ///< added to the defaults
  double settle_seconds = 30;
};

// As src/cli/ingest_command.cpp turns its flags into options, with the flags' checks.
app::IngestOptions Resolve(const IngestSettings& s) {
  if (!(s.eps >= 0 && s.eps <= 1)) {
    throw UsageError(fmt::format("eps must be a number in [0, 1], got {}", s.eps));
  }
  if (s.max_samples < 0) {
    throw UsageError(
        fmt::format("max_samples must be >= 0 (0 = every row), got {}", s.max_samples));
  }
  if (s.jobs < 0 || s.jobs > 1024) {
    throw UsageError(fmt::format("jobs must be in [0, 1024] (0 = one per core), got {}", s.jobs));
  }
  if (!(s.settle_seconds >= 0 && s.settle_seconds <= 1e9)) {
    throw UsageError(
        fmt::format("settle_seconds must be a number in [0, 1e9], got {}", s.settle_seconds));
  }
  app::IngestOptions options;
  options.roots = s.roots;
  options.db_path = s.db;
  options.jobs = s.jobs;
  options.tensors = s.tensors;
  options.rankme.eps = s.eps;
  options.rankme.max_samples = s.max_samples;
  options.rankme.seed = s.seed;
  options.rankme.max_memory = s.max_memory;
  options.stream.flatten = s.flatten;
  options.settle_seconds = s.settle_seconds;
  if (!s.layout.empty()) options.discovery.layout_file = s.layout;
  if (!s.seed_keys.empty()) options.discovery.seed_keys = s.seed_keys;
  for (const auto& key : s.ignore_keys) options.discovery.ignored_keys.push_back(key);
  return options;
}

// The leaderboard's notes ("tensor: embeddings (default)", guards) and the JSON document.
py::tuple WithNotes(const std::vector<std::string>& notes, const std::string& text) {
  return py::make_tuple(notes, text);
}

// Calls the Python progress callback on the ingest's writer thread (the caller's), with the
// GIL. An exception of the callback, or a Ctrl-C (checked at each event and at each poll of
// StopRequested), stops the ingest: the work in flight is finished and committed, then the
// exception is raised. Ingest itself must not be unwound while its workers run.
class CallbackObserver final : public app::IngestObserver {
 public:
  explicit CallbackObserver(py::object callback) : callback_(std::move(callback)) {}
  ~CallbackObserver() override {
    const py::gil_scoped_acquire gil;
    callback_ = py::object();
  }

  void OnPlan(const std::string& root, std::int64_t total, std::int64_t unchanged) override {
    Call("plan", root, total, unchanged);
  }
  void OnSource(std::int64_t done, std::int64_t total, const std::string& label,
                const std::string& outcome) override {
    Call(outcome, label, done, total);
  }

  bool StopRequested() override {
    if (!pending_) Call("", "", 0, 0);
    return pending_ != nullptr;
  }

  /// Raises what the callback raised, if anything.
  void RaisePending() {
    if (pending_) std::rethrow_exception(pending_);
  }

 private:
  void Call(const std::string& event, const std::string& what, std::int64_t a, std::int64_t b) {
    if (pending_) return;
    const py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!event.empty() && !callback_.is_none()) callback_(event, what, a, b);
    } catch (...) {
      pending_ = std::current_exception();
    }
  }

  py::object callback_;
  std::exception_ptr pending_;
};

}  // namespace

void RegisterApp(py::module_& m) {
  m.def("_resolve_database", &app::ResolveDatabasePath, py::arg("path"),
        "The database a command uses: `path` when given, else $RANKME_DB, else ./rankme.db.");
  m.def(
      "_describe",
      [](const std::string& db) {
        const store::DatabaseInfo info = app::DescribeDatabase(db);
        (void)info;
      },
      py::arg("db"), "Opens the database read-only; raises DatabaseError when it is not one.");
  m.def("_runs", &RunsJson, py::arg("db"), py::call_guard<py::gil_scoped_release>());
  m.def("_scores", &ScoresJson, py::arg("db"), py::arg("metric"), py::arg("tensor"),
        py::call_guard<py::gil_scoped_release>());

  py::class_<Selection>(m, "_Selection")
      .def(py::init<>())
      .def_readwrite("metric", &Selection::metric)
      .def_readwrite("tensor", &Selection::tensor)
      .def_readwrite("checkpoint", &Selection::checkpoint)
      .def_readwrite("within", &Selection::within)
      .def_readwrite("collapse_fraction", &Selection::collapse_fraction)
      .def_readwrite("alpha_target", &Selection::alpha_target);

  m.def(
      "_leaderboard",
      [](const std::string& db, const Selection& s, std::size_t top) {
        app::SelectionOptions options = Resolve(db, s);
        options.with_files = true;  // as `rankme leaderboard --format json`
        const ranking::Leaderboard board = app::LoadLeaderboard(options);
        return WithNotes(board.notes, app::RenderLeaderboard(board, app::ExportFormat::kJson, top));
      },
      py::arg("db"), py::arg("selection"), py::arg("top") = 0);
  m.def(
      "_best",
      [](const std::string& db, const Selection& s) {
        const app::BestReport report = app::FindBest(Resolve(db, s));
        return WithNotes(report.board.notes, app::RenderBestJson(report));
      },
      py::arg("db"), py::arg("selection"));
  m.def(
      "_marginals",
      [](const std::string& db, const Selection& s, const std::string& by) {
        const ranking::Leaderboard board = app::LoadLeaderboard(Resolve(db, s));
        return WithNotes(board.notes, app::RenderMarginals(board, app::MarginalsOf(board, by),
                                                           app::ExportFormat::kJson));
      },
      py::arg("db"), py::arg("selection"), py::arg("by") = "");
  m.def(
      "_validate",
      [](const std::string& db, const Selection& s, const std::string& labels,
         const std::string& label_column, bool lower_is_better) {
        app::ValidateOptions options;
        options.selection = Resolve(db, s);
        options.labels_file = labels;
        options.label_column = label_column;
        options.label_higher_is_better = !lower_is_better;
        const app::ValidateReport report = app::ValidateWithLabels(options);
        std::vector<std::string> notes = report.board.notes;
        for (const auto& line : report.unmatched) notes.push_back("not matched: " + line);
        for (const auto& note : report.validation.notes) notes.push_back(note);
        return WithNotes(notes, app::RenderValidation(report, app::ExportFormat::kJson));
      },
      py::arg("db"), py::arg("selection"), py::arg("labels"), py::arg("label_column"),
      py::arg("lower_is_better"));

  py::class_<IngestSettings>(m, "_IngestSettings")
      .def(py::init<>())
      .def_readwrite("roots", &IngestSettings::roots)
      .def_readwrite("db", &IngestSettings::db)
      .def_readwrite("jobs", &IngestSettings::jobs)
      .def_readwrite("tensors", &IngestSettings::tensors)
      .def_readwrite("eps", &IngestSettings::eps)
      .def_readwrite("max_samples", &IngestSettings::max_samples)
      .def_readwrite("seed", &IngestSettings::seed)
      .def_readwrite("max_memory", &IngestSettings::max_memory)
      .def_readwrite("flatten", &IngestSettings::flatten)
      .def_readwrite("layout", &IngestSettings::layout)
      .def_readwrite("seed_keys", &IngestSettings::seed_keys)
      .def_readwrite("ignore_keys", &IngestSettings::ignore_keys)
      .def_readwrite("settle_seconds", &IngestSettings::settle_seconds);
  m.def(
      "_ingest",
      [](const IngestSettings& settings, py::object progress) {
        const app::IngestOptions options = Resolve(settings);
        CallbackObserver observer(std::move(progress));
        app::IngestSummary summary;
        {
          const py::gil_scoped_release release;
          summary = app::Ingest(options, &observer);
        }
        observer.RaisePending();
        return app::RenderIngestJson(summary, options.db_path);
      },
      py::arg("settings"), py::arg("progress"));
}

}  // namespace rankme::python
