// Progress on long runs: a live status line on a terminal, one line per
// finished run otherwise (or when CI is set), like lit and pytest.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

#include "core/model.h"
#include "runner/run_plan.h"

namespace dspy_compat {

class Progress {
 public:
  Progress(int total, bool live, std::ostream& out);
  void Started(const RunSpec& spec);
  void Finished(const RunSpec& spec, const RunResult& result);
  void Done();

  // Live on an interactive terminal unless CI is set (CI logs want lines).
  static bool ShouldBeLive(int fd);

 private:
  void DrawLive(const std::string& last);

  int total_;
  bool live_;
  std::ostream& out_;
  int running_ = 0;
  int done_ = 0;
  int failed_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace dspy_compat
