// Progress on long runs, like lit and pytest: on a terminal one live status
// line (done, running, failed, estimated time left, the last run) redrawn
// in place; otherwise (a log file, or CI set) one plain line per finished
// run with the estimated time left, which CI log viewers show as it comes.
// No colour anywhere (so NO_COLOR has nothing to turn off); the live line's
// escape codes are used only on a terminal that is not TERM=dumb.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <string>

#include "core/model.h"
#include "runner/run_plan.h"

namespace dspy_compat {

class Progress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // width: the terminal's columns (live lines are cut to fit, or a redraw
  // would wrap and scroll); clock: injectable for tests.
  Progress(int total, bool live, std::ostream& out, int width = 80, Clock clock = {});
  void Started(const RunSpec& spec);
  void Finished(const RunSpec& spec, const RunResult& result);
  // More runs were planned (a further round of adaptive repetitions).
  void AddPlanned(int runs) { total_ += runs; }
  // Ends the live line and prints one summary line.
  void Done();

  // Live on an interactive terminal unless CI is set (CI logs want lines)
  // or TERM=dumb (no cursor control).
  static bool ShouldBeLive(int fd);
  // The same decision with its inputs given (variables may be null).
  static bool ShouldBeLive(bool terminal, const char* ci, const char* term);
  // Columns of the terminal on fd, or 80 when it is not one.
  static int TerminalWidth(int fd);

  // "~1m05s": the time the remaining runs take at the rate seen so far;
  // "?" before the first run finishes.
  std::string EstimatedTimeLeft() const;

 private:
  void DrawLive(const std::string& last);
  double Elapsed() const;

  int total_;
  bool live_;
  std::ostream& out_;
  int width_;
  Clock clock_;
  int running_ = 0;
  int done_ = 0;
  int failed_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// "45s", "3m05s", "1h02m".
std::string FormatDuration(double seconds);

}  // namespace dspy_compat
