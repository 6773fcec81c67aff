#include "runner/progress.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <ostream>

namespace dspy_compat {

std::string FormatDuration(double seconds) {
  auto s = static_cast<long>(std::lround(std::max(0.0, seconds)));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

Progress::Progress(int total, bool live, std::ostream& out, int width, Clock clock)
    : total_(total),
      live_(live),
      out_(out),
      width_(width),
      clock_(clock ? std::move(clock) : [] { return std::chrono::steady_clock::now(); }),
      start_(clock_()) {}

bool Progress::ShouldBeLive(bool terminal, const char* ci, const char* term) {
  bool in_ci = ci != nullptr && *ci != '\0' && std::string(ci) != "false";
  bool dumb = term != nullptr && std::string(term) == "dumb";
  return terminal && !in_ci && !dumb;
}

bool Progress::ShouldBeLive(int fd) {
  return ShouldBeLive(::isatty(fd) == 1, std::getenv("CI"), std::getenv("TERM"));
}

int Progress::TerminalWidth(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

double Progress::Elapsed() const {
  return std::chrono::duration<double>(clock_() - start_).count();
}

std::string Progress::EstimatedTimeLeft() const {
  if (done_ == 0) return "?";
  return "~" + FormatDuration(Elapsed() / done_ * (total_ - done_));
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
    // CI logs get the estimate too: a long job's log says when it will end.
    out_ << fmt::format("[{}/{}] {} left  {}\n", done_, total_, EstimatedTimeLeft(), what)
         << std::flush;
  }
}

void Progress::DrawLive(const std::string& last) {
  std::string line = fmt::format("[{}/{}] {} running, {} failed, {} left", done_, total_, running_,
                                 failed_, EstimatedTimeLeft());
  if (!last.empty()) line += "  " + last;
  // One column spare: writing the last column makes some terminals wrap.
  auto fit = static_cast<std::size_t>(std::max(20, width_ - 1));
  if (line.size() > fit) {
    std::size_t cut = fit - 3;
    // Never split a UTF-8 sequence (error messages may hold any text).
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut) + "...";
  }
  out_ << "\r\033[K" << line << std::flush;
}

void Progress::Done() {
  if (live_) out_ << "\r\033[K";
  out_ << fmt::format("{} of {} runs in {}: {} passed, {} failed\n", done_, total_,
                      FormatDuration(Elapsed()), done_ - failed_, failed_)
       << std::flush;
}

}  // namespace dspy_compat
