#include "runner/results_sink.h"

#include "results/results_file.h"

namespace dspy_compat {

ResultsFileSink::ResultsFileSink(std::filesystem::path path, Results results,
                                 std::chrono::milliseconds interval)
    : path_(std::move(path)), results_(std::move(results)), interval_(interval) {}

void ResultsFileSink::Add(const RunResult& run) {
  std::lock_guard lock(mutex_);
  results_.runs.push_back(run);
  auto now = std::chrono::steady_clock::now();
  if (!last_write_ || now - *last_write_ > interval_) {
    WriteResultsFile(path_, results_);
    last_write_ = now;
  }
}

}  // namespace dspy_compat
