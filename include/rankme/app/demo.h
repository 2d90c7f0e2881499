#pragma once

#include <string>
#include <vector>

#include "rankme/app/ingest.h"
#include "rankme/app/report.h"
#include "rankme/app/score_files.h"
#include "rankme/app/selection.h"

namespace rankme::app {

/// Settings of `rankme demo`.
struct DemoOptions {
  std::string dir;  ///< where to write; empty = a new folder under the system temp folder
  int jobs = 0;     ///< ingest workers (0 = one per core)
};

/// One synthetic matrix of the spectra tour: what it is, the RankMe its prescribed spectrum
/// implies (computed from the spectrum by the formula) and what rankme measured from the file.
struct DemoMatrix {
  std::string name;         ///< flat | power-law | rank-deficient | collapsed
  std::string description;  ///< what the spectrum is, in a sentence
  double expected = 0;      ///< RankmeFromSingularValues of the prescribed spectrum
  FileScore score;          ///< what `rankme score` finds in the written .npy
};

/// Everything the demo did, for the command to print.
struct DemoResult {
  std::string dir;
  std::vector<DemoMatrix> matrices;
  std::string sweep_dir;  ///< the synthetic sweep (Hydra multirun layout)
  std::string db_path;    ///< the database the sweep was ingested into
  IngestSummary ingest;
  BestReport best;                   ///< `rankme best --within method` on the sweep
  ranking::Leaderboard leaderboard;  ///< `rankme leaderboard --within method`
  ReportFile report;                 ///< `rankme report --within method` at dir/report.html
};

/// Writes four matrices with known spectra and scores them, then writes a small synthetic
/// sweep (method × learning rate × seed, spectra that depend on the hyperparameters and sharpen
/// with training), ingests it and ranks its configurations within each method. Throws IoError when
/// `dir` cannot be written.
DemoResult RunDemo(const DemoOptions& options);

}  // namespace rankme::app
