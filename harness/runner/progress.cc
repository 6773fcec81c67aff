#include "runner/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <ostream>

namespace dspy_compat {

Progress::Progress(int total, bool live, std::ostream& out)
    : total_(total), live_(live), out_(out), start_(std::chrono::steady_clock::now()) {}

bool Progress::ShouldBeLive(int fd) {
  const char* ci = std::getenv("CI");
  return ::isatty(fd) == 1 && (ci == nullptr || *ci == '\0' || std::string(ci) == "false");
}

void Progress::Started(const RunSpec&) {
  ++running_;
  if (live_) DrawLive("");
}

void Progress::Finished(const RunSpec& spec, const RunResult& result) {
  --running_;
  ++done_;
  if (IsFailure(result.status)) ++failed_;
  std::string what =
      fmt::format("{:<7} {} on {} (rep {}, {:.1f}s)", StatusName(result.status), spec.scenario.id,
                  spec.target.name, spec.repetition, result.wall_seconds);
  if (IsFailure(result.status)) {
    std::string error = result.error_type.empty() ? result.error_message
                                                  : result.error_type + ": " + result.error_message;
    what += ": " + error.substr(0, error.find('\n'));
  }
  if (live_) {
    DrawLive(what);
  } else {
    out_ << fmt::format("[{}/{}] {}\n", done_, total_, what) << std::flush;
  }
}

void Progress::DrawLive(const std::string& last) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string eta = "?";
  if (done_ > 0) eta = fmt::format("{:.0f}s", elapsed / done_ * (total_ - done_));
  out_ << fmt::format("\r\033[K[{}/{}] {} running, {} failed, ~{} left  {}", done_, total_,
                      running_, failed_, eta, last.substr(0, 80))
       << std::flush;
}

void Progress::Done() {
  if (live_) out_ << "\n";
  out_ << std::flush;
}

}  // namespace dspy_compat
