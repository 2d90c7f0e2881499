// Leaderboard, marginals and best from a small database written through the store, checked
// against values computed here, and every export format parsed back.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rankme/app/selection.h"
#include "rankme/report/table_formats.h"
#include "rankme/store/catalog.h"
#include "support/temp_dir.h"

using namespace rankme;
using nlohmann::json;

namespace {

// Configuration c (lr), seed s, checkpoint k: a value that depends on all three.
double Value(int c, int s, int k) { return 5.0 + 4.0 * c + 0.5 * s + 0.25 * k * (c + 1); }
const char* kLr[] = {"0.001", "0.01", "0.1"};
const char* kName[] = {"a&b_{1}", "50%|x", "plain"};  // run-name fragments that need escaping

// 3 configurations × 2 seeds × 3 checkpoints of `embeddings`.
std::string WriteDatabase(const rankme::testing::TempDir& dir) {
  const std::string path = dir.File("gen.db");
  auto db = store::Database::Open(path);
  store::Catalog catalog(db);
  store::WriteTransaction transaction(db);
  const auto sweep = catalog.UpsertSweep("/gen");
  for (int c = 0; c < 3; ++c) {
    for (int s = 0; s < 2; ++s) {
      store::RunUpsert run;
      run.name = std::string(kName[c]) + "/seed" + std::to_string(s);
      run.path = "/gen/" + run.name;
      run.layout = "plain";
      run.config_id = "cfg" + std::to_string(c);
      run.config_key = std::string(R"({"lr":)") + kLr[c] + R"(,"method":"byol"})";
      run.seed = std::to_string(s);
      run.config_json = run.config_key;
      run.params = {{"lr", kLr[c], "hyperparameter"}, {"method", "\"byol\"", "hyperparameter"}};
      const auto run_id = catalog.UpsertRun(sweep, run);
      for (int k = 0; k < 3; ++k) {
        const auto ckpt = catalog.UpsertCheckpoint(run_id, "step_" + std::to_string(k), k, {}, k);
        store::StoredTensor t;
        t.checkpoint_id = ckpt;
        t.source = "[\"" + run.path + "/" + std::to_string(k) + ".npy\"]";
        t.tensor = "embeddings";
        t.files_json = t.source;
        t.stat_key = "x";
        t.content_hash = run.path + std::to_string(k);
        t.rows = 100;
        t.cols = 32;
        t.dtype = "float32";
        catalog.ReplaceTensors(ckpt, t.source, {t});
        store::ScoreRow score;
        score.content_hash = *t.content_hash;
        score.tensor = "embeddings";
        score.metric = "rankme";
        score.settings_key = R"({"eps":1e-07})";
        score.value = Value(c, s, k);
        score.status = "ok";
        score.method = "qr";
        score.rows_used = score.rows_total = 100;
        score.cols = 32;
        score.dtype = "float32";
        score.eps = 1e-7;
        score.algorithm_version = 1;
        score.tool_version = "test";
        catalog.SaveScore(score);
      }
    }
  }
  transaction.Commit();
  return path;
}

// RFC 4180 parser, written for this test: quoted fields, doubled quotes, CRLF.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += ch;
    }
  }
  rows.pop_back();  // after the final CRLF
  return rows;
}

}  // namespace

TEST_CASE("Leaderboard from a generated database: order, aggregates and every format",
          "[ranking]") {
  rankme::testing::TempDir dir;
  app::SelectionOptions options;
  options.db_path = WriteDatabase(dir);
  options.with_files = true;
  const ranking::Leaderboard board = app::LoadLeaderboard(options);
  REQUIRE(board.configurations.size() == 3);
  CHECK(board.varying_keys == std::vector<std::string>{"lr"});
  // Last checkpoint (k = 2); means and n-1 stds computed here.
  std::map<std::string, std::pair<double, double>> expected;
  for (int c = 0; c < 3; ++c) {
    const double a = Value(c, 0, 2), b = Value(c, 1, 2);
    expected["cfg" + std::to_string(c)] = {(a + b) / 2, std::fabs(a - b) / std::sqrt(2.0)};
  }
  const std::vector<std::string> order = {"cfg2", "cfg1", "cfg0"};  // Value grows with c
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& row = board.configurations[i];
    CHECK(row.config_id == order[i]);
    CHECK(row.summary.mean == Approx(expected[row.config_id].first).epsilon(1e-15));
    CHECK(*row.summary.std == Approx(expected[row.config_id].second).epsilon(1e-12));
  }

  SECTION("JSON parses back with the same numbers") {
    const json j = json::parse(app::RenderLeaderboard(board, app::ExportFormat::kJson));
    REQUIRE(j["configurations"].size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& c = j["configurations"][i];
      CHECK(c["config_id"] == order[i]);
      CHECK(c["rank"] == static_cast<int>(i) + 1);
      CHECK(c["mean"].get<double>() == expected[order[i]].first);
      CHECK(c["n"] == 2);
      CHECK(c["runs"][0]["files"][0][0].get<std::string>().find(".npy") != std::string::npos);
    }
    CHECK(j["tensor"] == "embeddings");
  }
  SECTION("CSV parses back to the full-precision numbers") {
    const auto rows = ParseCsv(app::RenderLeaderboard(board, app::ExportFormat::kCsv));
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == std::vector<std::string>{"rank", "lr", "mean", "std", "n", "min", "max",
                                              "flags", "config"});
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(rows[i + 1][1] == kLr[2 - i]);
      CHECK(std::stod(rows[i + 1][2]) == expected[order[i]].first);
      CHECK(std::stod(rows[i + 1][3]) == Approx(expected[order[i]].second).epsilon(1e-15));
    }
  }
  SECTION("--top keeps the best configurations") {
    const auto rows = ParseCsv(app::RenderLeaderboard(board, app::ExportFormat::kCsv, 2));
    CHECK(rows.size() == 3);
  }
  SECTION("LaTeX is a booktabs tabular with one row per configuration") {
    const std::string tex = app::RenderLeaderboard(board, app::ExportFormat::kLatex);
    CHECK(tex.find("\\begin{table}") != std::string::npos);
    const auto top = tex.find("\\toprule"), mid = tex.find("\\midrule"),
               bottom = tex.find("\\bottomrule");
    REQUIRE((top < mid && mid < bottom && bottom != std::string::npos));
    std::size_t body_rows = 0;
    std::istringstream lines(tex.substr(mid, bottom - mid));
    for (std::string line; std::getline(lines, line);) {
      if (line.ends_with("\\\\")) {
        ++body_rows;
        CHECK(std::count(line.begin(), line.end(), '&') == 8);  // 9 columns
      }
    }
    CHECK(body_rows == 3);
    CHECK(tex.find("\\begin{tabular}{rlrrrrrll}") != std::string::npos);
  }
  SECTION("Markdown has a header, an alignment row and one row per configuration") {
    const std::string md = app::RenderLeaderboard(board, app::ExportFormat::kMarkdown);
    CHECK(md.find("| rank | lr | mean |") == 0);
    CHECK(md.find("| ---: | --- | ---: |") != std::string::npos);
    CHECK(std::count(md.begin(), md.end(), '\n') == 5);
  }
}

TEST_CASE("Table writers escape what each format reserves", "[ranking]") {
  report::Table t;
  t.headers = {"name", "value"};
  t.rows = {{"a&b_{1} 50% $x #2 ~^\\", "x|y"}, {"say \"hi\", then\nbye", "1"}};
  CHECK(report::EscapeLatex("a&b_{1} 50% $x #2 ~^\\") ==
        "a\\&b\\_\\{1\\} 50\\% \\$x \\#2 \\textasciitilde{}\\textasciicircum{}\\textbackslash{}");
  const std::string md = report::RenderMarkdown(t);
  CHECK(md.find("x\\|y") != std::string::npos);
  const auto csv = ParseCsv(report::RenderCsv(t));
  REQUIRE(csv.size() == 3);
  CHECK(csv[2][0] == "say \"hi\", then\nbye");
  CHECK(csv[1][1] == "x|y");
}

TEST_CASE("best and marginals from a generated database", "[ranking]") {
  rankme::testing::TempDir dir;
  app::SelectionOptions options;
  options.db_path = WriteDatabase(dir);
  options.ranking.checkpoint = ranking::CheckpointPolicy::Parse("best");
  const app::BestReport report = app::FindBest(options);
  REQUIRE(report.picks.size() == 1);
  const auto& pick = report.picks[0];
  const auto& best = report.board.configurations[*pick.best];
  CHECK(best.config_id == "cfg2");
  // best checkpoint = k = 2 for every run (values grow with k): margin and spread by hand.
  const double m2 = (Value(2, 0, 2) + Value(2, 1, 2)) / 2,
               m1 = (Value(1, 0, 2) + Value(1, 1, 2)) / 2;
  const double sd = 0.5 / std::sqrt(2.0);  // |0.5 seed difference| / sqrt(2), both configs
  CHECK(*pick.margin == Approx(m2 - m1));
  CHECK(*pick.within_spread == (m2 - m1 <= 2 * sd));
  for (const auto& alt : report.alternatives) CHECK_FALSE(alt.differs);
  const std::string text = app::RenderBestText(report);
  CHECK(text.find("best configuration: cfg2") != std::string::npos);
  CHECK(text.find("plain/seed0") != std::string::npos);

  const auto marginals = ranking::Marginals(report.board);
  REQUIRE(marginals.size() == 3);
  CHECK(marginals[0].value == "0.001");
  CHECK(marginals[2].mean == Approx(m2));
}

TEST_CASE("MarginalsOf keeps one varying key, and names the varying keys for another", "[app]") {
  testing::TempDir dir;
  app::SelectionOptions options;
  options.db_path = WriteDatabase(dir);
  const auto board = app::LoadLeaderboard(options);
  const auto every = app::MarginalsOf(board);
  CHECK(every.size() == ranking::Marginals(board).size());
  const auto lr = app::MarginalsOf(board, "lr");
  REQUIRE(lr.size() == 3);
  for (const auto& row : lr) CHECK(row.key == "lr");
  // method is the same everywhere (it does not vary), seed is no hyperparameter.
  for (const std::string key : {"method", "seed", "nothing"}) {
    CHECK_THROWS_WITH(app::MarginalsOf(board, key),
                      Catch::Contains("not a hyperparameter that varies; varying: lr"));
  }
}
