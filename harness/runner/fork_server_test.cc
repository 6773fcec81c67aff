#include "runner/fork_server.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "runner/warm_test_stub.h"

namespace dspy_compat {
namespace {

using warm_test::StubTarget;
namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  return !line.empty() && line.find(") Z") == std::string::npos;
}

class ForkServerTest : public StubTarget {
 protected:
  ForkServerOptions Options(const std::string& site = "site") {
    ForkServerOptions options;
    options.interpreter = warm_test::SystemPython();
    options.script = warm_test::kServerScript;
    options.env = EnvFor(dir_ / "server", site);
    options.cwd = dir_ / "server";
    options.log_path = dir_ / "server" / "server.log";
    options.start_timeout = std::chrono::seconds(60);
    return options;
  }

  // A run of `scenario` in its own folder, as the executor builds one.
  WarmRun RunOf(const fs::path& scenario, const std::string& id) {
    fs::path work = dir_ / "runs" / id;
    WarmRun run;
    run.env = EnvFor(work);
    run.runner_args = {
        "--scenario", scenario.string(),          "--result", (work / "result.json").string(),
        "--api-base", run.env["OPENAI_API_BASE"], "--run-id", id};
    run.cwd = work;
    run.output_path = work / "output.log";
    run.timeout = std::chrono::seconds(20);
    return run;
  }

  nlohmann::json Result(const std::string& id) {
    return nlohmann::json::parse(ReadText(dir_ / "runs" / id / "result.json"));
  }
};

TEST_F(ForkServerTest, RunsAScenarioAsTheRunnerDoesAndReportsItsExit) {
  ForkServer server(Options(), nullptr);
  auto scenario = Scenario("hello", R"PY(
import os, dspy
print("hello from", os.getcwd())
# What the stub dspy copied from HOME at import is re-pointed to this run's.
assert dspy.HOME_AT_IMPORT == os.path.join(os.environ["HOME"], ".stub"), dspy.HOME_AT_IMPORT
assert dspy.cache_dir() == dspy.HOME_AT_IMPORT, "a default argument value"
assert os.getpgid(0) == os.getpid(), "a process group of its own"
)PY");
  std::string refused;
  auto outcome = server.Run(RunOf(scenario, "r1"), nullptr, &refused);
  ASSERT_TRUE(outcome.has_value()) << refused;
  EXPECT_TRUE(outcome->started);
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_FALSE(outcome->timed_out);
  EXPECT_NE(outcome->output_tail.find("hello from " + (dir_ / "runs/r1").string()),
            std::string::npos)
      << outcome->output_tail;
  auto result = Result("r1");
  EXPECT_EQ(result["status"], "pass") << result.dump(2);
  EXPECT_EQ(result["start_mode"], "warm");
  EXPECT_EQ(result["dspy_version"], "2.5.40");
  EXPECT_EQ(result["run_id"], "r1");
  EXPECT_TRUE(server.WhyUnusable().empty());
}

// A program that could not start (a syntax error; a module or file missing
// before its first LM call) is unresolved; the same error after an LM call,
// or a name missing from dspy itself, is the program failing.
TEST_F(ForkServerTest, ProgramsThatCannotStartAreUnresolved) {
  ForkServer server(Options(), nullptr);
  const std::pair<const char*, const char*> cases[] = {
      {"unresolved", "import dspy\nimport myapp_that_does_not_exist\n"},
      {"unresolved", "def broken(:\n    pass\n"},
      {"unresolved", "open('data/questions.jsonl').read()\n"},
      {"fail", "from dspy import NoSuchThing\n"},
      {"fail", "import dspy\ndspy.LM('openai/m')('hi')\nimport myapp_that_does_not_exist\n"},
      {"fail", "import dspy\nassert dspy.settings.config['lm'] is not None, 'No LM is loaded.'\n"},
  };
  int n = 0;
  for (const auto& [status, program] : cases) {
    std::string id = "u" + std::to_string(++n);
    std::string refused;
    ASSERT_TRUE(server.Run(RunOf(Scenario(id, program), id), nullptr, &refused).has_value())
        << refused;
    auto result = Result(id);
    EXPECT_EQ(result["status"], status) << program << result.dump(2);
  }
}

// After the program the runner records, in the main thread, what
// dspy.settings holds and which settings the program configured itself.
TEST_F(ForkServerTest, RecordsTheSettingsTheProgramLeavesBehind) {
  ForkServer server(Options(), nullptr);
  std::string refused;
  auto configures =
      Scenario("configures", "import dspy\ndspy.configure(lm=dspy.LM('openai/m1'))\n");
  ASSERT_TRUE(server.Run(RunOf(configures, "s1"), nullptr, &refused).has_value()) << refused;
  auto after = Result("s1")["settings_after"];
  EXPECT_EQ(after["lm"], "m1") << after.dump();
  EXPECT_EQ(after["changed"], nlohmann::json({"lm"}));
  EXPECT_EQ(after["configured"], nlohmann::json({"lm"}));
  // Set behind the program's back (as 2.5.40's dspy.context exits can leave it).
  auto leaks = Scenario("leaks", "import dspy\ndspy.settings._config['lm'] = dspy.LM('m2')\n");
  ASSERT_TRUE(server.Run(RunOf(leaks, "s2"), nullptr, &refused).has_value()) << refused;
  after = Result("s2")["settings_after"];
  EXPECT_EQ(after["lm"], "m2") << after.dump();
  EXPECT_EQ(after["changed"], nlohmann::json({"lm"}));
  EXPECT_TRUE(after["configured"].empty());
}

// Containment holds in a warm child as in a fresh interpreter: the audit hook
// the server installed before importing dspy refuses what leaves loopback,
// and records it in this run's result, which is an error even though the
// scenario swallowed every refusal. Reserved names and documentation
// addresses only: nothing here could reach a real host.
TEST_F(ForkServerTest, EgressIsRefusedAndMakesTheRunAnError) {
  ForkServer server(Options(), nullptr);
  auto scenario = Scenario("egress", R"PY(
import socket
for attempt in (lambda: socket.getaddrinfo("dspy-compat-test.invalid", 443),
                lambda: socket.create_connection(("192.0.2.7", 9), timeout=1)):
    try:
        attempt()
    except OSError as exc:
        print("swallowed", exc)
)PY");
  std::string refused;
  auto outcome = server.Run(RunOf(scenario, "e1"), nullptr, &refused);
  ASSERT_TRUE(outcome.has_value()) << refused;
  auto result = Result("e1");
  EXPECT_EQ(result["status"], "error") << result.dump(2);
  EXPECT_EQ(result["error_type"], "dspy_compat_runner.ContainmentError");
  EXPECT_NE(result["error_message"].get<std::string>().find("192.0.2.7:9"), std::string::npos);
  ASSERT_EQ(result["containment_events"].size(), 2u) << result.dump(2);
  EXPECT_EQ(result["containment_events"][0]["host"], "dspy-compat-test.invalid");
  EXPECT_EQ(result["containment_events"][0]["port"], 443);
  EXPECT_EQ(result["containment_events"][1]["kind"], "blocked-connection");
  EXPECT_EQ(result["containment_events"][1]["host"], "192.0.2.7");

  // The next run starts with no events of the earlier one.
  auto quiet = Scenario("quiet", "print('nothing to see')\n");
  ASSERT_TRUE(server.Run(RunOf(quiet, "e2"), nullptr, &refused).has_value()) << refused;
  EXPECT_EQ(Result("e2")["status"], "pass") << Result("e2").dump(2);
  EXPECT_TRUE(Result("e2")["containment_events"].empty());
}

// Each run is forked from the server, never from an earlier run: what one run
// changes (environment, module state, threads, files, seeds) the next does not see.
TEST_F(ForkServerTest, RunsDoNotSeeWhatEarlierRunsChanged) {
  ForkServer server(Options(), nullptr);
  auto dirty = Scenario("dirty", R"PY(
import os, random, threading, time, dspy
os.environ["LEAKED"] = "1"
dspy.LEAKED = True
threading.Thread(target=time.sleep, args=(600,)).start()
keep_open = open(os.path.join(os.environ["HOME"], "open.txt"), "w")
print("random", random.random())
)PY");
  auto check = Scenario("check", R"PY(
import os, random, threading, dspy
assert "LEAKED" not in os.environ
assert not hasattr(dspy, "LEAKED")
assert threading.active_count() == 1, threading.enumerate()
assert len(os.listdir("/proc/self/task")) == 1
fds = [fd for fd in os.listdir("/proc/self/fd") if int(fd) > 2]
targets = [os.readlink("/proc/self/fd/" + fd) for fd in fds if os.path.exists("/proc/self/fd/" + fd)]
# The run's own result file, opened by the runner before the scenario, and no other.
assert all(t.startswith("/proc/") or t == os.path.realpath("result.json.tmp") for t in targets), targets
print("random", random.random())
)PY");
  std::string refused;
  std::vector<std::string> randoms;
  for (const auto& [scenario, id] : std::vector<std::pair<fs::path, std::string>>{
           {dirty, "d1"}, {check, "c1"}, {dirty, "d2"}, {check, "c2"}}) {
    auto outcome = server.Run(RunOf(scenario, id), nullptr, &refused);
    ASSERT_TRUE(outcome.has_value()) << refused;
    EXPECT_EQ(Result(id)["status"], "pass") << id << ": " << Result(id).dump(2);
    randoms.push_back(outcome->output_tail);
  }
  // Reseeded per run, as a fresh interpreter is.
  EXPECT_NE(randoms[0], randoms[2]);
  EXPECT_NE(randoms[1], randoms[3]);
}

TEST_F(ForkServerTest, TimeLimitKillsTheRunWithItsProcessGroup) {
  ForkServer server(Options(), nullptr);
  fs::path pid_file = dir_ / "grandchild.pid";
  auto scenario = Scenario("hang",
                           "import subprocess, time\n"
                           "p = subprocess.Popen(['sleep', '300'])\n"
                           "open('" +
                               pid_file.string() +
                               "', 'w').write(str(p.pid))\n"
                               "time.sleep(300)\n");
  auto run = RunOf(scenario, "hang");
  run.timeout = std::chrono::milliseconds(1500);
  std::string refused;
  auto outcome = server.Run(run, nullptr, &refused);
  ASSERT_TRUE(outcome.has_value()) << refused;
  EXPECT_TRUE(outcome->timed_out);
  EXPECT_EQ(outcome->term_signal, SIGKILL);
  EXPECT_LT(outcome->wall_seconds, 10.0);
  pid_t grandchild = std::stoi(ReadText(pid_file));
  for (int i = 0; i < 100 && Alive(grandchild); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(Alive(grandchild));
  EXPECT_FALSE(fs::exists(dir_ / "runs/hang/result.json"));
}

TEST_F(ForkServerTest, DeathBySignalIsReported) {
  ForkServer server(Options(), nullptr);
  auto scenario = Scenario("die", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n");
  std::string refused;
  auto outcome = server.Run(RunOf(scenario, "die"), nullptr, &refused);
  ASSERT_TRUE(outcome.has_value()) << refused;
  EXPECT_EQ(outcome->term_signal, SIGSEGV);
  EXPECT_FALSE(outcome->exit_code.has_value());
}

TEST_F(ForkServerTest, CancelKillsTheRun) {
  ForkServer server(Options(), nullptr);
  auto scenario = Scenario("sleep", "import time\ntime.sleep(300)\n");
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  std::string refused;
  auto outcome = server.Run(RunOf(scenario, "cancelled"), &cancel, &refused);
  canceller.join();
  ASSERT_TRUE(outcome.has_value()) << refused;
  EXPECT_TRUE(outcome->cancelled);
  EXPECT_FALSE(outcome->timed_out);
  EXPECT_LT(outcome->wall_seconds, 10.0);
}

TEST_F(ForkServerTest, ConcurrentRunsFromSeveralThreads) {
  ForkServer server(Options(), nullptr);
  auto scenario = Scenario("short", "import time\ntime.sleep(0.2)\n");
  std::vector<std::thread> threads;
  std::atomic<int> passed{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      std::string refused;
      auto id = "p" + std::to_string(i);
      auto outcome = server.Run(RunOf(scenario, id), nullptr, &refused);
      if (outcome && outcome->exit_code == 0 && Result(id)["status"] == "pass") ++passed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(passed.load(), 4);
}

TEST_F(ForkServerTest, ThreadsAliveAfterImportMakeWarmStartingUnsafe) {
  try {
    ForkServer server(Options("threads"), nullptr);
    FAIL() << "a server with a thread alive started";
  } catch (const WarmStartError& e) {
    EXPECT_NE(std::string(e.what()).find("2 threads alive after importing dspy"), std::string::npos)
        << e.what();
  }
}

TEST_F(ForkServerTest, ACopyOfAPerRunFolderThatCannotBeRepointedMakesItUnsafe) {
  try {
    ForkServer server(Options("tuple"), nullptr);
    FAIL() << "a server with HOME in a tuple started";
  } catch (const WarmStartError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be re-pointed: tuple"), std::string::npos)
        << e.what();
  }
}

TEST_F(ForkServerTest, ImportFailureIsAStartError) {
  auto options = Options();
  options.env["PYTHONPATH"] = (dir_ / "nowhere").string();
  try {
    ForkServer server(options, nullptr);
    FAIL() << "a server without dspy started";
  } catch (const WarmStartError& e) {
    EXPECT_NE(std::string(e.what()).find("importing dspy failed: ModuleNotFoundError"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(ForkServerTest, MissingInterpreterIsAStartError) {
  auto options = Options();
  options.interpreter = "/nonexistent/python";
  EXPECT_THROW(ForkServer(options, nullptr), WarmStartError);
}

// A variable the server did not start with may have been read at import by a
// fresh interpreter; the server refuses rather than guess, and stays usable.
TEST_F(ForkServerTest, ARunWithAnotherEnvironmentIsRefused) {
  ForkServer server(Options(), nullptr);
  auto scenario = Scenario("env", "pass\n");
  auto run = RunOf(scenario, "env");
  run.env["DSPY_CACHE_LIMIT"] = "10";
  std::string refused;
  EXPECT_FALSE(server.Run(run, nullptr, &refused).has_value());
  EXPECT_NE(refused.find("DSPY_CACHE_LIMIT"), std::string::npos) << refused;
  EXPECT_FALSE(fs::exists(dir_ / "runs/env/output.log"));  // nothing ran
  EXPECT_TRUE(server.WhyUnusable().empty());
  EXPECT_TRUE(server.Run(RunOf(scenario, "env2"), nullptr, &refused).has_value());
}

TEST_F(ForkServerTest, ServerDeathDuringARunIsAnErrorAndItsRunIsKilled) {
  ForkServer server(Options(), nullptr);
  auto scenario = Scenario("long", "import time\ntime.sleep(300)\n");
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::kill(server.pid(), SIGKILL);
  });
  std::string refused;
  auto outcome = server.Run(RunOf(scenario, "orphan"), nullptr, &refused);
  killer.join();
  ASSERT_TRUE(outcome.has_value()) << refused;
  EXPECT_FALSE(outcome->started);
  EXPECT_NE(outcome->start_error.find("stopped"), std::string::npos);
  EXPECT_FALSE(server.WhyUnusable().empty());
  EXPECT_FALSE(server.Run(RunOf(scenario, "after"), nullptr, &refused).has_value());
}

TEST_F(ForkServerTest, StoppingTheServerLeavesNoProcessBehind) {
  pid_t pid = 0;
  {
    ForkServer server(Options(), nullptr);
    pid = server.pid();
    EXPECT_TRUE(Alive(pid));
  }
  EXPECT_FALSE(Alive(pid));
}

// Processes whose command line carries marker, a moment after a run
// (killed, so that a failing test leaves nothing behind).
std::vector<pid_t> Survivors(const std::string& marker) {
  std::vector<pid_t> found;
  for (int attempt = 0; attempt < 20; ++attempt) {
    found.clear();
    for (const auto& entry : fs::directory_iterator("/proc")) {
      std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string cmdline = ReadText(entry.path() / "cmdline");
      if (cmdline.find(marker) != std::string::npos) found.push_back(std::stoi(name));
    }
    if (found.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (pid_t pid : found) ::kill(pid, SIGKILL);
  return found;
}

// Started inside bubblewrap, the server gives each run a PID namespace of
// its own: before, a run killing its parent killed the server, and a setsid
// child or a double-forked daemon outlived its run.
class SandboxedForkServerTest : public ForkServerTest {
 protected:
  void SetUp() override {
    ForkServerTest::SetUp();
    sandbox_ = PrepareSandbox(SandboxMode::kAuto, /*pass_home=*/true, "");
    if (!sandbox_.enabled()) GTEST_SKIP() << sandbox_.why_not;
  }
  void TearDown() override {
    if (sandbox_.netns_fd >= 0) ::close(sandbox_.netns_fd);
    ForkServerTest::TearDown();
  }
  ForkServerOptions SandboxedOptions() {
    auto options = Options();
    options.sandbox = &sandbox_;
    return options;
  }
  Sandbox sandbox_;
};

TEST_F(SandboxedForkServerTest, ARunKillingItsParentLeavesTheServerServing) {
  ForkServer server(SandboxedOptions(), nullptr);
  ASSERT_TRUE(server.own_pid_namespaces());
  auto scenario = Scenario("parricide", R"PY(
import os, signal
print("pid", os.getpid(), "parent", os.getppid())
os.kill(os.getppid(), signal.SIGKILL)
)PY");
  std::string refused;
  auto outcome = server.Run(RunOf(scenario, "k1"), nullptr, &refused);
  ASSERT_TRUE(outcome.has_value()) << refused;
  EXPECT_TRUE(outcome->own_pid_namespace);
  EXPECT_EQ(outcome->exit_code, 0) << outcome->output_tail;
  EXPECT_NE(outcome->output_tail.find("pid 2 parent 1"), std::string::npos) << outcome->output_tail;
  EXPECT_EQ(Result("k1")["status"], "pass");
  EXPECT_TRUE(server.WhyUnusable().empty());
  // Still serving: the next run is warm too.
  ASSERT_TRUE(server.Run(RunOf(scenario, "k2"), nullptr, &refused).has_value()) << refused;
  EXPECT_EQ(Result("k2")["status"], "pass");
}

TEST_F(SandboxedForkServerTest, SetsidAndDoubleForkedChildrenDieWithTheRun) {
  ForkServer server(SandboxedOptions(), nullptr);
  const std::string marker = "dspy-compat-warm-escapee-" + std::to_string(::getpid());
  auto scenario = Scenario("escape", R"PY(
import os, subprocess, sys
sleeper = [sys.executable, "-c", "import time; time.sleep(60)", ")PY" +
                                         marker +
                                         R"PY("]
subprocess.Popen(sleeper, start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, sleeper)
    os._exit(0)
os.wait()
)PY");
  std::string refused;
  auto outcome = server.Run(RunOf(scenario, "e1"), nullptr, &refused);
  ASSERT_TRUE(outcome.has_value()) << refused;
  EXPECT_EQ(outcome->exit_code, 0) << outcome->output_tail;
  EXPECT_EQ(Survivors(marker), std::vector<pid_t>{});
}

TEST_F(SandboxedForkServerTest, SignalsAndTimeLimitsAreReportedAsBefore) {
  ForkServer server(SandboxedOptions(), nullptr);
  std::string refused;
  auto die = Scenario("die", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n");
  auto died = server.Run(RunOf(die, "die"), nullptr, &refused);
  ASSERT_TRUE(died.has_value()) << refused;
  EXPECT_EQ(died->term_signal, SIGSEGV);
  EXPECT_FALSE(died->exit_code.has_value());

  const std::string marker = "dspy-compat-warm-hang-" + std::to_string(::getpid());
  auto hang = Scenario("hang",
                       "import subprocess, sys, time\n"
                       "subprocess.Popen([sys.executable, '-c', 'import time; "
                       "time.sleep(60)', '" +
                           marker +
                           "'], start_new_session=True)\n"
                           "time.sleep(300)\n");
  auto run = RunOf(hang, "hang");
  run.timeout = std::chrono::milliseconds(1500);
  auto hung = server.Run(run, nullptr, &refused);
  ASSERT_TRUE(hung.has_value()) << refused;
  EXPECT_TRUE(hung->timed_out);
  EXPECT_EQ(Survivors(marker), std::vector<pid_t>{});
  EXPECT_TRUE(server.WhyUnusable().empty());
}

// A server that says what ours never says: a ready line and run events whose
// fields have other types (json::value() threw type_error for them, in the
// constructor or, worse, on the reader thread, which ended the harness), or
// a pid that kill(-pid) would turn against the harness's own group.
class HostileForkServerTest : public ForkServerTest {
 protected:
  // A server that answers hello with `hello` and every run with `events`
  // (each given the run's id), then waits for the end of its channel.
  ForkServerOptions Hostile(const std::string& hello, const std::string& events = "[]") {
    std::string program = R"PY(
import json, os, socket, sys
sock = socket.socket(fileno=int(sys.argv[sys.argv.index("--control-fd") + 1]))
lines = sock.makefile("rb")
lines.readline()  # hello
sock.sendall((json.dumps(HELLO) + "\n").encode())
for line in lines:
    request = json.loads(line)
    if request.get("op") == "run":
        for event in EVENTS:
            event["id"] = request["id"]
            sock.sendall((json.dumps(event) + "\n").encode())
)PY";
    program.replace(program.find("HELLO"), 5, hello);
    program.replace(program.find("EVENTS"), 6, events);
    fs::path script = dir_ / "hostile_server.py";
    warm_test::Write(script, program);
    auto options = Options();
    options.script = script;
    options.start_timeout = std::chrono::seconds(20);
    return options;
  }

  void ExpectStartError(const std::string& hello, const std::string& says) {
    try {
      ForkServer server(Hostile(hello), nullptr);
      ADD_FAILURE() << "a server whose ready line is " << hello << " was taken";
    } catch (const WarmStartError& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  }
};

TEST_F(HostileForkServerTest, AReadyLineWithWrongTypesIsAStartError) {
  ExpectStartError(R"({"event": "ready", "pid_namespaces": "yes"})",
                   "pid_namespaces is a string, not a boolean");
  ExpectStartError(R"({"event": 5})", "said something unexpected");
  ExpectStartError(R"({"event": "unsafe", "reason": ["x"]})", "unsafe to fork");
}

TEST_F(HostileForkServerTest, RunEventsWithWrongTypesAreReadByType) {
  ForkServer server(
      Hostile(R"({"event": "ready"})", R"([{"event": "refused", "reason": 7, "fatal": "yes"}])"),
      nullptr);
  std::string refused;
  auto run = RunOf(Scenario("hostile", "pass\n"), "hostile");
  EXPECT_FALSE(server.Run(run, nullptr, &refused).has_value());
  EXPECT_EQ(refused, "refused");
  EXPECT_TRUE(server.WhyUnusable().empty()) << "only a boolean true makes a refusal fatal";
}

TEST_F(HostileForkServerTest, ExitStatusesOutsideIntAreUnknownNotTruncated) {
  ForkServer server(Hostile(R"({"event": "ready"})",
                            R"([{"event": "started", "pid": os.getpid()},
                                {"event": "exited", "exit_code": "0", "signal": 4294967305}])"),
                    nullptr);
  std::string refused;
  auto outcome = server.Run(RunOf(Scenario("hostile", "pass\n"), "hostile"), nullptr, &refused);
  ASSERT_TRUE(outcome.has_value()) << refused;
  EXPECT_FALSE(outcome->exit_code.has_value());
  EXPECT_FALSE(outcome->term_signal.has_value()) << *outcome->term_signal;
}

// kill(-0) is the harness's own group, kill(-1) every process: a server that
// says such a pid is stopped, and its run is refused (nothing it says after
// counts), not waited for and killed by that pid.
TEST_F(HostileForkServerTest, AnImpossiblePidStopsTheServer) {
  ForkServer server(Hostile(R"({"event": "ready"})",
                            R"([{"event": "started", "pid": 0},
                                {"event": "exited", "exit_code": 0}])"),
                    nullptr);
  std::string refused;
  EXPECT_FALSE(
      server.Run(RunOf(Scenario("hostile", "pass\n"), "hostile"), nullptr, &refused).has_value());
  EXPECT_NE(refused.find("impossible pid (0)"), std::string::npos) << refused;
  EXPECT_NE(server.WhyUnusable().find("impossible pid (0)"), std::string::npos);
  EXPECT_FALSE(
      server.Run(RunOf(Scenario("hostile", "pass\n"), "after"), nullptr, &refused).has_value());
}

}  // namespace
}  // namespace dspy_compat
