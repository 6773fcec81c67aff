#include "process/sandbox.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

fs::path FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    fs::path candidate = fs::path(dirs.substr(start, end - start)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

bool IsUnder(const fs::path& path, const fs::path& folder) {
  auto [f, p] = std::mismatch(folder.begin(), folder.end(), path.begin(), path.end());
  return f == folder.end();
}

}  // namespace

std::optional<SandboxMode> ParseSandboxMode(std::string_view text) {
  if (text == "auto") return SandboxMode::kAuto;
  if (text == "bwrap") return SandboxMode::kBwrap;
  if (text == "none") return SandboxMode::kNone;
  return std::nullopt;
}

std::string Sandbox::Label(bool own_pid_namespace) const {
  std::string label =
      !enabled() ? "process-group" : (own_pid_namespace ? "pidns" : "bwrap-no-pidns");
  if (netns_fd >= 0) label += "+netns";
  if (enabled() && !hidden_home.empty()) label += "+nohome";
  return label;
}

std::vector<std::string> Sandbox::Wrap(const std::vector<std::string>& argv, For what,
                                       const std::vector<fs::path>& extra_read_only) const {
  std::vector<std::string> out = {bwrap.string(), "--dev-bind", "/", "/"};
  if (what == For::kRun) {
    // bwrap is the namespace's init: when the run's process ends, it exits,
    // and the kernel kills whatever else is left in the namespace.
    out.insert(out.end(),
               {"--die-with-parent", "--unshare-pid", "--proc", "/proc", "--new-session"});
  } else if (user_namespace) {
    // A fork server makes a PID namespace per run, which takes CAP_SYS_ADMIN
    // (here only in the user namespace bwrap makes).
    out.insert(out.end(), {"--unshare-user", "--cap-add", "CAP_SYS_ADMIN"});
  }
  if (!hidden_home.empty()) out.insert(out.end(), {"--tmpfs", hidden_home.string()});
  std::vector<std::pair<fs::path, bool>> binds;  // folder, writable
  for (const auto& p : read_only) binds.emplace_back(p, false);
  for (const auto& p : extra_read_only) binds.emplace_back(p, false);
  for (const auto& p : read_only_everywhere) binds.emplace_back(p, false);
  for (const auto& p : writable) binds.emplace_back(p, true);
  // Parents before children, so that a child's bind is not hidden by its
  // parent's (a writable session folder inside a read-only project).
  std::stable_sort(binds.begin(), binds.end(), [](const auto& a, const auto& b) {
    return a.first.string().size() < b.first.string().size();
  });
  for (const auto& [folder, rw] : binds) {
    const bool hidden = !hidden_home.empty() && IsUnder(folder, hidden_home);
    const bool in_read_only =
        std::any_of(read_only_everywhere.begin(), read_only_everywhere.end(),
                    // clang 14 (the fuzz build) cannot capture a structured binding.
                    [&f = folder](const fs::path& r) { return IsUnder(f, r); });
    if (!hidden && !in_read_only) continue;  // visible (and as writable as it is) anyway
    out.insert(out.end(), {rw ? "--bind-try" : "--ro-bind-try", folder.string(), folder.string()});
  }
  out.push_back("--");
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

Sandbox PrepareSandbox(SandboxMode mode, bool pass_home, const fs::path& home) {
  Sandbox sandbox;
  if (mode == SandboxMode::kNone) {
    sandbox.why_not = "--sandbox none";
    return sandbox;
  }
  sandbox.user_namespace = ::geteuid() != 0;
  fs::path bwrap = FindOnPath("bwrap");
  std::string problem;
  if (bwrap.empty()) {
    problem = "bwrap (bubblewrap) is not on PATH";
  } else {
    // As a fork server would be started: the stronger of the two uses.
    std::vector<std::string> probe = {bwrap.string(),      "--dev-bind",   "/", "/",
                                      "--die-with-parent", "--unshare-pid"};
    if (sandbox.user_namespace) {
      probe.insert(probe.end(), {"--unshare-user", "--cap-add", "CAP_SYS_ADMIN"});
    }
    probe.insert(probe.end(), {"--", "true"});
    fs::path log = fs::temp_directory_path() / fmt::format("dspy-compat-bwrap-{}.log", ::getpid());
    ProcessSpec spec;
    spec.argv = probe;
    spec.env = CurrentEnvironment();
    spec.output_path = log;
    spec.timeout = std::chrono::seconds(20);
    ProcessOutcome outcome = RunProcess(spec);
    std::error_code ec;
    fs::remove(log, ec);
    if (!outcome.started || outcome.exit_code != 0) {
      std::string said = outcome.output_tail;
      while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
      problem = fmt::format("bwrap does not work here (namespaces unavailable?){}{}",
                            said.empty() ? "" : ": ", said.empty() ? outcome.start_error : said);
    }
  }
  if (!problem.empty()) {
    if (mode == SandboxMode::kBwrap) {
      throw std::runtime_error(problem + "; install bubblewrap, or use --sandbox auto|none");
    }
    sandbox.why_not = problem + "; runs are contained by a process group only";
  } else {
    sandbox.bwrap = bwrap;
    std::error_code ec;
    if (!pass_home && home.is_absolute() && fs::is_directory(home, ec)) {
      fs::path canonical = fs::canonical(home, ec);
      if (!ec && canonical != canonical.root_path()) sandbox.hidden_home = canonical;
    }
  }
  std::string netns_why;
  if (std::optional<int> fd = MakeLoopbackNetns(&netns_why)) {
    sandbox.netns_fd = *fd;
  } else {
    std::string line = "no loopback-only network namespace (" + netns_why +
                       "): egress past loopback is refused by the runner's audit hook and "
                       "the refusing proxy only";
    sandbox.why_not = sandbox.why_not.empty() ? line : sandbox.why_not + "; " + line;
  }
  return sandbox;
}

fs::path InterpreterPrefix(const fs::path& interpreter) {
  std::error_code ec;
  fs::path real = fs::canonical(interpreter, ec);
  if (ec) return {};
  // <prefix>/bin/python3.X
  return real.parent_path().parent_path();
}

void UndoBwrapExitStatus(ProcessOutcome& outcome) {
  if (outcome.term_signal || !outcome.exit_code) return;
  int code = *outcome.exit_code;
  if (code > 128 && code <= 128 + 64) {
    outcome.term_signal = code - 128;
    outcome.exit_code.reset();
  }
}

std::optional<int> MakeLoopbackNetns(std::string* why) {
  int fd = -1;
  // A thread of its own: unshare moves only the calling thread, which then
  // ends; the descriptor keeps the namespace.
  std::thread maker([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      *why = fmt::format("unshare(CLONE_NEWNET): {}", std::strerror(errno));
      return;
    }
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    bool up = s >= 0 && ::ioctl(s, SIOCGIFFLAGS, &ifr) == 0 &&
              (ifr.ifr_flags |= IFF_UP, ::ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
    if (s >= 0) ::close(s);
    if (!up) {
      *why = fmt::format("bringing loopback up: {}", std::strerror(errno));
      return;
    }
    fd = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) *why = fmt::format("/proc/thread-self/ns/net: {}", std::strerror(errno));
  });
  maker.join();
  if (fd < 0) return std::nullopt;
  return fd;
}

ScopedNetns::ScopedNetns(int netns_fd) {
  if (netns_fd < 0) return;
  original_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  ok_ = original_ >= 0 && ::setns(netns_fd, CLONE_NEWNET) == 0;
}

ScopedNetns::~ScopedNetns() {
  if (original_ < 0) return;
  if (ok_) ::setns(original_, CLONE_NEWNET);
  ::close(original_);
}

}  // namespace dspy_compat
