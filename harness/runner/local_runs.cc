#include "runner/local_runs.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "mock_server/fixtures.h"
#include "mock_server/server.h"
#include "process/subprocess.h"
#include "runner/run_executor.h"
#include "runner/warm_pool.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

// bwrap binds what a path is, not the links on the way to it. An empty path
// (a target this shard never provisioned) stays empty and is not bound.
fs::path RealPath(const fs::path& path) {
  std::error_code ignored;
  if (path.empty()) return {};
  fs::path absolute = fs::absolute(path, ignored);
  if (ignored) return {};
  return fs::weakly_canonical(absolute, ignored);
}

}  // namespace

MockLmEndpoint::Fixtures LoadMockFixtures(const std::vector<Scenario>& scenarios) {
  MockLmEndpoint::Fixtures fixtures;
  for (const Scenario& s : scenarios) {
    if (s.mock_fixture_path.empty() || fixtures.contains(s.mock_fixture_path)) continue;
    try {
      fixtures[s.mock_fixture_path] =
          std::make_shared<const mock::FixtureSet>(mock::LoadFixtureFile(s.mock_fixture_path));
    } catch (const std::exception& e) {
      throw std::runtime_error(
          fmt::format("{}: MOCK-FIXTURE {}: {}", s.path.string(), s.mock_fixture, e.what()));
    }
  }
  return fixtures;
}

// Declared in the order they must start (and, reversed, stop).
struct LocalRuns::Parts {
  Sandbox sandbox;
  mock::MockLmServer server;
  std::optional<RefusingPort> refusing;
  std::optional<MockLmEndpoint> endpoint;
  std::optional<WarmPool> warm;
  std::optional<RunExecutor> executor;
  bool stopped = false;

  explicit Parts(const mock::MockLmServer::Options& options) : server(options) {}
  ~Parts() {
    if (sandbox.netns_fd >= 0) ::close(sandbox.netns_fd);
  }
};

LocalRuns::LocalRuns(LocalRunsOptions options) {
  mock::MockLmServer::Options server_options;
  server_options.seed = options.seed;
  parts_ = std::make_unique<Parts>(server_options);
  Parts& p = *parts_;
  try {
    const char* home = std::getenv("HOME");
    p.sandbox = PrepareSandbox(options.sandbox, options.pass_home,
                               home != nullptr ? fs::path(home) : fs::path());
  } catch (const std::runtime_error& e) {
    throw LocalRunsError(std::string("--sandbox bwrap: ") + e.what());
  }
  if (!p.sandbox.why_not.empty() && options.log) options.log("sandbox: " + p.sandbox.why_not);
  p.sandbox.read_only = {RealPath(options.root)};
  for (const fs::path& path : options.read_only) {
    if (fs::path real = RealPath(path); !real.empty()) p.sandbox.read_only.push_back(real);
  }
  for (const fs::path& file : options.scenario_files) {
    if (fs::path real = RealPath(file); !real.empty()) {
      p.sandbox.read_only.push_back(real.parent_path());
    }
  }
  p.sandbox.writable = {RealPath(options.work_root)};
  if (fs::path real = RealPath(options.project_root); !real.empty()) {
    p.sandbox.read_only_everywhere = {real};
  }
  {
    // The mock server's listening socket and the refusing port, both in the
    // runs' network namespace, the only place they can reach (the harness's
    // own calls to the server are in-process). One namespace for both keeps
    // their ports apart: in two, they could get the same number, and a run's
    // calls to the mock server would be refused as calls to the proxy.
    ScopedNetns in_runs_netns(p.sandbox.netns_fd);
    if (!in_runs_netns.ok()) {
      throw LocalRunsError(
          "the mock LM server would not start: cannot enter the runs' network "
          "namespace");
    }
    try {
      p.server.Start();
    } catch (const std::exception& e) {
      throw LocalRunsError(std::string("the mock LM server would not start: ") + e.what());
    }
    try {
      p.refusing.emplace();
    } catch (const std::system_error& e) {
      p.server.Stop();
      throw LocalRunsError(
          std::string("cannot reserve a refusing loopback port for runs' proxy variables: ") +
          e.what());
    }
  }
  // The same policy for cold runs and for the warm interpreters they fork
  // from (a run whose environment differed would start cold).
  const ContainmentPolicy containment{
      .scrub = options.scrub, .pass = options.pass_env, .refusing_proxy = p.refusing->ProxyUrl()};
  const auto parent_env = CurrentEnvironment();
  environment_ = DecideEnvironment(parent_env, containment);

  p.endpoint.emplace(p.server, std::move(options.fixtures));
  if (options.replay) {
    p.endpoint->Replay(*options.replay);
  } else if (options.schedule == "explore") {
    p.endpoint->Schedule(mock::ScheduleStrategy::kNatural, options.seed, /*mixed=*/true,
                         options.explore_quiet_ms);
  } else if (auto strategy = mock::ParseScheduleStrategy(options.schedule)) {
    p.endpoint->Schedule(*strategy, options.seed, /*mixed=*/false, options.explore_quiet_ms);
  }
  if (!options.cold) {
    p.warm.emplace(WarmPoolOptions{
        .server_script = options.root / "target_runner" / "dspy_compat_forkserver.py",
        .work_root = options.work_root,
        .parent_env = parent_env,
        .containment = containment,
        .sandbox = &p.sandbox,
        .log = options.log});
  }
  p.executor.emplace(
      ExecutorConfig{.runner_script = options.root / "target_runner" / "dspy_compat_runner.py",
                     .work_root = options.work_root,
                     .keep_work = options.keep_work,
                     .warm = p.warm ? &*p.warm : nullptr,
                     .containment = containment,
                     .memory_limit_mb = options.memory_limit_mb,
                     .output_limit_mb = options.output_limit_mb,
                     .sandbox = &p.sandbox,
                     .project_root = options.project_root},
      *p.endpoint);
}

LocalRuns::~LocalRuns() { Stop(); }

std::optional<RunResult> LocalRuns::Execute(const RunSpec& spec, const std::atomic<bool>* cancel) {
  try {
    return parts_->executor->Execute(spec, cancel);
  } catch (const std::exception& e) {  // its folder under --out: read-only, full
    RunResult r;
    r.scenario_id = spec.scenario.id;
    r.target_name = spec.target.name;
    r.repetition = spec.repetition;
    r.run_id = spec.run_id;
    r.status = Status::kError;
    r.error_message = fmt::format("the harness could not prepare the run: {}", e.what());
    return r;
  }
}

void LocalRuns::AllowRead(const fs::path& path) {
  if (fs::path real = RealPath(path); !real.empty()) parts_->sandbox.read_only.push_back(real);
}

int LocalRuns::refusing_port() const { return parts_->refusing->port(); }

int LocalRuns::sandbox_netns_fd() const { return parts_->sandbox.netns_fd; }

void LocalRuns::Stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  if (parts_->warm) parts_->warm->Stop();  // kills what they still run, and themselves
  parts_->server.Stop();
}

}  // namespace dspy_compat
