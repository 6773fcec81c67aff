// Where a session puts each run as it finishes. The tool's sink rewrites
// results.json as runs come in, so that a harness killed outright still
// leaves what it had gathered.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "runner/run_plan.h"

namespace dspy_compat {

class ResultsSink {
 public:
  virtual ~ResultsSink() = default;
  // A round of runs about to start (results v1.11 record the plan).
  virtual void Planned(const std::vector<RunSpec>& /*round*/) {}
  // One finished run; called one at a time, in the order runs finish.
  virtual void Add(const RunResult& run) = 0;
};

// Keeps `results` (the session's header) with the runs added so far and
// rewrites `path` with them: at the first run, then at most once per
// `interval`; and at once with each round planned (its runs join the
// header's `plan`, so that a killed session is known to be unfinished).
// A write that fails (a read-only or full file system) throws nothing: the
// runs stay in memory, the last good file stays as it was, and error() says
// what happened, for the session to report at its end.
class ResultsFileSink : public ResultsSink {
 public:
  ResultsFileSink(std::filesystem::path path, Results results,
                  std::chrono::milliseconds interval = std::chrono::seconds(1));
  void Planned(const std::vector<RunSpec>& round) override;
  void Add(const RunResult& run) override;

  // The last write's failure ("PATH: reason"), if it failed; cleared by a
  // write that succeeds.
  std::optional<std::string> error() const;

 private:
  void WriteLocked();

  std::filesystem::path path_;
  Results results_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> last_write_;
  std::optional<std::string> error_;
};

}  // namespace dspy_compat
