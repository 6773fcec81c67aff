// Where a session puts each run as it finishes. The tool's sink rewrites
// results.json as runs come in, so that a harness killed outright still
// leaves what it had gathered.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>

#include "core/model.h"

namespace dspy_compat {

class ResultsSink {
 public:
  virtual ~ResultsSink() = default;
  // One finished run; called one at a time, in the order runs finish.
  virtual void Add(const RunResult& run) = 0;
};

// Keeps `results` (the session's header) with the runs added so far and
// rewrites `path` with them: at the first run, then at most once per
// `interval`.
class ResultsFileSink : public ResultsSink {
 public:
  ResultsFileSink(std::filesystem::path path, Results results,
                  std::chrono::milliseconds interval = std::chrono::seconds(1));
  void Add(const RunResult& run) override;

 private:
  std::filesystem::path path_;
  Results results_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> last_write_;
};

}  // namespace dspy_compat
