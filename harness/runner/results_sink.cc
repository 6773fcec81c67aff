#include "runner/results_sink.h"

#include <set>

#include "results/results_file.h"

namespace dspy_compat {

ResultsFileSink::ResultsFileSink(std::filesystem::path path, Results results,
                                 std::chrono::milliseconds interval)
    : path_(std::move(path)), results_(std::move(results)), interval_(interval) {}

void ResultsFileSink::Planned(const std::vector<RunSpec>& round) {
  std::lock_guard lock(mutex_);
  auto& plan = results_.environment.plan;
  if (!plan) plan.emplace();
  std::set<std::string> known;
  for (const PlannedRun& run : *plan) known.insert(run.run_id);
  for (const RunSpec& spec : round) {
    if (!known.contains(spec.run_id)) plan->push_back(PlannedRunOf(spec));
  }
  results_.environment.planned_runs = static_cast<int>(plan->size());
  WriteLocked();
}

void ResultsFileSink::Add(const RunResult& run) {
  std::lock_guard lock(mutex_);
  results_.runs.push_back(run);
  auto now = std::chrono::steady_clock::now();
  if (!last_write_ || now - *last_write_ >= interval_) WriteLocked();
}

void ResultsFileSink::WriteLocked() {
  last_write_ = std::chrono::steady_clock::now();
  try {
    WriteResultsFile(path_, results_);
    error_.reset();
  } catch (const std::exception& e) {  // filesystem_error: read-only, full, gone
    error_ = e.what();
  }
}

std::optional<std::string> ResultsFileSink::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

}  // namespace dspy_compat
