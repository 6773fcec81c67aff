#include "runner/warm_pool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <mutex>
#include <thread>

#include "runner/run_executor.h"
#include "runner/warm_test_stub.h"

namespace dspy_compat {
namespace {

using warm_test::StubTarget;
namespace fs = std::filesystem;

class FakeEndpoint : public LmEndpoint {
 public:
  std::string ApiBaseFor(const std::string& run_id) override {
    return "http://127.0.0.1:9/run/" + run_id + "/v1";
  }
  void ConfigureRun(const std::string&, int, const DelaySpec&,
                    const std::filesystem::path&) override {}
  RunTraffic TrafficFor(const std::string&) override { return {}; }
};

// Starts nothing; says what it was told to.
class FakeStarter : public WarmStarter {
 public:
  WarmStart Run(const Target&, const WarmRun& run, const std::atomic<bool>*) override {
    runs.push_back(run);
    return next;
  }
  WarmStart next;
  std::vector<WarmRun> runs;
};

class WarmPoolTest : public StubTarget {
 protected:
  // A user's interpreter that is a wrapper script, as a python: target may
  // be: it puts the stub dspy on the path, for warm and cold runs alike.
  Target WrappedTarget(const std::string& site) {
    Target target = StubPythonTarget(site);
    fs::path wrapper = dir_ / ("python-" + site);
    warm_test::Write(wrapper, "#!/bin/sh\nPYTHONPATH=" + (dir_ / site).string() + " exec " +
                                  warm_test::SystemPython().string() + " \"$@\"\n");
    ::chmod(wrapper.c_str(), 0755);
    target.interpreter = wrapper;
    return target;
  }

  WarmPoolOptions PoolOptions() {
    WarmPoolOptions options;
    options.server_script = warm_test::kServerScript;
    options.work_root = dir_ / "work";
    options.parent_env = CurrentEnvironment();  // as the executor builds runs' environments
    options.start_timeout = std::chrono::seconds(60);
    options.log = [this](std::string_view line) {
      std::lock_guard lock(log_mutex_);
      log_.emplace_back(line);
    };
    return options;
  }

  RunSpec Spec(const Target& target, const fs::path& scenario, const std::string& id) {
    RunSpec spec;
    spec.scenario.id = scenario.stem().string();
    spec.scenario.path = scenario;
    spec.target = target;
    spec.run_id = id;
    spec.timeout = std::chrono::seconds(30);
    return spec;
  }

  std::optional<RunResult> Execute(WarmStarter* warm, const RunSpec& spec) {
    ExecutorConfig config{warm_test::kRunnerScript, dir_ / "work", true, 4096, warm};
    RunExecutor executor(config, endpoint_);
    return executor.Execute(spec, nullptr);
  }

  FakeEndpoint endpoint_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

TEST_F(WarmPoolTest, RunsOfATargetAreForkedFromOneServer) {
  WarmPool pool(PoolOptions());
  Target target = WrappedTarget("site");
  auto scenario = Scenario("parent", "import os\nprint('parent', os.getppid())\n");
  std::vector<std::string> parents;
  for (const char* id : {"a", "b", "c"}) {
    auto result = Execute(&pool, Spec(target, scenario, id));
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->status, Status::kPass) << result->error_message << result->output_tail;
    EXPECT_EQ(result->start_mode, "warm");
    EXPECT_EQ(result->dspy_version, "2.5.40");
    parents.push_back(result->output_tail);
  }
  EXPECT_EQ(parents[0], parents[1]);
  EXPECT_EQ(parents[1], parents[2]);
  EXPECT_NE(parents[0], "parent " + std::to_string(::getpid()) + "\n");
  EXPECT_TRUE(log_.empty());
  EXPECT_TRUE(fs::exists(pool.ServerDir(target) / "server.log"));
}

// run --project: a warm run imports the project's package from its root,
// and a module beside the scenario before the project's of the same name.
TEST_F(WarmPoolTest, WarmRunsImportFromTheProjectRootAfterTheScenarioFolder) {
  WarmPool pool(PoolOptions());
  Target target = WrappedTarget("site");
  const fs::path root = dir_ / "project";
  warm_test::Write(root / "myapp" / "__init__.py", "WHERE = 'project'\n");
  warm_test::Write(root / "helper.py", "WHERE = 'root'\n");
  warm_test::Write(root / "dspy_scenarios" / "helper.py", "WHERE = 'scenario'\n");
  const fs::path scenario = root / "dspy_scenarios" / "uses_app.py";
  warm_test::Write(scenario, "import helper, myapp\nprint(helper.WHERE, myapp.WHERE)\n");
  ExecutorConfig config{warm_test::kRunnerScript, dir_ / "work", true, 4096, &pool};
  config.project_root = root;
  RunExecutor executor(config, endpoint_);
  auto result = executor.Execute(Spec(target, scenario, "p"), nullptr);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status, Status::kPass) << result->error_message << result->output_tail;
  EXPECT_EQ(result->start_mode, "warm");
  EXPECT_EQ(result->output_tail, "scenario project\n");
  // Without the root, the project's package is not importable.
  auto without = Execute(&pool, Spec(target, scenario, "q"));
  ASSERT_TRUE(without.has_value());
  EXPECT_NE(without->status, Status::kPass);
  EXPECT_NE(without->error_message.find("myapp"), std::string::npos) << without->error_message;
}

TEST_F(WarmPoolTest, UnsafeTargetRunsColdAndSaysWhyOnce) {
  WarmPool pool(PoolOptions());
  Target target = WrappedTarget("threads");
  auto scenario = Scenario("ok", "pass\n");
  for (const char* id : {"a", "b"}) {
    auto result = Execute(&pool, Spec(target, scenario, id));
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->status, Status::kPass) << result->error_message << result->output_tail;
    EXPECT_TRUE(result->start_mode.starts_with("cold (fallback: 2 threads alive after importing"))
        << result->start_mode;
  }
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_TRUE(log_[0].starts_with("stub-threads: runs start in a fresh interpreter each: "))
      << log_[0];
}

TEST_F(WarmPoolTest, TargetsGetServersOfTheirOwn) {
  WarmPool pool(PoolOptions());
  auto scenario = Scenario("parent", "import os\nprint('parent', os.getppid())\n");
  Target one = WrappedTarget("site");
  Target other = one;
  other.name = "stub-other";
  auto a = Execute(&pool, Spec(one, scenario, "a"));
  auto b = Execute(&pool, Spec(other, scenario, "b"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->start_mode, "warm");
  EXPECT_EQ(b->start_mode, "warm");
  EXPECT_NE(a->output_tail, b->output_tail);
}

TEST_F(WarmPoolTest, AfterStopRunsFallBackToCold) {
  WarmPool pool(PoolOptions());
  pool.Stop();
  auto result = Execute(&pool, Spec(WrappedTarget("site"), Scenario("ok", "pass\n"), "a"));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status, Status::kPass);
  EXPECT_EQ(result->start_mode, "cold (fallback: the session is ending)");
}

TEST_F(WarmPoolTest, ExecutorRecordsHowEachRunStarted) {
  Target target = WrappedTarget("site");
  auto scenario = Scenario("ok", "pass\n");

  auto cold = Execute(nullptr, Spec(target, scenario, "cold"));
  ASSERT_TRUE(cold.has_value());
  EXPECT_EQ(cold->status, Status::kPass) << cold->error_message;
  EXPECT_EQ(cold->start_mode, "cold");

  FakeStarter starter;
  starter.next.fallback_reason = "no warm interpreter today";
  auto fallback = Execute(&starter, Spec(target, scenario, "fallback"));
  ASSERT_TRUE(fallback.has_value());
  EXPECT_EQ(fallback->status, Status::kPass) << fallback->error_message;
  EXPECT_EQ(fallback->start_mode, "cold (fallback: no warm interpreter today)");
  // The warm attempt got what a cold run gets: the runner's arguments, the
  // run's own environment, folder and time limit.
  ASSERT_EQ(starter.runs.size(), 1u);
  const WarmRun& asked = starter.runs[0];
  EXPECT_EQ(asked.runner_args[0], "--scenario");
  EXPECT_EQ(asked.runner_args[1], scenario.string());
  EXPECT_EQ(asked.env.at("HOME"), (dir_ / "work/fallback/home").string());
  EXPECT_EQ(asked.cwd, dir_ / "work/fallback");
  EXPECT_EQ(asked.timeout, std::chrono::seconds(30));

  // A warm outcome is classified like a cold one: here, a crash.
  starter.next.outcome = ProcessOutcome{};
  starter.next.outcome->started = true;
  starter.next.outcome->term_signal = SIGKILL;
  auto warm = Execute(&starter, Spec(target, scenario, "warm"));
  ASSERT_TRUE(warm.has_value());
  EXPECT_EQ(warm->status, Status::kCrash);
  EXPECT_EQ(warm->start_mode, "warm");

  starter.next.outcome->cancelled = true;
  EXPECT_FALSE(Execute(&starter, Spec(target, scenario, "cancelled")).has_value());
}

}  // namespace
}  // namespace dspy_compat
