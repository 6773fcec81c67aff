// The executor (a run's process, its files and its LM traffic, through fakes of
// ProcessRunner and LmEndpoint) and the classification of what a run left.
#include "runner/run_executor.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "runner/run_environment.h"
#include "runner/run_plan.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

Scenario MakeScenario(const std::string& id, const fs::path& path = {}) {
  Scenario s;
  s.id = id;
  s.path = path;
  return s;
}

Target MakeTarget(const std::string& name, const std::string& version) {
  Target t;
  t.name = name;
  t.dspy_version = version;
  return t;
}

RunSpec SpecFor(const Target& target) {
  RunSpec spec;
  spec.scenario = MakeScenario("s");
  spec.target = target;
  spec.run_id = "s.t0.r1";
  spec.timeout = std::chrono::seconds(5);
  return spec;
}

nlohmann::json RunnerResult(const std::string& status, const std::string& version) {
  return {{"schema", "dspy-compat/runner-result/v1"},
          {"status", status},
          {"error_type", status == "fail" ? "AssertionError" : ""},
          {"error_message", status == "fail" ? "No LM is loaded." : ""},
          {"dspy_version", version},
          {"lm_calls", 3},
          {"scenario_seconds", 0.5}};
}

TEST(ClassifyRunTest, RunnerStatusIsTaken) {
  auto spec = SpecFor(MakeTarget("dspy-2.5.40", "2.5.40"));
  ProcessOutcome p;
  p.started = true;
  p.exit_code = 0;
  auto r = ClassifyRun(spec, p, RunnerResult("fail", "2.5.40"), 0);
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.error_type, "AssertionError");
  EXPECT_EQ(r.error_message, "No LM is loaded.");
  EXPECT_EQ(r.lm_calls, 3);
  EXPECT_EQ(ClassifyRun(spec, p, RunnerResult("pass", "2.5.40"), 0).status, Status::kPass);
}

// A program that could not start is unresolved, as the runner says; what
// dspy.settings held after it is kept for the comparison between targets.
TEST(ClassifyRunTest, UnresolvedAndSettingsAfterAreTaken) {
  auto spec = SpecFor(MakeTarget("dspy-2.5.40", "2.5.40"));
  ProcessOutcome p;
  p.started = true;
  p.exit_code = 0;
  auto json = RunnerResult("unresolved", "2.5.40");
  json["error_type"] = "ModuleNotFoundError";
  EXPECT_EQ(ClassifyRun(spec, p, json, 0).status, Status::kUnresolved);
  EXPECT_FALSE(ClassifyRun(spec, p, json, 0).settings_after.has_value());
  json = RunnerResult("pass", "2.5.40");
  json["settings_after"] = {{"lm", "gpt-4o"},
                            {"adapter", ""},
                            {"changed", {"lm"}},
                            {"configured", nlohmann::json::array()}};
  auto r = ClassifyRun(spec, p, json, 0);
  ASSERT_TRUE(r.settings_after.has_value());
  EXPECT_EQ(*r.settings_after, (SettingsAfter{"gpt-4o", "", {"lm"}, {}}));
}

// Issue 16: the runner writes scenario_seconds: null when the scenario never
// ran (import dspy failed); json::value() threw type_error.302 and the whole
// session aborted. null is documented; other wrong types or values make the
// run an error naming the field, the runner's own message kept.
TEST(ClassifyRunTest, MalformedNumbersAreAnErrorNotAnAbort) {
  auto spec = SpecFor(MakeTarget("dspy-2.5.40", "2.5.40"));
  ProcessOutcome p;
  p.started = true;
  p.exit_code = 0;  // a runner that wrote its result exits 0
  auto no_import = RunnerResult("unresolved", "2.5.40");
  no_import["scenario_seconds"] = nullptr;
  no_import["error_message"] = "No module named 'dspy'";
  RunResult r = ClassifyRun(spec, p, no_import, 0);
  EXPECT_EQ(r.status, Status::kUnresolved);
  EXPECT_EQ(r.scenario_seconds, 0.0);
  EXPECT_EQ(r.error_message, "No module named 'dspy'");

  using nlohmann::json;
  for (auto [field, value] :
       std::vector<std::pair<std::string, json>>{{"scenario_seconds", "0.5"},
                                                 {"scenario_seconds", -1},
                                                 {"scenario_seconds", 1e300},
                                                 {"scenario_seconds", json::array()},
                                                 {"lm_calls", nullptr},
                                                 {"lm_calls", 1.5},
                                                 {"lm_calls", -3},
                                                 {"lm_calls", 99999999999},
                                                 {"lm_calls", json::parse("18446744073709551615")},
                                                 {"lm_calls", true}}) {
    auto bad = RunnerResult("pass", "2.5.40");
    bad[field] = value;
    bad["error_message"] = "it said this";
    r = ClassifyRun(spec, p, bad, 0);
    EXPECT_EQ(r.status, Status::kError) << field << " " << value;
    EXPECT_NE(r.error_message.find("malformed: " + field + " is "), std::string::npos)
        << r.error_message;
    EXPECT_NE(r.error_message.find("it said this"), std::string::npos) << r.error_message;
  }
  // Other fields of a wrong type are read as absent, never thrown.
  auto odd = RunnerResult("pass", "2.5.40");
  odd["error_type"] = 5;
  odd["containment_events"] = {{{"kind", 1}, {"port", 99999999999}}, nullptr};
  odd["settings_after"] = {{"lm", nullptr}, {"changed", "x"}};
  r = ClassifyRun(spec, p, odd, 0);
  EXPECT_EQ(r.status, Status::kPass);
  ASSERT_EQ(r.containment_events.size(), 1u);
  EXPECT_FALSE(r.containment_events[0].port.has_value());
}

TEST(ClassifyRunTest, WrongImportedVersionIsAnError) {
  auto spec = SpecFor(MakeTarget("dspy-2.5.40", "2.5.40"));
  ProcessOutcome p;
  p.started = true;
  p.exit_code = 0;
  auto r = ClassifyRun(spec, p, RunnerResult("pass", "2.5.39"), 0);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.error_message.find("imported dspy 2.5.39"), std::string::npos);
}

// RLIMIT_FSIZE stopped a run that wrote without end: the harness's limit,
// named as such, not a crash of the program under test.
TEST(ClassifyRunTest, OutputLimitSignalIsAnErrorNamingTheLimit) {
  auto spec = SpecFor(MakeTarget("dspy-2.5.40", "2.5.40"));
  ProcessOutcome p;
  p.started = true;
  p.term_signal = SIGXFSZ;
  auto r = ClassifyRun(spec, p, std::nullopt, 0);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.error_message.find("--output-limit-mb"), std::string::npos) << r.error_message;
  p.term_signal = SIGSEGV;
  EXPECT_EQ(ClassifyRun(spec, p, std::nullopt, 0).status, Status::kCrash);
}

// A scenario that swallowed the refusal of its connection still does not
// pass: the harness reads the runner's containment events itself.
TEST(ClassifyRunTest, BlockedConnectionIsAnErrorEvenWhenTheRunnerSaysPass) {
  auto spec = SpecFor(MakeTarget("dspy-2.5.40", "2.5.40"));
  ProcessOutcome p;
  p.started = true;
  p.exit_code = 0;
  auto j = RunnerResult("pass", "2.5.40");
  j["containment"] = "python-audit-hook+refusing-proxy";
  j["containment_events"] = {
      {{"kind", "redirected-lm"}, {"host", ""}, {"port", nullptr}, {"detail", "anthropic/c"}}};
  auto redirected = ClassifyRun(spec, p, j, 0);
  EXPECT_EQ(redirected.status, Status::kPass);  // redirecting is the harness's job
  EXPECT_EQ(redirected.containment, "python-audit-hook+refusing-proxy");
  ASSERT_EQ(redirected.containment_events.size(), 1u);
  EXPECT_EQ(redirected.containment_events[0].detail, "anthropic/c");

  j["containment_events"].push_back(
      {{"kind", "blocked-connection"}, {"host", "10.231.0.2"}, {"port", 8080}, {"detail", "x"}});
  for (const char* status : {"pass", "fail"}) {
    j["status"] = status;
    auto r = ClassifyRun(spec, p, j, 0);
    EXPECT_EQ(r.status, Status::kError) << status;
    EXPECT_EQ(r.error_type, "ContainmentError");
    EXPECT_NE(r.error_message.find("10.231.0.2:8080"), std::string::npos) << r.error_message;
    ASSERT_EQ(r.containment_events.size(), 2u);
    EXPECT_EQ(r.containment_events[1].port, 8080);
  }
}

TEST(ClassifyRunTest, TimeoutCrashAndStartFailure) {
  auto spec = SpecFor(MakeTarget("t", "1"));
  ProcessOutcome p;
  p.started = true;
  p.timed_out = true;
  EXPECT_EQ(ClassifyRun(spec, p, std::nullopt, 0).status, Status::kTimeout);
  p.timed_out = false;
  p.term_signal = 11;
  auto crash = ClassifyRun(spec, p, std::nullopt, 0);
  EXPECT_EQ(crash.status, Status::kCrash);
  EXPECT_NE(crash.error_message.find("SIGSEGV"), std::string::npos);
  ProcessOutcome unstarted;
  unstarted.start_error = "cannot start x";
  EXPECT_EQ(ClassifyRun(spec, unstarted, std::nullopt, 0).status, Status::kError);
  // A result file that is not the runner's is an error, not a pass.
  p.term_signal.reset();
  p.exit_code = 0;
  EXPECT_EQ(ClassifyRun(spec, p, nlohmann::json{{"status", "pass"}}, 0).status, Status::kError);
}

// The runner exits 0 once it has written its result: a result beside any
// other end of the process is not trusted, whatever it says.
TEST(ClassifyRunTest, ExitStatusThatContradictsTheResultIsAnError) {
  auto spec = SpecFor(MakeTarget("dspy-2.5.40", "2.5.40"));
  ProcessOutcome p;
  p.started = true;
  p.exit_code = 1;
  auto nonzero = ClassifyRun(spec, p, RunnerResult("pass", "2.5.40"), 3);
  EXPECT_EQ(nonzero.status, Status::kError);
  EXPECT_TRUE(nonzero.error_type.empty()) << nonzero.error_type;
  EXPECT_NE(nonzero.error_message.find("the result says pass, but the interpreter exited with "
                                       "code 1"),
            std::string::npos)
      << nonzero.error_message;
  p.exit_code.reset();
  p.term_signal = SIGKILL;
  auto killed = ClassifyRun(spec, p, RunnerResult("fail", "2.5.40"), 3);
  EXPECT_EQ(killed.status, Status::kError);
  EXPECT_NE(killed.error_message.find("the result says fail, but the interpreter died of SIGKILL"),
            std::string::npos)
      << killed.error_message;
  EXPECT_EQ(killed.lm_calls, 3);  // what the result said is kept for diagnosis
}

TEST(ClassifyRunTest, CleanExitWithoutAResultIsAnErrorNotACrash) {
  auto spec = SpecFor(MakeTarget("dspy-2.5.40", "2.5.40"));
  ProcessOutcome p;
  p.started = true;
  p.exit_code = 0;
  auto r = ClassifyRun(spec, p, std::nullopt, 0);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.error_message.find("exited with code 0 but wrote no result"), std::string::npos)
      << r.error_message;
  p.exit_code = 3;  // the runner could not write it: the interpreter's failure, as before
  EXPECT_EQ(ClassifyRun(spec, p, std::nullopt, 0).status, Status::kCrash);
}

TEST(ClassifyRunTest, NoLmCallWhileTheJournalHasRequestsIsAnError) {
  auto spec = SpecFor(MakeTarget("dspy-2.5.40", "2.5.40"));
  ProcessOutcome p;
  p.started = true;
  p.exit_code = 0;
  for (const char* status : {"pass", "fail", "unresolved"}) {
    auto j = RunnerResult(status, "2.5.40");
    j["lm_calls"] = 0;
    j["lm_connections"] = 0;
    auto r = ClassifyRun(spec, p, j, 4);
    EXPECT_EQ(r.status, Status::kError) << status;
    EXPECT_NE(r.error_message.find("no LM call and opened no connection to the mock LM server, "
                                   "but the server journaled 4 requests"),
              std::string::npos)
        << r.error_message;
    j.erase("lm_connections");  // a result without the count says no more
    EXPECT_EQ(ClassifyRun(spec, p, j, 1).status, Status::kError) << status;
  }
}

// Counts that differ for reasons of their own are not contradictions.
TEST(ClassifyRunTest, LmCountsThatLegitimatelyDifferAreTaken) {
  auto spec = SpecFor(MakeTarget("dspy-2.5.40", "2.5.40"));
  ProcessOutcome p;
  p.started = true;
  p.exit_code = 0;
  auto j = RunnerResult("pass", "2.5.40");
  j["lm_calls"] = 0;
  j["lm_connections"] = 1;  // the openai client used directly
  EXPECT_EQ(ClassifyRun(spec, p, j, 1).status, Status::kPass);
  j["lm_connections"] = 0;
  EXPECT_EQ(ClassifyRun(spec, p, j, 0).status, Status::kPass);  // no LM at all
  j["lm_calls"] = 6;
  EXPECT_EQ(ClassifyRun(spec, p, j, 2).status, Status::kPass);  // cache hits
  EXPECT_EQ(ClassifyRun(spec, p, j, 9).status, Status::kPass);  // litellm's retries
  EXPECT_EQ(ClassifyRun(spec, p, j, 0).status, Status::kPass);  // litellm stubbed out
}

class FakeEndpoint : public LmEndpoint {
 public:
  std::string ApiBaseFor(const std::string& run_id) override {
    return "http://127.0.0.1:9/run/" + run_id + "/v1";
  }
  void ConfigureRun(const std::string& run_id, int, const DelaySpec&,
                    const std::filesystem::path& fixture) override {
    configured = run_id;
    configured_fixture = fixture;
  }
  RunTraffic TrafficFor(const std::string&) override {
    return {requests,
            {"gpt-4o-mini"},
            LmTraffic{{"chat"}, {"temperature=0.0"}, {}, {}, {}},
            LmSchedule{.strategy = "pct", .seed = 7, .depth = 3, .steps = 32}};
  }
  int requests = 2;
  std::string configured;
  std::filesystem::path configured_fixture;
};

// Plays the target's interpreter without starting one: records what the
// executor asked for and answers as the test says (by default the runner
// writes a passing result file).
class FakeProcesses : public ProcessRunner {
 public:
  ProcessOutcome Run(const ProcessSpec& spec, const std::atomic<bool>* cancel) override {
    seen.push_back(spec);
    seen_cancel = cancel;
    work_existed = fs::is_directory(spec.cwd / "home") && fs::is_directory(spec.cwd / "tmp");
    ProcessOutcome outcome;
    outcome.started = true;
    outcome.exit_code = 0;
    if (act) return act(spec, outcome);
    std::ofstream(Arg(spec, "--result"))
        << R"({"schema":"dspy-compat/runner-result/v1","status":"pass","dspy_version":"2.5.40",)"
        << R"("lm_calls":2,"lm_connections":1})";
    return outcome;
  }

  static std::string Arg(const ProcessSpec& spec, const std::string& name) {
    auto it = std::find(spec.argv.begin(), spec.argv.end(), name);
    return it != spec.argv.end() && it + 1 != spec.argv.end() ? *(it + 1) : "";
  }

  std::function<ProcessOutcome(const ProcessSpec&, ProcessOutcome)> act;
  std::vector<ProcessSpec> seen;
  const std::atomic<bool>* seen_cancel = nullptr;
  bool work_existed = false;
};

class RunExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("executor_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    target_ = MakeTarget("dspy-2.5.40", "2.5.40");
    target_.interpreter = "/envs/dspy-2.5.40/bin/python";
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunSpec Spec(const std::string& scenario) {
    RunSpec spec = SpecFor(target_);
    spec.scenario = MakeScenario(scenario, dir_ / (scenario + ".py"));
    spec.run_id = scenario + ".t0.r1";
    spec.timeout = std::chrono::seconds(7);
    return spec;
  }

  std::optional<RunResult> Execute(const RunSpec& spec, const std::atomic<bool>* cancel = nullptr) {
    RunExecutor executor({dir_ / "runner.py", dir_ / "work", false, 4096}, endpoint_, processes_);
    return executor.Execute(spec, cancel);
  }

  fs::path dir_;
  Target target_;
  FakeEndpoint endpoint_;
  FakeProcesses processes_;
};

TEST_F(RunExecutorTest, PassRecordsTrafficAndCleansUp) {
  auto r = Execute(Spec("pass"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::kPass);
  EXPECT_EQ(r->start_mode, "cold");
  EXPECT_EQ(r->lm_requests, 2);
  EXPECT_EQ(r->models, std::vector<std::string>{"gpt-4o-mini"});
  ASSERT_TRUE(r->lm_traffic.has_value());  // the endpoint's summary, in the run itself
  EXPECT_EQ(r->lm_traffic->adapters, std::vector<std::string>{"chat"});
  ASSERT_TRUE(r->lm_schedule.has_value());  // an exploring run's schedule reaches its result
  EXPECT_EQ(r->lm_schedule->seed, 7U);
  EXPECT_EQ(endpoint_.configured, "pass.t0.r1");
  EXPECT_TRUE(endpoint_.configured_fixture.empty());
  EXPECT_TRUE(processes_.work_existed);
  EXPECT_FALSE(fs::exists(dir_ / "work" / "pass.t0.r1"));
}

TEST_F(RunExecutorTest, InterpreterRunsTheRunnerOnTheScenarioWithinItsLimits) {
  ASSERT_TRUE(Execute(Spec("s")).has_value());
  ASSERT_EQ(processes_.seen.size(), 1u);
  const ProcessSpec& p = processes_.seen[0];
  fs::path work = dir_ / "work" / "s.t0.r1";
  EXPECT_EQ(p.argv,
            (std::vector<std::string>{
                "/envs/dspy-2.5.40/bin/python", "-X", "faulthandler", (dir_ / "runner.py").string(),
                "--scenario", (dir_ / "s.py").string(), "--result", (work / "result.json").string(),
                "--api-base", "http://127.0.0.1:9/run/s.t0.r1/v1", "--run-id", "s.t0.r1",
                "--memory-limit-mb", "4096", "--output-limit-mb", "64"}));
  EXPECT_EQ(p.cwd, work);
  EXPECT_EQ(p.output_path, work / "output.log");
  EXPECT_EQ(p.timeout, std::chrono::seconds(7));
}

TEST_F(RunExecutorTest, ATeamsTestRunsThroughPytestByItsNameInTheFile) {
  RunSpec spec = Spec("test_desk::TestB::test_c");
  spec.scenario.path = dir_ / "tests" / "test_desk.py";
  spec.scenario.pytest_node = "tests/test_desk.py::TestB::test_c";
  ASSERT_TRUE(Execute(spec).has_value());
  ASSERT_EQ(processes_.seen.size(), 1u);
  const std::vector<std::string>& argv = processes_.seen[0].argv;
  EXPECT_EQ(FakeProcesses::Arg(processes_.seen[0], "--scenario"),
            (dir_ / "tests" / "test_desk.py").string());
  EXPECT_EQ(FakeProcesses::Arg(processes_.seen[0], "--pytest-node"), "TestB::test_c");
  EXPECT_EQ(argv.back(), "TestB::test_c");
  // A program is run as one: no --pytest-node.
  processes_.seen.clear();
  ASSERT_TRUE(Execute(Spec("s")).has_value());
  const std::vector<std::string>& program = processes_.seen[0].argv;
  EXPECT_EQ(std::find(program.begin(), program.end(), "--pytest-node"), program.end());
}

// run --project: the runner is told the project's root (it puts it on
// sys.path after the scenario's folder); without one, no flag.
TEST_F(RunExecutorTest, ProjectRootIsPassedToTheRunner) {
  RunExecutor executor({.runner_script = dir_ / "runner.py",
                        .work_root = dir_ / "work",
                        .project_root = "/src/support-desk"},
                       endpoint_, processes_);
  ASSERT_TRUE(executor.Execute(Spec("s"), nullptr).has_value());
  ASSERT_EQ(processes_.seen.size(), 1u);
  EXPECT_EQ(FakeProcesses::Arg(processes_.seen[0], "--project-root"), "/src/support-desk");
  EXPECT_EQ(FakeProcesses::Arg(processes_.seen[0], "--scenario"), (dir_ / "s.py").string());
  ASSERT_TRUE(Execute(Spec("t")).has_value());
  const auto& argv = processes_.seen.at(1).argv;
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--project-root"), argv.end());
}

TEST_F(RunExecutorTest, TracedRunPassesTraceDspyAndCopiesTheTraceOut) {
  processes_.act = [](const ProcessSpec& spec, ProcessOutcome outcome) {
    std::ofstream(FakeProcesses::Arg(spec, "--result"))
        << R"({"schema":"dspy-compat/runner-result/v1","status":"pass","dspy_version":"2.5.40",)"
        << R"("lm_calls":2,"lm_connections":1})";
    std::ofstream(FakeProcesses::Arg(spec, "--trace-dspy")) << R"({"files":{}})";
    return outcome;
  };
  RunSpec spec = Spec("traced");
  spec.trace_dspy = dir_ / "traced.json";
  ASSERT_TRUE(Execute(spec).has_value());
  EXPECT_EQ(FakeProcesses::Arg(processes_.seen[0], "--trace-dspy"),
            (dir_ / "work" / "traced.t0.r1" / "dspy_trace.json").string());
  EXPECT_EQ(test_support::ReadText(dir_ / "traced.json"), R"({"files":{}})");
  // Untraced runs are not asked to trace (the argv test above pins them whole).
  ASSERT_TRUE(Execute(Spec("plain")).has_value());
  EXPECT_EQ(FakeProcesses::Arg(processes_.seen[1], "--trace-dspy"), "");
}

TEST_F(RunExecutorTest, ScenarioFixtureIsConfiguredForItsRunOnly) {
  RunSpec spec = Spec("pass");
  spec.mock_fixture = dir_ / "rules.json";
  ASSERT_TRUE(Execute(spec).has_value());
  EXPECT_EQ(endpoint_.configured_fixture, dir_ / "rules.json");
}

TEST_F(RunExecutorTest, RunGetsItsOwnHomeAndApiBase) {
  ASSERT_TRUE(Execute(Spec("env")).has_value());
  ASSERT_EQ(processes_.seen.size(), 1u);
  const auto& env = processes_.seen[0].env;
  EXPECT_EQ(env.at("HOME"), (dir_ / "work" / "env.t0.r1" / "home").string());
  EXPECT_EQ(env.at("OPENAI_API_BASE"), "http://127.0.0.1:9/run/env.t0.r1/v1");
}

TEST_F(RunExecutorTest, RunnerFailureIsTaken) {
  processes_.act = [](const ProcessSpec& spec, ProcessOutcome outcome) {
    std::ofstream(FakeProcesses::Arg(spec, "--result"))
        << R"({"schema":"dspy-compat/runner-result/v1","status":"fail","error_type":"E",)"
        << R"("error_message":"No LM is loaded.","dspy_version":"2.5.40","lm_calls":2})";
    return outcome;
  };
  auto r = Execute(Spec("fail"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::kFail);
  EXPECT_EQ(r->error_message, "No LM is loaded.");
}

// A scenario that patched what the runner writes with, or that wrote a
// result file itself, must not pass on a result the journal contradicts.
TEST_F(RunExecutorTest, ResultThatTheJournalContradictsIsAnError) {
  processes_.act = [](const ProcessSpec& spec, ProcessOutcome outcome) {
    std::ofstream(FakeProcesses::Arg(spec, "--result"))
        << R"({"schema":"dspy-compat/runner-result/v1","status":"pass","dspy_version":"2.5.40",)"
        << R"("lm_calls":0,"lm_connections":0})";
    return outcome;
  };
  endpoint_.requests = 3;
  auto r = Execute(Spec("forged"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::kError);
  EXPECT_NE(r->error_message.find("journaled 3 requests"), std::string::npos) << r->error_message;
  EXPECT_EQ(r->lm_requests, 3);  // the journal's figure stays beside the contradiction
  endpoint_.requests = 0;
  EXPECT_EQ(Execute(Spec("forged"))->status, Status::kPass);
}

TEST_F(RunExecutorTest, PassResultFromAProcessThatExitedNonZeroIsAnError) {
  processes_.act = [](const ProcessSpec& spec, ProcessOutcome outcome) {
    std::ofstream(FakeProcesses::Arg(spec, "--result"))
        << R"({"schema":"dspy-compat/runner-result/v1","status":"pass","dspy_version":"2.5.40",)"
        << R"("lm_calls":2,"lm_connections":1})";
    outcome.exit_code = 134;
    return outcome;
  };
  auto r = Execute(Spec("aborted"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::kError);
  EXPECT_NE(r->error_message.find("exited with code 134"), std::string::npos) << r->error_message;
}

TEST_F(RunExecutorTest, CleanExitWithoutAResultIsAnError) {
  processes_.act = [](const ProcessSpec&, ProcessOutcome outcome) { return outcome; };
  auto r = Execute(Spec("os_exit"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::kError);
  EXPECT_NE(r->error_message.find("wrote no result"), std::string::npos) << r->error_message;
}

TEST_F(RunExecutorTest, HangIsATimeout) {
  processes_.act = [](const ProcessSpec&, ProcessOutcome outcome) {
    outcome.exit_code.reset();
    outcome.term_signal = SIGKILL;
    outcome.timed_out = true;
    return outcome;
  };
  auto r = Execute(Spec("hang"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::kTimeout);
  EXPECT_NE(r->error_message.find("7 s time limit"), std::string::npos) << r->error_message;
}

TEST_F(RunExecutorTest, DeathWithoutResultIsACrash) {
  processes_.act = [](const ProcessSpec&, ProcessOutcome outcome) {
    outcome.exit_code.reset();
    outcome.term_signal = SIGKILL;
    return outcome;
  };
  auto r = Execute(Spec("die"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::kCrash);
}

TEST_F(RunExecutorTest, CancelledRunHasNoResult) {
  processes_.act = [](const ProcessSpec&, ProcessOutcome outcome) {
    outcome.cancelled = true;
    return outcome;
  };
  std::atomic<bool> cancel{true};
  EXPECT_FALSE(Execute(Spec("hang"), &cancel).has_value());
  EXPECT_EQ(processes_.seen_cancel, &cancel);
  EXPECT_FALSE(fs::exists(dir_ / "work" / "hang.t0.r1"));
}

TEST_F(RunExecutorTest, UnsandboxedRunRecordsAProcessGroup) {
  auto r = Execute(Spec("pass"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->sandbox, "process-group");
  EXPECT_EQ(processes_.seen.at(0).netns_fd, -1);
}

TEST_F(RunExecutorTest, SandboxedColdRunIsWrappedInBwrapInTheRunsNetns) {
  Sandbox sandbox{.bwrap = "/usr/bin/bwrap", .hidden_home = dir_, .netns_fd = 42};
  RunExecutor executor(
      {.runner_script = dir_ / "runner.py", .work_root = dir_ / "work", .sandbox = &sandbox},
      endpoint_, processes_);
  auto r = executor.Execute(Spec("boxed"), nullptr);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::kPass);
  EXPECT_EQ(r->sandbox, "pidns+netns+nohome");
  const ProcessSpec& p = processes_.seen.at(0);
  EXPECT_EQ(p.netns_fd, 42);
  ASSERT_GE(p.argv.size(), 4u);
  EXPECT_EQ(p.argv[0], "/usr/bin/bwrap");
  auto has = [&](const std::string& arg) {
    return std::find(p.argv.begin(), p.argv.end(), arg) != p.argv.end();
  };
  EXPECT_TRUE(has("--unshare-pid"));
  EXPECT_TRUE(has("--die-with-parent"));
  EXPECT_TRUE(has("--tmpfs"));
  // The scenario's folder stays visible under the hidden home.
  EXPECT_TRUE(has(dir_.string()));
  EXPECT_TRUE(has("--ro-bind-try"));
  auto dashes = std::find(p.argv.begin(), p.argv.end(), "--");
  ASSERT_NE(dashes, p.argv.end());
  EXPECT_EQ(*(dashes + 1), "/envs/dspy-2.5.40/bin/python");
  EXPECT_EQ(FakeProcesses::Arg(p, "--run-id"), "boxed.t0.r1");
}

// bwrap, the run's parent, turns a signal into exit code 128+N.
TEST_F(RunExecutorTest, SandboxedRunKilledBySignalIsACrashNamingTheSignal) {
  Sandbox sandbox{.bwrap = "/usr/bin/bwrap"};
  processes_.act = [](const ProcessSpec&, ProcessOutcome outcome) {
    outcome.exit_code = 128 + SIGKILL;
    return outcome;
  };
  RunExecutor executor(
      {.runner_script = dir_ / "runner.py", .work_root = dir_ / "work", .sandbox = &sandbox},
      endpoint_, processes_);
  auto r = executor.Execute(Spec("killed"), nullptr);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::kCrash);
  EXPECT_EQ(r->term_signal, SIGKILL);
  EXPECT_NE(r->error_message.find("SIGKILL"), std::string::npos) << r->error_message;
  EXPECT_EQ(r->sandbox, "pidns");
}

}  // namespace
}  // namespace dspy_compat
