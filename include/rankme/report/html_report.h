#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rankme::report {

/// One checkpoint of one run with a value, a point of the "score against training" plot.
struct ReportPoint {
  double x = 0;            ///< training progress in ReportData::x_label units (step, epoch, …)
  std::string checkpoint;  ///< checkpoint name, for hover titles
  double value = 0;        ///< metric value; finite
};

/// One seed of a configuration.
struct ReportRun {
  std::string name;                 ///< run name (folder relative to its sweep root)
  std::string seed;                 ///< as the config writes it; "" when none
  std::optional<double> value;      ///< the run's value under the checkpoint policy
  std::string status = "ok";        ///< "ok", or why the run has no value (e.g. "diverged")
  std::string reason;               ///< for people, when status is not ok
  std::string checkpoint;           ///< the checkpoint the value came from ("" when none)
  std::vector<ReportPoint> series;  ///< every checkpoint with a value, in training order
};

/// One configuration (the seeds of one set of hyperparameters), in leaderboard order.
struct ReportConfiguration {
  std::string config_id;
  /// Every hyperparameter: dotted key → value as people read it (strings without quotes).
  std::vector<std::pair<std::string, std::string>> hyperparameters;
  std::string group;               ///< display value of the `within` key; "" without grouping
  std::optional<int> rank;         ///< 1-based within its group; empty when no seed has a value
  std::size_t n = 0;               ///< seeds with a value
  double mean = 0;                 ///< over those seeds (0 when n = 0)
  std::optional<double> std;       ///< sample standard deviation; empty when n < 2
  std::vector<std::string> flags;  ///< e.g. "collapsed", "incomplete"
  std::vector<std::string> flag_reasons;  ///< one sentence per flag
  std::vector<ReportRun> runs;            ///< every seed, in name order
};

/// Singular values of the chosen checkpoint of one run.
struct ReportSpectrum {
  std::string config_id;
  std::string run;
  std::string checkpoint;
  std::vector<double> singular_values;  ///< descending, as stored (zeros are not drawn on log axes)
};

/// One value of a hyperparameter in its marginal panel.
struct ReportMarginalLevel {
  std::string value;               ///< display text, e.g. 0.001 or vicreg
  std::optional<double> numeric;   ///< the value as a number when it is one
  double mean = 0;                 ///< mean over the configurations that have this value
  double best = 0;                 ///< best configuration mean with this value
  std::size_t configurations = 0;  ///< how many ranked configurations have it
};

/// The score against the values of one varying hyperparameter.
struct ReportMarginal {
  std::string key;    ///< dotted hyperparameter key
  std::string group;  ///< display value of the `within` key it is restricted to; "" = all
  std::vector<ReportMarginalLevel> levels;  ///< in display order (numeric ascending when numbers)
};

/// The label-free pick checked against a label-based number (e.g. linear-probe accuracy).
struct ReportValidation {
  std::string label;  ///< name of the label-based number
  struct Point {
    std::string config_id;
    double score = 0;  ///< the configuration's mean metric value
    double label = 0;  ///< the configuration's mean label-based number
  };
  std::vector<Point> points;
  std::optional<double> spearman, kendall;  ///< rank correlations of score and label
  std::optional<double> regret;  ///< label of the best configuration by label minus the pick's
  std::string picked;            ///< config_id picked by the metric
  std::string best;              ///< config_id best by label
  std::vector<std::string> notes;
};

/// One signal (a metric of a tensor) in the "metrics side by side" panel: what it picks in one
/// group and, when a label-based number is compared, how it agrees with it there.
struct ReportSignal {
  std::string metric;
  std::string tensor;
  std::string direction = "higher is better";  ///< e.g. "closer to 1 is better"
  bool goodness = false;  ///< ρ and τ correlate its goodness (closer to target), not its value
  bool ranked = false;    ///< the signal the report ranks by
  std::string group;      ///< display value of the `within` key; "" without grouping
  std::string config_id;  ///< its pick; "" when no configuration of the group has a value
  std::size_t n = 0;      ///< seeds behind its pick's mean
  double mean = 0;        ///< the pick's mean value of the metric
  std::optional<double> std;
  bool agrees = false;  ///< the pick is the report's pick of the group
  // Against the label-based number (empty without one):
  std::size_t labelled = 0;  ///< configurations with both values
  std::optional<double> spearman, kendall, regret;
  bool reversed = false;  ///< ρ clearly negative: its assumed direction disagrees with the labels
};

/// A tensor that could not be scored, with its reason.
struct ReportFailure {
  std::string run, checkpoint, tensor;
  std::string status;  ///< failed | not_ready | missing
  std::string kind;    ///< format | io | data | not_ready
  std::string message;
};

/// Everything the HTML report shows. Pure data: filled from the database by app::BuildReport,
/// or by hand in tests.
struct ReportData {
  std::string title = "RankMe report";
  std::string metric = "rankme";
  std::string direction = "higher is better";  ///< the metric's, e.g. "closer to 1 is better"
  std::string tensor;                          ///< the tensor ranked, e.g. embeddings
  std::string within;                          ///< the grouping hyperparameter; "" = one ranking
  std::string x_label = "step";           ///< what ReportPoint::x counts: step | epoch | checkpoint
  std::vector<std::string> varying_keys;  ///< hyperparameters whose value differs somewhere
  std::vector<std::string> groups;        ///< display values of `within`, in display order
  std::vector<ReportConfiguration> configurations;  ///< by group, then rank (unranked last)
  std::vector<ReportSpectrum> spectra;
  std::vector<ReportMarginal> marginals;
  std::optional<ReportValidation> validation;
  /// Every scored signal (metric × tensor) per group, in catalog and group order; the
  /// validation's label names the label-based number of their ρ, τ and regret.
  std::vector<ReportSignal> signals;
  std::vector<std::string> signal_notes;  ///< what the signals' flags mean, under their table
  std::vector<ReportFailure> failures;
  /// What was assumed to produce the numbers: metric, eps, rows, tensor, checkpoint policy, tool
  /// version, database, … as (name, value) in display order.
  std::vector<std::pair<std::string, std::string>> settings;
  std::vector<std::string> notes;  ///< assumptions and guards of the ranking
};

/// How the page is drawn. Defaults suit sweeps from a handful of runs to a few thousand.
struct HtmlReportOptions {
  /// Configurations per group drawn in colour (the best ones); the others are drawn in grey.
  /// At most the palette's size (7).
  std::size_t highlighted = 7;
  /// Configurations whose spectra are drawn (the best ones of each group).
  std::size_t spectra_configurations = 5;
  /// Points kept per spectrum line: beyond this the line is thinned at log-spaced indices (the
  /// first and last value are always kept). Hover titles of the kept points give exact values.
  std::size_t spectrum_points = 160;
};

/// The whole report as one self-contained HTML document: inline CSS, SVG plots, a few lines of
/// inline script for sorting and highlighting, a Content-Security-Policy that forbids every
/// external load. Every string from `data` is HTML-escaped; none is placed inside the script.
std::string RenderHtmlReport(const ReportData& data, const HtmlReportOptions& options = {});

/// `text` with & < > " ' replaced by character references: safe in element text and in quoted
/// attribute values.
std::string EscapeHtml(std::string_view text);

}  // namespace rankme::report
