#include "runner/warm_pool.h"

#include <fmt/format.h>

#include "runner/run_environment.h"
#include "runner/run_plan.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

// A server never calls an LM; anything that copied this at import gets the
// run's address in the child (see PER_RUN_VARIABLES in the server).
constexpr const char* kServerApiBase = "http://127.0.0.1:9/dspy-compat-warm-server/v1";

}  // namespace

WarmPool::WarmPool(WarmPoolOptions options) : options_(std::move(options)) {}

WarmPool::~WarmPool() { Stop(); }

fs::path WarmPool::ServerDir(const Target& target) const {
  return options_.work_root / ("warm-" + SafeId(target.name));
}

void WarmPool::Unavailable(Slot& slot, const Target& target, const std::string& why) {
  if (!slot.unavailable.empty()) return;
  slot.unavailable = why;
  if (options_.log) {
    options_.log(fmt::format("{}: runs start in a fresh interpreter each: {}", target.name, why));
  }
}

std::shared_ptr<ForkServer> WarmPool::ServerFor(const Target& target,
                                                const std::atomic<bool>* cancel,
                                                std::string* why_not) {
  Slot* slot = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      *why_not = "the session is ending";
      return nullptr;
    }
    auto& entry = slots_[target.name + "\n" + target.interpreter.string()];
    if (!entry) entry = std::make_unique<Slot>();
    slot = entry.get();
  }
  std::lock_guard start_lock(slot->start);
  if (cancel != nullptr && cancel->load()) {
    *why_not = "interrupted";
    return nullptr;
  }
  if (slot->server) {
    std::string why = slot->server->WhyUnusable();
    if (why.empty()) return slot->server;
    Unavailable(*slot, target, why);
    slot->server.reset();
  }
  if (!slot->unavailable.empty()) {
    *why_not = slot->unavailable;
    return nullptr;
  }

  fs::path dir = ServerDir(target);
  std::error_code ec;
  fs::remove_all(dir, ec);
  for (const char* sub : {"home", "tmp", "dspy_cache"}) fs::create_directories(dir / sub, ec);
  ForkServerOptions server;
  server.interpreter = target.interpreter;
  server.script = options_.server_script;
  server.label = dir.string();
  server.env = BuildRunEnvironment(options_.parent_env, dir, kServerApiBase, options_.containment);
  server.cwd = dir;
  server.log_path = dir / "server.log";
  server.start_timeout = options_.start_timeout;
  server.sandbox = options_.sandbox;
  try {
    slot->server = std::make_shared<ForkServer>(server, cancel);
  } catch (const WarmStartError& e) {
    if (cancel != nullptr && cancel->load()) {
      *why_not = e.what();  // not the target's fault: a later session may try again
      return nullptr;
    }
    Unavailable(*slot, target, e.what());
    *why_not = slot->unavailable;
    return nullptr;
  }
  {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      slot->server.reset();
      *why_not = "the session is ending";
      return nullptr;
    }
  }
  return slot->server;
}

WarmStart WarmPool::Run(const Target& target, const WarmRun& run, const std::atomic<bool>* cancel) {
  WarmStart start;
  auto server = ServerFor(target, cancel, &start.fallback_reason);
  if (!server) return start;
  // A server that refuses for good is replaced by cold runs on the next call.
  start.outcome = server->Run(run, cancel, &start.fallback_reason);
  return start;
}

void WarmPool::Stop() {
  std::map<std::string, std::unique_ptr<Slot>> slots;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    slots.swap(slots_);
  }
  for (auto& [key, slot] : slots) {
    std::lock_guard start_lock(slot->start);
    slot->server.reset();  // the last user of a server stops it
  }
}

}  // namespace dspy_compat
