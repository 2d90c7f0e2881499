// best, validate and report on a database holding several metrics and tensors (written through
// the store): second opinions, the table of every signal, metrics side by side.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rankme/app/report.h"
#include "rankme/app/selection.h"
#include "rankme/core/error.h"
#include "rankme/ranking/statistics.h"
#include "support/score_database.h"
#include "support/temp_dir.h"

using namespace rankme;
using nlohmann::json;

namespace {

// Five configurations c0..c4 (lr), two seeds, two checkpoints. The last checkpoint's value of
// each signal is below (plus 0.001 × seed); the first checkpoint's is half of it.
constexpr int kConfigs = 5;
const char* const kLr[kConfigs] = {"0.001", "0.003", "0.01", "0.03", "0.1"};
const double kAccuracy[kConfigs] = {0.50, 0.90, 0.70, 0.60, 0.55};
struct SignalValues {
  const char* metric;
  const char* tensor;
  double values[kConfigs];
};
const SignalValues kSignals[] = {
    {"rankme", "embeddings", {10, 20, 30, 40, 50}},           // picks c4, the main pick
    {"rankme", "representations", {50, 10, 30, 40, 45}},      // picks c0: the labels reversed
    {"stable_rank", "embeddings", {1, 2, 3, 4, 5}},           // picks c4
    {"alpha_req", "embeddings", {0.6, 1.05, 1.5, 2.5, 3.0}},  // picks c1 (closest to 1)
};

std::string WriteSweep(const rankme::testing::TempDir& dir) {
  const std::string path = dir.File("signals.db");
  rankme::testing::ScoreDatabase db(path);
  for (int c = 0; c < kConfigs; ++c) {
    for (int s = 0; s < 2; ++s) {
      const auto run = db.AddRun("c" + std::to_string(c) + "/seed" + std::to_string(s),
                                 "c" + std::to_string(c), {{"lr", kLr[c]}}, std::to_string(s));
      const auto first = db.AddCheckpoint(run, "step_100", 100, std::nullopt, 0);
      const auto last = db.AddCheckpoint(run, "step_200", 200, std::nullopt, 1);
      for (const SignalValues& signal : kSignals) {
        db.AddScore(first, signal.tensor, signal.metric, signal.values[c] / 2);
        db.AddScore(last, signal.tensor, signal.metric, signal.values[c] + 0.001 * s);
      }
    }
  }
  db.Close();
  rankme::testing::WriteFile(dir.File("labels.csv"), [] {
    std::string csv = "run,acc\n";
    for (int c = 0; c < kConfigs; ++c) {
      for (int s = 0; s < 2; ++s) {
        csv += fmt::format("c{}/seed{},{}\n", c, s, kAccuracy[c]);
      }
    }
    return csv;
  }());
  return path;
}

bool Has(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

// The first line of `text` that holds `fragment`, or "".
std::string LineWith(const std::string& text, const std::string& fragment) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (Has(line, fragment)) return line;
  }
  return "";
}

const app::SignalSummary& OpinionOf(const app::BestReport& report, const std::string& metric,
                                    const std::string& tensor) {
  for (const auto& s : report.second_opinions) {
    if (s.signal.metric == metric && s.signal.tensor == tensor) return s;
  }
  throw std::logic_error("no second opinion " + metric + " of " + tensor);
}

}  // namespace

TEST_CASE("best lists what every other metric and tensor picks, in text and JSON", "[app]") {
  rankme::testing::TempDir dir;
  app::SelectionOptions options;
  options.db_path = WriteSweep(dir);
  const app::BestReport report = app::FindBest(options);
  REQUIRE(report.picks.size() == 1);
  CHECK(report.board.configurations[*report.picks[0].best].config_id == "c4");
  REQUIRE(report.second_opinions.size() == 3);  // in catalog order, the ranked signal left out
  CHECK(report.second_opinions[0].signal == app::Signal{"rankme", "representations"});
  CHECK(report.second_opinions[1].signal == app::Signal{"stable_rank", "embeddings"});
  CHECK(report.second_opinions[2].signal == app::Signal{"alpha_req", "embeddings"});
  const app::SignalPick& representations = OpinionOf(report, "rankme", "representations").picks[0];
  CHECK(representations.config_id == "c0");
  CHECK_FALSE(representations.agrees);
  CHECK(representations.summary.mean == Approx(50.0005));
  CHECK(OpinionOf(report, "stable_rank", "embeddings").picks[0].agrees);
  const app::SignalPick& alpha = OpinionOf(report, "alpha_req", "embeddings").picks[0];
  CHECK(alpha.config_id == "c1");
  CHECK_FALSE(alpha.agrees);
  CHECK(alpha.summary.mean == Approx(1.0505));

  const std::string text = app::RenderBestText(report);
  CHECK(Has(text, "second opinions (every other metric × tensor, last checkpoint): 1 of 3 agree"));
  CHECK(Has(LineWith(text, "    stable_rank of embeddings "), "  same pick, 5.00"));
  CHECK(Has(LineWith(text, "    alpha_req (closer to 1 is better) of embeddings"),
            "  DIFFERS: c1 (lr=0.003), 1.05"));
  CHECK(Has(LineWith(text, "    rankme of representations "), "  DIFFERS: c0 (lr=0.001), 50.0"));
  CHECK(Has(text, "with tensor representations: the pick CHANGES to c0"));

  const json parsed = json::parse(app::RenderBestJson(report));
  CHECK(parsed["direction"] == "higher is better");
  const json& opinions = parsed["second_opinions"];
  REQUIRE(opinions.size() == 3);
  CHECK(opinions[2]["metric"] == "alpha_req");
  CHECK(opinions[2]["tensor"] == "embeddings");
  CHECK(opinions[2]["direction"] == "closer to 1 is better");
  CHECK(opinions[2]["config_id"] == "c1");
  CHECK(opinions[2]["agrees"] == false);
  CHECK(opinions[2]["value"].get<double>() == Approx(1.0505));
  CHECK(opinions[2]["n"] == 2);
  CHECK(opinions[1]["agrees"] == true);
  CHECK(opinions[0]["group"].is_null());
}

TEST_CASE("A target for alpha_req moves its pick, as a second opinion and as the ranking",
          "[app]") {
  rankme::testing::TempDir dir;
  app::SelectionOptions options;
  options.db_path = WriteSweep(dir);
  options.ranking.target = 3.1;
  const app::BestReport moved = app::FindBest(options);
  CHECK(OpinionOf(moved, "alpha_req", "embeddings").picks[0].config_id == "c4");
  CHECK(OpinionOf(moved, "alpha_req", "embeddings").picks[0].agrees);
  CHECK(Has(app::RenderBestText(moved), "2 of 3 agree"));
  CHECK(Has(app::RenderBestText(moved), "alpha_req (closer to 3.1 is better) of embeddings"));

  options.metric = "alpha_req";
  options.ranking.target.reset();
  const app::BestReport report = app::FindBest(options);
  CHECK(report.board.configurations[*report.picks[0].best].config_id == "c1");
  const auto& order = report.board.configurations;
  CHECK(order[1].config_id == "c0");  // |0.6 - 1| before |1.5 - 1|, the larger value
  CHECK(order[2].config_id == "c2");
  const std::string text = app::RenderBestText(report);
  CHECK(Has(text, "alpha_req of embeddings (last checkpoint; closer to 1 is better): 1.050"));
  CHECK(Has(text, "(in distance to 1)"));
  CHECK(OpinionOf(report, "rankme", "embeddings").picks[0].config_id == "c4");
  options.ranking.target = 1.6;
  CHECK(app::LoadLeaderboard(options).configurations[0].config_id == "c2");
}

TEST_CASE("An unknown metric names the catalog, a metric without scores the stored ones", "[app]") {
  rankme::testing::TempDir dir;
  app::SelectionOptions options;
  options.db_path = WriteSweep(dir);
  options.metric = "rank_me";
  CHECK_THROWS_WITH(app::FindBest(options),
                    Catch::Contains("unknown metric 'rank_me': expected one of rankme, "
                                    "rankme_centered, stable_rank, nesum"));
  options.metric = "lidar";
  CHECK_THROWS_AS(app::LoadLeaderboard(options), UsageError);
  CHECK_THROWS_WITH(app::LoadLeaderboard(options),
                    Catch::Contains("--metric lidar: no such scores; the database has alpha_req, "
                                    "rankme, stable_rank"));
}

TEST_CASE("validate tabulates every signal, lowest regret first, with its footnotes", "[app]") {
  rankme::testing::TempDir dir;
  app::ValidateOptions options;
  options.selection.db_path = WriteSweep(dir);
  options.labels_file = dir.File("labels.csv");
  const app::ValidateReport report = app::ValidateWithLabels(options);
  REQUIRE(report.signals.size() == 4);
  CHECK(report.signals[0].ranked);
  for (const auto& signal : report.signals) {
    CAPTURE(signal.signal.metric, signal.signal.tensor);
    REQUIRE(signal.validation);
    CHECK(signal.validation->label == "acc");
    CHECK(signal.validation->overall.n == 5);
  }
  const auto& alpha = *report.signals[3].validation;
  CHECK(alpha.overall.pick == "c1");
  CHECK(*alpha.overall.regret == 0);
  // Goodness -|mean - 1| against the accuracies.
  CHECK(*alpha.overall.spearman ==
        Approx(*ranking::SpearmanRho({-0.3995, -0.0505, -0.5005, -1.5005, -2.0005},
                                     {0.50, 0.90, 0.70, 0.60, 0.55})));
  const auto& reversed = report.signals[1].validation->overall;
  CHECK(*reversed.spearman == Approx(-1.0));
  CHECK(reversed.reversed);
  CHECK(*reversed.regret == Approx(0.4));

  const json parsed = json::parse(app::RenderValidation(report, app::ExportFormat::kJson));
  CHECK(parsed["agreement"].size() == 1);
  const json& lines = parsed["signals"];
  REQUIRE(lines.size() == 4);
  const std::vector<std::pair<std::string, std::string>> expected_order = {
      {"alpha_req", "embeddings"},  // regret 0
      {"rankme", "embeddings"},     // regret 0.35, rho 0: ties with stable_rank, catalog order
      {"stable_rank", "embeddings"},
      {"rankme", "representations"}};  // regret 0.4
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CHECK(lines[i]["metric"] == expected_order[i].first);
    CHECK(lines[i]["tensor"] == expected_order[i].second);
    CHECK(lines[i]["group"] == "all");
  }
  CHECK(lines[0]["correlated"] == "goodness");
  CHECK(lines[0]["direction"] == "closer to 1 is better");
  CHECK(lines[1]["correlated"] == "value");
  CHECK(lines[1]["ranked"] == true);
  CHECK(lines[3]["reversed"] == true);
  CHECK(lines[3]["spearman"].get<double>() == Approx(-1.0));
  CHECK(parsed["signal_notes"].size() == 4);

  const std::string md = app::RenderValidation(report, app::ExportFormat::kMarkdown);
  CHECK(Has(md, "**every signal (metric x tensor) against acc**"));
  CHECK(Has(md, "- goodness: alpha_req's rho and tau-b correlate its goodness -|value - 1|"));
  CHECK(Has(md, "- reversed: Spearman's rho < -0.3 over at least 5 configurations"));
  CHECK(Has(md, "| rankme | representations | 5 |"));
  const std::string text = app::RenderValidation(report, app::ExportFormat::kTable);
  CHECK(Has(text, "every signal (metric x tensor) against acc:"));
  CHECK(Has(app::RenderValidation(report, app::ExportFormat::kLatex), "\\noindent regret:"));

  // CSV holds one table: the ranked signal's, or every signal's on request.
  const std::string csv = app::RenderValidation(report, app::ExportFormat::kCsv);
  CHECK(csv.rfind("group,n,spearman,kendall_tau_b,pick,pick acc,best acc,regret\r\n", 0) == 0);
  CHECK_FALSE(Has(csv, "representations"));
  const std::string signals =
      app::RenderValidation(report, app::ExportFormat::kCsv, app::ValidationTables::kSignalsOnly);
  CHECK(signals.rfind("group,metric,tensor,n,spearman,kendall_tau_b,regret,pick,pick acc,flags\r\n",
                      0) == 0);
  CHECK(Has(signals, "all,alpha_req,embeddings,5,"));
  CHECK(Has(signals, ",goodness\r\n"));
  CHECK(Has(signals, ",reversed\r\n"));
  CHECK(Has(signals, ",ranked\r\n"));
  CHECK(app::SignalFootnotes(report).size() == 4);
}

TEST_CASE("validate within a group ranks each group's signals by their regret there", "[app]") {
  rankme::testing::TempDir dir;
  app::ValidateOptions options;
  options.selection.db_path = WriteSweep(dir);
  options.selection.ranking.within = "lr";  // one configuration per group
  options.labels_file = dir.File("labels.csv");
  const app::ValidateReport report = app::ValidateWithLabels(options);
  const json lines =
      json::parse(app::RenderValidation(report, app::ExportFormat::kJson))["signals"];
  REQUIRE(lines.size() == 4 * (1 + kConfigs));
  for (std::size_t i = 0; i < 4; ++i) CHECK(lines[i]["group"] == "all");
  CHECK(lines[4]["group"] == 0.001);
  CHECK(lines[4]["regret"] == 0.0);  // one configuration: every signal picks it
  CHECK(lines[4]["n"] == 1);
}

TEST_CASE("The report puts every metric side by side, with rho and regret once labels exist",
          "[app]") {
  rankme::testing::TempDir dir;
  const std::string db = WriteSweep(dir);
  const report::ReportData before = app::BuildReport(db);
  REQUIRE(before.signals.size() == 4);
  CHECK(before.signals[0].ranked);
  CHECK(before.signals[0].agrees);
  CHECK(before.signals[3].metric == "alpha_req");
  CHECK(before.signals[3].direction == "closer to 1 is better");
  CHECK(before.signals[3].config_id == "c1");
  CHECK_FALSE(before.signals[3].spearman.has_value());
  CHECK(before.direction == "higher is better");
  const std::string page = report::RenderHtmlReport(before);
  CHECK(Has(page, R"(<section id="signals"><h2>Metrics side by side</h2>)"));
  CHECK_FALSE(Has(page, "Spearman ρ</th>"));

  app::ValidateOptions validate;
  validate.selection.db_path = db;
  validate.labels_file = dir.File("labels.csv");
  app::ValidateWithLabels(validate);
  app::ReportOptions options;
  options.alpha_target = 3.1;
  const report::ReportData after = app::BuildReport(db, options);
  REQUIRE(after.signals.size() == 4);
  CHECK(after.signals[3].config_id == "c4");  // alpha_req closest to 3.1
  CHECK(after.signals[3].agrees);
  CHECK(after.signals[1].reversed);
  CHECK(*after.signals[1].spearman == Approx(-1.0));
  CHECK(after.signals[1].labelled == 5);
  const std::string labelled = report::RenderHtmlReport(after);
  CHECK(Has(labelled, "Spearman ρ</th>"));
  CHECK(Has(labelled, ">reversed</span>"));
  CHECK(Has(labelled, "correlate its goodness −|value − 3.1|"));

  options.metric = "alpha_req";
  options.alpha_target.reset();
  const report::ReportData alpha = app::BuildReport(db, options);
  CHECK(alpha.direction == "closer to 1 is better");
  CHECK(Has(report::RenderHtmlReport(alpha), "closer to 1 is better"));
}
