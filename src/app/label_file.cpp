// Label files (CSV or JSON) of user-supplied label-based numbers, and their matching to runs.
#include "rankme/app/label_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "app/json_text_internal.h"
#include "rankme/core/error.h"
#include "rankme/core/utf8_text.h"
#include "rankme/report/table.h"

namespace rankme::app {

namespace {

const std::vector<std::string> kKeyColumns = {"run", "checkpoint", "step", "epoch"};

bool IsKeyColumn(const std::string& name) {
  return std::find(kKeyColumns.begin(), kKeyColumns.end(), name) != kKeyColumns.end();
}

std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// RFC 4180 records: quoted fields may hold commas, quotes (doubled) and line breaks.
std::vector<std::vector<std::string>> CsvRecords(const std::string& text,
                                                 const std::string& source) {
  std::vector<std::vector<std::string>> records(1);
  std::string field;
  bool quoted = false, field_started = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      records.back().push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      records.back().push_back(std::move(field));
      field.clear();
      field_started = false;
      records.emplace_back();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw FormatError("unterminated quoted CSV field", source);
  if (field_started || !records.back().empty()) records.back().push_back(std::move(field));
  std::erase_if(records,
                [](const auto& r) { return r.empty() || (r.size() == 1 && r[0].empty()); });
  return records;
}

// Key cells and value cells of one row, by column name, as text.
using Row = std::map<std::string, std::string>;

std::string ChooseColumn(const std::vector<std::string>& names, const std::vector<Row>& rows,
                         const std::string& wanted, const std::string& source) {
  if (std::find(names.begin(), names.end(), "run") == names.end()) {
    throw FormatError("a label file needs a 'run' column", source);
  }
  if (!wanted.empty()) {
    if (std::find(names.begin(), names.end(), wanted) == names.end() || IsKeyColumn(wanted)) {
      throw UsageError(
          fmt::format("--label-column {}: no such value column in the label file", wanted), source);
    }
    return wanted;
  }
  for (const std::string& name : names) {
    if (IsKeyColumn(name)) continue;
    const bool numeric = std::any_of(rows.begin(), rows.end(), [&](const Row& r) {
      auto it = r.find(name);
      return it != r.end() && ParseNumber(it->second);
    });
    if (numeric) return name;
  }
  throw FormatError("the label file has no numeric value column", source);
}

std::optional<std::int64_t> ParseInteger(const std::string& text, const std::string& source) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw FormatError(fmt::format("'{}' is not an integer step or epoch", text), source);
  }
  return value;
}

LabelFile FromRows(const std::vector<std::string>& names, const std::vector<Row>& rows,
                   const std::string& wanted, const std::string& source) {
  LabelFile file;
  file.column = ChooseColumn(names, rows, wanted, source);
  for (const Row& row : rows) {
    auto get = [&](const std::string& key) {
      auto it = row.find(key);
      return it == row.end() ? std::string() : it->second;
    };
    const std::string cell = get(file.column);
    if (cell.empty()) continue;
    const auto value = ParseNumber(cell);
    // A cell is quoted in a message at most 40 bytes long, made visible: a label file may hold
    // NUL bytes, newlines or megabyte fields, and the message stays one short line.
    const auto shown = [](const std::string& text) {
      std::string out = report::VisibleText(text.substr(0, 40));
      if (text.size() > 40) out += "...";
      return out;
    };
    if (!value) {
      throw FormatError(fmt::format("'{}' in column {} is not a number", shown(cell), file.column),
                        source);
    }
    if (!std::isfinite(*value)) {
      throw FormatError(fmt::format("'{}' in column {} is not a finite number (run {})",
                                    shown(cell), file.column, shown(get("run"))),
                        source);
    }
    LabelEntry entry;
    entry.run = get("run");
    if (entry.run.empty()) throw FormatError("a row has an empty run", source);
    if (const std::string c = get("checkpoint"); !c.empty()) entry.checkpoint = c;
    entry.step = ParseInteger(get("step"), source);
    entry.epoch = ParseInteger(get("epoch"), source);
    entry.value = *value;
    file.entries.push_back(std::move(entry));
  }
  return file;
}

std::string JsonCell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return internal::JsonText(value);
}

LabelFile ParseJson(const std::string& text, const std::string& source, const std::string& want) {
  const nlohmann::json json = internal::ParseUserJson(text, source);
  std::vector<std::string> names;
  std::vector<Row> rows;
  auto add_name = [&](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  if (json.is_object()) {  // {run: value}
    add_name("run");
    add_name("value");
    for (const auto& [run, value] : json.items())
      rows.push_back({{"run", run}, {"value", JsonCell(value)}});
  } else if (json.is_array()) {
    for (const auto& item : json) {
      if (!item.is_object()) throw FormatError("a JSON label list must hold objects", source);
      Row row;
      for (const auto& [key, value] : item.items()) {
        add_name(key);
        row[key] = JsonCell(value);
      }
      rows.push_back(std::move(row));
    }
  } else {
    throw FormatError("a JSON label file is a list of objects or an object {run: value}", source);
  }
  return FromRows(names, rows, want, source);
}

}  // namespace

LabelFile ParseLabelFile(const std::string& text, const std::string& source,
                         const std::string& column) {
  const auto first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (first == std::string::npos) throw FormatError("the label file is empty", source);
  if (text[first] == '[' || text[first] == '{') return ParseJson(text, source, column);
  auto records = CsvRecords(text.substr(text.rfind('\xEF', 0) == 0 ? 3 : 0), source);
  const std::vector<std::string> names = records.front();
  std::vector<Row> rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != names.size()) {
      throw FormatError(fmt::format("CSV record {} has {} fields, the header {}", r + 1,
                                    records[r].size(), names.size()),
                        source);
    }
    Row row;
    for (std::size_t c = 0; c < names.size(); ++c) row[names[c]] = records[r][c];
    rows.push_back(std::move(row));
  }
  return FromRows(names, rows, column, source);
}

namespace {

std::string Trimmed(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

bool EndsWithComponent(const std::string& text, const std::string& tail) {
  return text == tail || (text.size() > tail.size() && text.ends_with(tail) &&
                          text[text.size() - tail.size() - 1] == '/');
}

template <typename T, typename Match>
const T* Unique(const std::vector<const T*>& candidates, Match match) {
  const T* found = nullptr;
  for (const T* c : candidates) {
    if (!match(*c)) continue;
    if (found) return nullptr;  // ambiguous
    found = c;
  }
  return found;
}

}  // namespace

LabelMatch MatchLabels(const LabelFile& file, const std::string& source,
                       const std::vector<RunRecord>& runs,
                       const std::vector<CheckpointRecord>& checkpoints) {
  std::vector<const RunRecord*> all_runs;
  for (const auto& r : runs) all_runs.push_back(&r);
  std::map<std::int64_t, std::vector<const CheckpointRecord*>> by_run;
  for (const auto& c : checkpoints) by_run[c.run_id].push_back(&c);

  LabelMatch match;
  for (const LabelEntry& e : file.entries) {
    const std::string wanted = EscapeInvalidUtf8(Trimmed(e.run));  // as names are stored
    const RunRecord* run =
        Unique(all_runs, [&](const RunRecord& r) { return r.name == wanted || r.path == wanted; });
    if (!run)
      run = Unique(all_runs, [&](const RunRecord& r) { return EndsWithComponent(r.path, wanted); });
    if (!run) {
      match.unmatched.push_back(fmt::format("run '{}': no such run (or more than one)", e.run));
      continue;
    }
    LabelValue label{run->run_id, std::nullopt, file.column, e.value, source};
    const auto& list = by_run[run->run_id];
    const CheckpointRecord* checkpoint = nullptr;
    std::string what;
    if (e.checkpoint) {
      what = "checkpoint " + *e.checkpoint;
      const std::string stored = EscapeInvalidUtf8(*e.checkpoint);
      checkpoint = Unique(list, [&](const CheckpointRecord& c) { return c.name == stored; });
      if (!checkpoint) {
        checkpoint = Unique(
            list, [&](const CheckpointRecord& c) { return EndsWithComponent(c.name, stored); });
      }
    } else if (e.step) {
      what = fmt::format("step {}", *e.step);
      checkpoint = Unique(list, [&](const CheckpointRecord& c) { return c.step == e.step; });
    } else if (e.epoch) {
      what = fmt::format("epoch {}", *e.epoch);
      checkpoint = Unique(list, [&](const CheckpointRecord& c) { return c.epoch == e.epoch; });
    }
    if (!what.empty() && !checkpoint) {
      match.unmatched.push_back(fmt::format("run '{}': no {} (or more than one)", e.run, what));
      continue;
    }
    if (checkpoint) label.checkpoint_id = checkpoint->checkpoint_id;
    match.labels.push_back(std::move(label));
  }
  return match;
}

}  // namespace rankme::app
