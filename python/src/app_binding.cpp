// The database and ingest: the app layer's functions, their results as the CLI's JSON text
// (the package parses it), so Python sees exactly the numbers the CLI prints.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "bindings.h"
#include "rankme/app/database_admin.h"
#include "rankme/app/ingest.h"
#include "rankme/app/run_listing.h"
#include "rankme/app/selection.h"
#include "rankme/ranking/checkpoint_policy.h"
#include "rankme/ranking/marginals.h"

namespace py = pybind11;
using nlohmann::json;

namespace rankme::python {

namespace {

// `rankme runs --json`, rendered by app as the command does.
std::string RunsJson(const std::string& db) { return app::RenderRunsJson(app::ListRuns(db)); }

// Every score of every run: the "scores" of `rankme show RUN --json`, each with its run.
std::string ScoresJson(const std::string& db) {
  json out = json::array();
  for (const auto& overview : app::ListRuns(db)) {
    const json detail = json::parse(app::RenderRunJson(app::ShowRun(db, overview.run.path)));
    for (const auto& s : detail["scores"]) {
      json row = {
          {"run", detail["run"]}, {"config_id", detail["config_id"]}, {"seed", detail["seed"]}};
      row.update(s);
      out.push_back(std::move(row));
    }
  }
  return out.dump();
}

struct Selection {
  std::string metric = "rankme";
  std::string tensor;
  std::string checkpoint = "last";
  std::string within;
  double collapse_fraction = 0.01;
};

app::SelectionOptions Resolve(const std::string& db, const Selection& s) {
  app::SelectionOptions options;
  options.db_path = db;
  options.metric = s.metric;
  options.ranking.tensor = s.tensor;
  options.ranking.checkpoint = ranking::CheckpointPolicy::Parse(s.checkpoint);
  options.ranking.within = s.within;
  options.ranking.collapse_fraction = s.collapse_fraction;
  return options;
}

// The leaderboard's notes ("tensor: embeddings (default)", guards) and the JSON document.
py::tuple WithNotes(const std::vector<std::string>& notes, const std::string& text) {
  return py::make_tuple(notes, text);
}

// Calls the Python progress callback from the ingest's writer thread, with the GIL. An
// exception of the callback, or a Ctrl-C seen here, is kept and raised once the ingest has
// stopped: Ingest must not be unwound while its workers run.
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
      if (!callback_.is_none()) callback_(event, what, a, b);
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
  m.def("_scores", &ScoresJson, py::arg("db"), py::call_guard<py::gil_scoped_release>());

  py::class_<Selection>(m, "_Selection")
      .def(py::init<>())
      .def_readwrite("metric", &Selection::metric)
      .def_readwrite("tensor", &Selection::tensor)
      .def_readwrite("checkpoint", &Selection::checkpoint)
      .def_readwrite("within", &Selection::within)
      .def_readwrite("collapse_fraction", &Selection::collapse_fraction);

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
      [](const std::string& db, const Selection& s) {
        const ranking::Leaderboard board = app::LoadLeaderboard(Resolve(db, s));
        return WithNotes(board.notes, app::RenderMarginals(board, ranking::Marginals(board),
                                                           app::ExportFormat::kJson));
      },
      py::arg("db"), py::arg("selection"));
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

  m.def(
      "_ingest",
      [](const std::vector<std::string>& roots, const std::string& db, int jobs,
         const std::vector<std::string>& tensors, double eps, std::int64_t max_samples,
         std::uint64_t seed, bool flatten, double settle_seconds, py::object progress) {
        app::IngestOptions options;
        options.roots = roots;
        options.db_path = db;
        options.jobs = jobs;
        options.tensors = tensors;
        options.rankme.eps = eps;
        options.rankme.max_samples = max_samples;
        options.rankme.seed = seed;
        options.stream.flatten = flatten;
        options.settle_seconds = settle_seconds;
        CallbackObserver observer(std::move(progress));
        app::IngestSummary summary;
        {
          const py::gil_scoped_release release;
          summary = app::Ingest(options, &observer);
        }
        observer.RaisePending();
        // `rankme ingest --json`.
        const json out = {{"database", options.db_path},
                          {"sweeps", summary.sweeps},
                          {"runs", summary.runs},
                          {"configurations", summary.configurations},
                          {"checkpoints", summary.checkpoints},
                          {"sources", summary.sources},
                          {"scored", summary.scored},
                          {"reused", summary.reused},
                          {"unchanged", summary.unchanged},
                          {"touched", summary.touched},
                          {"failed", summary.failed},
                          {"not_ready", summary.not_ready},
                          {"missing", summary.missing},
                          {"files_read", summary.files_read},
                          {"seconds", summary.seconds},
                          {"warnings", summary.warnings}};
        return out.dump();
      },
      py::arg("roots"), py::arg("db"), py::arg("jobs"), py::arg("tensors"), py::arg("eps"),
      py::arg("max_samples"), py::arg("seed"), py::arg("flatten"), py::arg("settle_seconds"),
      py::arg("progress"));
}

}  // namespace rankme::python
