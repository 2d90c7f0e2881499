#include "rankme/app/score_files.h"

#include <fmt/format.h>

#include <chrono>

#include "rankme/io/embedding_reader.h"
#include "rankme/io/tensor_listing.h"
#include "rankme/metrics/memory_estimate.h"

namespace rankme::app {

namespace {

// Resolves which tensor a spec means, recording the choice when the file holds several.
void ResolveTensor(FileScore& score) {
  const io::EmbeddingSpec spec = io::SplitEmbeddingSpec(score.spec);
  score.path = spec.path;
  score.tensor = spec.tensor;
  if (!spec.tensor.empty()) return;
  const std::vector<io::TensorEntry> entries = io::ListTensors(spec.path);
  if (entries.size() <= 1) {
    if (!entries.empty()) score.tensor = entries.front().name;
    return;
  }
  score.tensor = io::ChooseDefaultTensor(entries, spec.path);
  std::string names;
  for (const auto& entry : entries) names += (names.empty() ? "" : ", ") + entry.name;
  score.tensor_note = "used '" + score.tensor + "' of: " + names;
}

}  // namespace

std::vector<FileScore> ScoreFiles(const std::vector<std::string>& specs,
                                  const ScoreFilesOptions& options) {
  std::vector<FileScore> scores;
  scores.reserve(specs.size());
  for (const std::string& spec : specs) {
    FileScore score;
    score.spec = spec;
    const auto start = std::chrono::steady_clock::now();
    try {
      ResolveTensor(score);
      const std::string resolved =
          score.tensor.empty() ? score.path : score.path + "#" + score.tensor;
      auto stream = io::OpenEmbeddings(resolved, options.stream);
      score.info = stream->info();
      const std::size_t needed = metrics::EstimateRankmeMemory(score.info, options.rankme);
      const std::size_t budget =
          options.rankme.max_memory > 0 ? options.rankme.max_memory : metrics::DefaultMaxMemory();
      // Beyond the budget ComputeRankme refuses the file, with the estimate in its message.
      if (options.note && needed >= kMemoryNoteBytes && needed <= budget) {
        options.note(
            fmt::format("{}: {} x {} {}: scoring needs about {} of memory (it follows D² "
                        "and min(N, D), not the file size)",
                        resolved, score.info.rows, score.info.cols, DTypeName(score.info.dtype),
                        metrics::FormatBytes(needed)));
      }
      score.result = metrics::ComputeRankme(*stream, options.rankme);
    } catch (const Error& e) {
      score.error = e.what();
      score.error_code = e.exit_code();
    }
    score.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    scores.push_back(std::move(score));
  }
  return scores;
}

}  // namespace rankme::app
