#include "runner/fork_server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/json_int.h"
#include "process/spawn.h"

namespace dspy_compat {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// How often a waiting run looks at its cancel flag and time limit.
constexpr std::chrono::milliseconds kPoll{50};
// After a kill, how long the server gets to report the run's end.
constexpr std::chrono::seconds kKillGrace{10};
// At shutdown, how long the server gets to kill its runs and exit.
constexpr std::chrono::seconds kStopGrace{2};
constexpr int kControlFd = 3;

std::string LastLine(const std::string& text) {
  std::string line;
  std::size_t end = text.find_last_not_of("\n ");
  if (end == std::string::npos) return line;
  std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

// True once pid has exited, without reaping it: while it is a zombie its
// pid, and so its process group id, cannot be reused.
bool HasExited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// The server's lines, read by type: json::value() throws type_error on a
// field of another type, and an exception on the reader thread would end the
// harness. The server runs whatever the target's environment imports.
std::string TextField(const json& line, const char* key, std::string fallback) {
  auto it = line.find(key);
  return it != line.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::optional<int> IntField(const json& line, const char* key) {
  auto it = line.find(key);
  return it == line.end() ? std::nullopt : JsonInt(*it);
}

}  // namespace

ForkServer::ForkServer(const ForkServerOptions& options, const std::atomic<bool>* cancel) {
  try {
    Spawn(options);
    // The environment it was given: what the interpreter changed in it (a
    // wrapper script, CPython's locale coercion) it applies to each run's.
    Send(json{{"op", "hello"}, {"env", options.env}}.dump(-1, ' ', false,
                                                          json::error_handler_t::replace) +
         "\n");
    AwaitReady(options, cancel);
  } catch (...) {
    Stop();
    throw;
  }
  reader_ = std::thread([this] { ReadEvents(); });
}

ForkServer::~ForkServer() { Stop(); }

void ForkServer::Spawn(const ForkServerOptions& options) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    throw WarmStartError(fmt::format("cannot make a socket pair: {}", std::strerror(errno)));
  }
  socket_ = fds[0];
  int theirs = fds[1];
  if (theirs == kControlFd) {
    // dup2 onto itself would keep close-on-exec set; move it out of the way.
    int moved = ::fcntl(theirs, F_DUPFD_CLOEXEC, 10);
    ::close(theirs);
    theirs = moved;
  }

  std::vector<std::string> argv = {
      options.interpreter.string(), "-X",           "faulthandler",
      options.script.string(),      "--control-fd", std::to_string(kControlFd)};
  if (!options.label.empty()) {
    argv.push_back("--label");
    argv.push_back(options.label);
  }
  int netns_fd = -1;
  if (options.sandbox != nullptr) {
    netns_fd = options.sandbox->netns_fd;
    if (options.sandbox->enabled()) {
      argv.push_back("--pid-namespace-per-run");
      // No PID namespace for the server itself: the pids it reports are then
      // the harness's, and it makes one per run.
      argv = options.sandbox->Wrap(
          argv, Sandbox::For::kForkServer,
          {InterpreterPrefix(options.interpreter), options.script.parent_path()});
    }
  }
  // As RunProcess starts a run: a group of its own (its runs get theirs),
  // default signal handling and no blocked signals.
  std::string error;
  std::optional<pid_t> pid = SpawnInOwnGroup({.argv = argv,
                                              .env = options.env,
                                              .cwd = options.cwd,
                                              .output_path = options.log_path,
                                              .pass_fds = {{theirs, kControlFd}},
                                              .netns_fd = netns_fd},
                                             &error);
  ::close(theirs);
  if (!pid) throw WarmStartError(error);
  pid_ = *pid;
}

void ForkServer::AwaitReady(const ForkServerOptions& options, const std::atomic<bool>* cancel) {
  auto deadline = Clock::now() + options.start_timeout;
  std::size_t newline;
  while ((newline = buffer_.find('\n')) == std::string::npos) {
    if (cancel != nullptr && cancel->load()) throw WarmStartError("interrupted while starting");
    if (Clock::now() >= deadline) {
      throw WarmStartError(fmt::format(
          "the warm interpreter did not import dspy within {} s",
          std::chrono::duration_cast<std::chrono::seconds>(options.start_timeout).count()));
    }
    pollfd pfd{socket_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(kPoll.count())) <= 0) continue;
    char chunk[4096];
    ssize_t n = ::recv(socket_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = LastLine(ReadFileTail(options.log_path, 4096));
      throw WarmStartError(fmt::format("the warm interpreter exited while starting{}{}",
                                       why.empty() ? "" : ": ", why));
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  auto hello = json::parse(buffer_.substr(0, newline), nullptr, false);
  buffer_.erase(0, newline + 1);
  std::string event = hello.is_object() ? TextField(hello, "event", "") : "";
  if (event == "unsafe") throw WarmStartError(TextField(hello, "reason", "unsafe to fork"));
  if (event != "ready") throw WarmStartError("the warm interpreter said something unexpected");
  // Whether runs get a PID namespace is recorded per run: not a guess.
  auto namespaces = hello.find("pid_namespaces");
  if (namespaces != hello.end() && !namespaces->is_boolean()) {
    throw WarmStartError(fmt::format(
        "the warm interpreter said something unexpected: pid_namespaces is a {}, not a boolean",
        namespaces->type_name()));
  }
  own_pid_namespaces_ = namespaces != hello.end() && namespaces->get<bool>();
}

bool ForkServer::Send(const std::string& line) {
  std::lock_guard lock(send_mutex_);
  std::size_t sent = 0;
  while (sent < line.size()) {
    // MSG_NOSIGNAL: a server that died must not take the harness with it.
    ssize_t n = ::send(socket_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

void ForkServer::ReadEvents() {
  char chunk[4096];
  for (;;) {
    ssize_t n = ::recv(socket_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    std::size_t newline;
    while ((newline = buffer_.find('\n')) != std::string::npos) {
      Dispatch(buffer_.substr(0, newline));
      buffer_.erase(0, newline + 1);
    }
  }
  {
    std::lock_guard lock(mutex_);
    lost_ = true;
  }
  changed_.notify_all();
}

void ForkServer::Dispatch(const std::string& line) {
  auto event = json::parse(line, nullptr, false);
  if (!event.is_object() || !event.contains("id") || !event["id"].is_number_unsigned()) return;
  auto id = event["id"].get<std::uint64_t>();
  std::string kind = TextField(event, "event", "");
  {
    std::lock_guard lock(mutex_);
    if (distrusted_) return;  // it said a pid that cannot be a run's: nothing it says counts
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    Pending& p = it->second;
    if (kind == "started") {
      // Runs are stopped by kill(-pid): 0, 1 or a negative pid would signal
      // the harness's own group or every process there is.
      std::optional<int> pid = IntField(event, "pid");
      if (!pid || *pid <= 1) {
        distrusted_ = true;
        unusable_why_ =
            fmt::format("the warm interpreter reported an impossible pid ({}) for a run",
                        event.contains("pid") ? event["pid"].dump() : "none");
        // End of file tells it to kill its runs and exit; the reader then
        // sees the end and every waiting run ends as its server's loss.
        ::shutdown(socket_, SHUT_RDWR);
      } else {
        p.pid = *pid;
      }
    } else if (kind == "refused") {
      p.refused = TextField(event, "reason", "refused");
      auto fatal = event.find("fatal");
      if (fatal != event.end() && fatal->is_boolean() && fatal->get<bool>()) {
        unusable_why_ = *p.refused;
      }
    } else if (kind == "exited") {
      p.exited = true;
      p.exit_code = IntField(event, "exit_code");
      p.term_signal = IntField(event, "signal");
    }
  }
  changed_.notify_all();
}

void ForkServer::KillRun(std::uint64_t id, pid_t pid) {
  // Through the server, which knows whether it has reaped the run yet; only
  // when it is gone, directly.
  if (!Send(json{{"op", "kill"}, {"id", id}}.dump() + "\n")) ::kill(-pid, SIGKILL);
}

std::string ForkServer::WhyUnusable() const {
  std::lock_guard lock(mutex_);
  if (!unusable_why_.empty()) return unusable_why_;
  return lost_ ? "the warm interpreter has stopped" : "";
}

std::optional<ProcessOutcome> ForkServer::Run(const WarmRun& run, const std::atomic<bool>* cancel,
                                              std::string* refused) {
  const std::string gone = "the warm interpreter has stopped";
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    if (lost_ || !unusable_why_.empty()) {
      *refused = lost_ ? gone : unusable_why_;
      return std::nullopt;
    }
    id = next_id_++;
    pending_[id];
  }
  json request = {{"op", "run"},
                  {"id", id},
                  {"argv", run.runner_args},
                  {"env", run.env},
                  {"cwd", run.cwd.string()},
                  {"output", run.output_path.string()}};
  auto started_at = Clock::now();
  // Replacing bytes that are not UTF-8 changes the environment, which the
  // server then refuses: such a run falls back to a fresh interpreter.
  bool sent = Send(request.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");

  ProcessOutcome outcome;
  outcome.started = true;
  std::unique_lock lock(mutex_);
  if (!sent) {
    pending_.erase(id);
    *refused = gone;
    return std::nullopt;
  }
  // Stopping a run goes through the server, once it has said the run's pid
  // (it knows whether it has reaped the run yet).
  WaitEnd end = WaitWithLimits(
      {.started = started_at,
       .timeout = run.timeout,
       .cancel = cancel,
       .poll = kPoll,
       .stop_grace = kKillGrace},
      [&] {
        const Pending& p = pending_[id];
        return p.refused || p.exited || lost_;
      },
      [&](std::chrono::milliseconds wait) { changed_.wait_for(lock, wait); },
      [&] {
        std::optional<pid_t> pid = pending_[id].pid;
        if (!pid) return false;
        lock.unlock();
        KillRun(id, *pid);
        lock.lock();
        return true;
      });
  outcome.cancelled = end.cancelled;
  outcome.timed_out = end.timed_out;
  Pending& p = pending_[id];
  if (!end.finished) {
    ::kill(-*p.pid, SIGKILL);  // the server never reported its end; its status is unknown
  } else if (p.refused) {
    *refused = *p.refused;
    pending_.erase(id);
    return std::nullopt;
  } else if (p.exited) {
    outcome.exit_code = p.exit_code;
    outcome.term_signal = p.term_signal;
  } else {  // lost_: the server is gone
    std::optional<pid_t> pid = p.pid;
    pending_.erase(id);
    if (!pid) {
      *refused = unusable_why_.empty() ? gone : unusable_why_;
      return std::nullopt;
    }
    ::kill(-*pid, SIGKILL);  // an orphan now; nobody reports its end
    outcome.started = false;
    outcome.start_error = "the warm interpreter stopped while the run was going";
    return outcome;
  }
  pending_.erase(id);
  lock.unlock();
  outcome.own_pid_namespace = own_pid_namespaces_;
  outcome.wall_seconds = std::chrono::duration<double>(Clock::now() - started_at).count();
  outcome.output_tail = ReadFileTail(run.output_path, run.output_tail_bytes);
  return outcome;
}

void ForkServer::Stop() {
  // End of file on its channel tells the server to kill its runs and exit.
  if (socket_ >= 0) ::shutdown(socket_, SHUT_RDWR);
  if (reader_.joinable()) reader_.join();
  if (socket_ >= 0) {
    ::close(socket_);
    socket_ = -1;
  }
  if (pid_ <= 0) return;
  auto deadline = Clock::now() + kStopGrace;
  while (!HasExited(pid_) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(-pid_, SIGKILL);  // anything left in its group
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace dspy_compat
