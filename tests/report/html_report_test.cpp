#include "rankme/report/html_report.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "report/html_internal.h"
#include "support/temp_dir.h"

namespace {

using namespace rankme::report;

const std::string kHostileRun = "<script>alert(1)</script>";
const std::string kHostileValue = "\"><img src=x onerror=alert(2)> & 'q'";

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Three configurations (lr × method) with two seeds each, three checkpoints per seed; one
// configuration has a failed seed; names and values carry markup.
ReportData SampleData() {
  ReportData data;
  data.tensor = "embeddings";
  data.varying_keys = {"method", "optim.lr"};
  const std::vector<std::pair<std::string, std::string>> configs = {
      {"vicreg", "0.001"}, {"simclr", "0.003"}, {kHostileValue, "0.0003"}};
  int rank = 1;
  for (const auto& [method, lr] : configs) {
    ReportConfiguration c;
    c.config_id = "cfg" + std::to_string(rank);
    c.hyperparameters = {{"method", method}, {"optim.lr", lr}, {"optim.wd", "1e-06"}};
    c.rank = rank;
    for (int seed = 0; seed < 2; ++seed) {
      ReportRun run;
      run.name =
          (rank == 3 && seed == 0) ? kHostileRun : c.config_id + "/seed" + std::to_string(seed);
      run.seed = std::to_string(seed);
      if (rank == 2 && seed == 1) {
        run.status = "failed";
        run.reason = "cannot read <file>";
      } else {
        for (int s = 1; s <= 3; ++s) {
          run.series.push_back(
              {100.0 * s, "step_" + std::to_string(100 * s), 10.0 * (4 - rank) + s + 0.25 * seed});
        }
        run.value = run.series.back().value;
        run.checkpoint = run.series.back().checkpoint;
      }
      c.runs.push_back(run);
    }
    c.n = rank == 2 ? 1 : 2;
    c.mean = rank == 2 ? c.runs[0].value.value()
                       : (c.runs[0].value.value() + c.runs[1].value.value()) / 2;
    if (c.n == 2) c.std = std::sqrt(2 * 0.125 * 0.125);
    if (rank == 2) {
      c.flags = {"incomplete", "failed"};
      c.flag_reasons = {"1 of 2 seeds has a value", "a checkpoint could not be read"};
    }
    data.configurations.push_back(c);
    ++rank;
  }
  for (const auto& c : data.configurations) {
    if (c.rank > 2) continue;
    for (const auto& r : c.runs) {
      if (r.value) data.spectra.push_back({c.config_id, r.name, r.checkpoint, {4, 2, 1, 0.5, 0}});
    }
  }
  data.marginals = {
      {"method",
       "",
       {{kHostileValue, {}, 13, 13, 1}, {"simclr", {}, 23, 23, 1}, {"vicreg", {}, 33.1, 33.1, 1}}},
      {"optim.lr",
       "",
       {{"0.0003", 0.0003, 13, 13, 1}, {"0.001", 0.001, 33, 33, 1}, {"0.003", 0.003, 23, 23, 1}}}};
  data.failures = {{kHostileRun, "step_000300", "embeddings", "failed", "format", "bad <magic>"}};
  data.settings = {{"metric", "rankme"}, {"database", "/tmp/" + kHostileRun + ".db"}};
  data.notes = {"note with <b>markup</b>"};
  ReportValidation v;
  v.label = "probe <acc>";
  v.points = {{"cfg1", 33.1, 0.9}, {"cfg2", 23, 0.8}, {"cfg3", 13.1, 0.85}};
  v.spearman = 0.5;
  v.kendall = 1.0 / 3;
  v.regret = 0;
  v.picked = v.best = "cfg1";
  data.validation = v;
  return data;
}

}  // namespace

TEST_CASE("EscapeHtml replaces the five markup characters and NUL", "[report]") {
  CHECK(EscapeHtml("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  CHECK(EscapeHtml(std::string("x\0y", 3)) == "x\xEF\xBF\xBDy");
  CHECK(EscapeHtml("caf\xC3\xA9 \xCF\x83") == "caf\xC3\xA9 \xCF\x83");  // UTF-8 kept
}

TEST_CASE("HTML report shows hostile names as text and runs no script but its own", "[report]") {
  const std::string page = RenderHtmlReport(SampleData());
  CHECK(Count(page, "<script") == 1);
  CHECK(Count(page, "</script>") == 1);
  CHECK(page.find("alert(1)</script>") == std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("&quot;&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &#39;q&#39;") !=
        std::string::npos);
  // Every tag parses as name="value" attributes, and every tag and attribute is one the renderer
  // writes: no markup and no event handler came from the data.
  const std::set<std::string> tags = {
      "html",  "head",  "meta",  "title",  "style", "body",    "main",    "header", "h1",
      "h2",    "h3",    "p",     "b",      "a",     "nav",     "div",     "span",   "section",
      "table", "thead", "tbody", "tr",     "th",    "td",      "ul",      "li",     "figure",
      "svg",   "g",     "path",  "circle", "text",  "details", "summary", "dl",     "dt",
      "dd",    "code",  "sub",   "footer", "script"};
  const std::set<std::string> attributes = {"lang",
                                            "charset",
                                            "http-equiv",
                                            "content",
                                            "name",
                                            "class",
                                            "id",
                                            "title",
                                            "style",
                                            "viewBox",
                                            "role",
                                            "x",
                                            "y",
                                            "text-anchor",
                                            "transform",
                                            "d",
                                            "fill",
                                            "stroke",
                                            "stroke-width",
                                            "stroke-dasharray",
                                            "stroke-linejoin",
                                            "stroke-linecap",
                                            "cx",
                                            "cy",
                                            "r",
                                            "opacity",
                                            "href"};
  std::size_t parsed = 0;
  for (std::size_t at = page.find('<'); at != std::string::npos; at = page.find('<', at + 1)) {
    std::size_t i = at + 1;
    if (i >= page.size() || !std::isalpha(static_cast<unsigned char>(page[i]))) continue;
    auto word = [&] {
      const std::size_t start = i;
      while (i < page.size() && (std::isalnum(static_cast<unsigned char>(page[i])) ||
                                 page[i] == '-' || page[i] == ':'))
        ++i;
      return page.substr(start, i - start);
    };
    const std::string tag = word();
    INFO("tag at " << at << ": " << page.substr(at, 60));
    REQUIRE(tags.count(tag) == 1);
    while (true) {
      while (page[i] == ' ') ++i;
      if (page[i] == '>' || page.compare(i, 2, "/>") == 0) break;
      const std::string attribute = word();
      INFO("attribute " << attribute);
      REQUIRE(!attribute.empty());
      CHECK((attributes.count(attribute) == 1 || attribute.rfind("data-", 0) == 0 ||
             attribute.rfind("aria-", 0) == 0));
      if (page[i] == '=') {
        REQUIRE(page[i + 1] == '"');
        i = page.find('"', i + 2);
        REQUIRE(i != std::string::npos);
        ++i;
      }
    }
    ++parsed;
  }
  CHECK(parsed > 100);
}

TEST_CASE("HTML report forbids every external load in its Content-Security-Policy", "[report]") {
  const std::string page = RenderHtmlReport(SampleData());
  std::smatch csp;
  REQUIRE(std::regex_search(page, csp, std::regex(R"(Content-Security-Policy" content="([^"]*))")));
  const std::string policy = csp[1];
  CHECK(policy.find("default-src 'none'") != std::string::npos);
  CHECK(policy.find("img-src data:") != std::string::npos);
  CHECK(policy.find("unsafe-inline'; img-src") != std::string::npos);  // styles only
  CHECK(policy.find("script-src 'sha256-") != std::string::npos);
  CHECK(page.find("http://") == std::string::npos);
  CHECK(page.find("https://") == std::string::npos);
  CHECK(Count(page, "href=") == Count(page, "href=\"#"));  // links stay inside the page
  CHECK(page.find("url(") == std::string::npos);
}

TEST_CASE("HTML report's script hash is the SHA-256 of its script", "[report]") {
  // Computed by Python's hashlib, independently of the constant in the source.
  rankme::testing::TempDir dir;
  {
    std::ofstream out(dir.File("script.js"), std::ios::binary);
    out << html::kScript;
  }
  std::string digest;
  REQUIRE(rankme::testing::RunCommand(
              "/usr/bin/python3 -c \"import base64,hashlib,sys; print(base64.b64encode("
              "hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).decode())\" " +
                  dir.File("script.js"),
              &digest) == 0);
  while (!digest.empty() && std::isspace(static_cast<unsigned char>(digest.back())))
    digest.pop_back();
  CHECK(digest == html::kScriptSha256);
  const std::string page = RenderHtmlReport(SampleData());
  CHECK(page.find("<script>" + std::string(html::kScript) + "</script>") != std::string::npos);
}

TEST_CASE("HTML report draws one series per run, per configuration and per spectrum", "[report]") {
  const ReportData data = SampleData();
  const std::string page = RenderHtmlReport(data);
  // 6 runs, one without a value; 3 configurations; 3 spectra (top two configurations' seeds with
  // a value); 3 configurations in each of the 2 marginal panels; 3 validation points.
  CHECK(Count(page, R"(data-kind="run")") == 5);
  CHECK(Count(page, R"(data-kind="mean")") == 3);
  CHECK(Count(page, R"(data-kind="spectrum")") == 3);
  CHECK(Count(page, R"(data-panel="marginal")") == 2);
  CHECK(Count(page, R"(data-kind="configuration")") == 2 * 3 + 3);
  CHECK(Count(page, R"(<tr data-config=")") ==
        3 /*leaderboard*/ + 6 /*runs*/ + 1 /*flags*/ + 1 /*runs without value*/);
  CHECK(page.find("Pick configuration: <span class=\"mono\">method=vicreg, lr=0.001</span>") !=
        std::string::npos);
  CHECK(page.find(R"(data-v="33.125")") != std::string::npos);
}

TEST_CASE("HTML report of an empty database says so instead of drawing nothing", "[report]") {
  const std::string page = RenderHtmlReport(ReportData{});
  CHECK(page.find("No configuration has a value yet") != std::string::npos);
  CHECK(Count(page, R"(class="series")") == 0);
  CHECK(Count(page, "no data") >= 2);
}
