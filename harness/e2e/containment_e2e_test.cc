// End-to-end tests of containment (issue 7): scenarios that try to reach
// another host, through a real-looking provider model, an explicit api_base,
// the openai client, litellm called directly and a raw httpx request, and one
// that prints the keys in its environment. The "other host" is a listener
// this test runs in a network namespace of its own, reachable from the host
// through a veth pair (the test proves it is reachable first); nothing ever
// aims at a real address. Warm and cold, on both pinned targets.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "e2e_fixture.h"
#include "process/subprocess.h"
#include "results/results_file.h"

extern char** environ;

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

using e2e::kRoot;
const fs::path kTestdata = kRoot / "harness/e2e/testdata";
constexpr const char* kDummy = "dspy-compat-dummy-key";
// Fake secrets the harness's own environment holds; none may appear anywhere
// a run or the harness writes.
constexpr const char* kFakeOpenAiKey = "sk-e2e-fake-openai-7f3a9c";
constexpr const char* kFakeAnthropicKey = "sk-ant-e2e-fake-41d2be";
constexpr const char* kFakeUserSecret = "e2e-fake-user-secret-90ab";

bool Sh(const std::vector<std::string>& argv, std::string* output = nullptr) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.env = CurrentEnvironment();
  spec.timeout = std::chrono::seconds(20);
  auto outcome = RunProcess(spec);
  if (output != nullptr) *output = outcome.output_tail;
  return outcome.exit_code == 0;
}

std::string Describe(const RunResult& r) {
  std::string events;
  for (const auto& e : r.containment_events) {
    events += " {" + e.kind + " " + e.host + ":" + (e.port ? std::to_string(*e.port) : "-") + " " +
              e.detail + "}";
  }
  return r.run_id + " " + std::string(StatusName(r.status)) + " [" + r.start_mode + ", " +
         r.containment + "]" + events + " " + r.error_type + ": " + r.error_message + "\n" +
         r.output_tail;
}

const ContainmentEvent* EventOf(const RunResult& r, const std::string& kind) {
  auto it = std::find_if(r.containment_events.begin(), r.containment_events.end(),
                         [&](const ContainmentEvent& e) { return e.kind == kind; });
  return it == r.containment_events.end() ? nullptr : &*it;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class ContainmentE2eTest : public e2e::E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for `ip netns add` (the other host)";
    const int id = static_cast<int>(::getpid() % 100000);
    netns_ = "dspyc7-" + std::to_string(id);
    veth_host_ = "dc7h" + std::to_string(id);
    veth_ns_ = "dc7n" + std::to_string(id);
    const std::string net = "10.231." + std::to_string(id % 250) + ".";
    listener_ip_ = net + "2";
    std::string why;
    if (!Sh({"ip", "netns", "add", netns_}, &why)) {
      netns_.clear();
      GTEST_SKIP() << "`ip netns add` is unavailable here: " << why;
    }
    const std::vector<std::vector<std::string>> setup = {
        {"ip", "link", "add", veth_host_, "type", "veth", "peer", "name", veth_ns_},
        {"ip", "link", "set", veth_ns_, "netns", netns_},
        {"ip", "addr", "add", net + "1/30", "dev", veth_host_},
        {"ip", "link", "set", veth_host_, "up"},
        {"ip", "netns", "exec", netns_, "ip", "addr", "add", listener_ip_ + "/30", "dev", veth_ns_},
        {"ip", "netns", "exec", netns_, "ip", "link", "set", veth_ns_, "up"},
        {"ip", "netns", "exec", netns_, "ip", "link", "set", "lo", "up"}};
    for (const auto& argv : setup) ASSERT_TRUE(Sh(argv, &why)) << argv[0] << " ...: " << why;

    listener_port_ = 18000 + id % 1000;
    listener_log_ = out_ / "listener.log";
    const fs::path ready = out_ / "listener.ready";
    std::vector<std::string> args = {"ip",      "netns",
                                     "exec",    netns_,
                                     "python3", (kTestdata / "containment_listener.py").string(),
                                     "--bind",  listener_ip_,
                                     "--port",  std::to_string(listener_port_),
                                     "--log",   listener_log_.string(),
                                     "--ready", ready.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(::posix_spawnp(&listener_pid_, "ip", nullptr, nullptr, argv.data(), environ), 0);
    for (int i = 0; i < 100 && !fs::exists(ready); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(fs::exists(ready)) << "the listener did not start";
  }

  void TearDown() override {
    if (listener_pid_ > 0) {
      ::kill(listener_pid_, SIGKILL);
      ::waitpid(listener_pid_, nullptr, 0);
    }
    if (!netns_.empty()) {
      Sh({"ip", "link", "del", veth_host_});
      Sh({"ip", "netns", "del", netns_});
    }
    E2eTest::TearDown();
  }

  // A connection from this process, outside any containment: proves that a
  // scenario that escaped would have reached the listener.
  bool Probe() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(listener_port_));
    ::inet_pton(AF_INET, listener_ip_.c_str(), &address.sin_addr);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
              ::send(fd, "probe\n", 6, 0) == 6;
    ::close(fd);
    for (int i = 0; ok && i < 50; ++i) {
      if (e2e::ReadText(listener_log_).find("probe") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::string netns_, veth_host_, veth_ns_, listener_ip_;
  int listener_port_ = 0;
  fs::path listener_log_;
  pid_t listener_pid_ = -1;
};

TEST_F(ContainmentE2eTest, NothingReachesTheOtherHostWarmOrColdOnBothTargets) {
  ASSERT_TRUE(Probe()) << "the listener in " << netns_ << " is not reachable from the host";
  const std::string probe_log = e2e::ReadText(listener_log_);

  // The harness runs with fake keys in its environment, and with a HOME and
  // TMPDIR of its own that it must leave untouched.
  const fs::path home = out_ / "harness-home";
  const fs::path tmp = out_ / "harness-tmp";
  fs::create_directories(home / ".ssh");
  fs::create_directories(tmp);
  {
    std::ofstream key(home / ".ssh" / "id_ed25519");
    key << "an SSH key the runs must not read\n";
  }
  auto current = CurrentEnvironment();
  std::string cache = current.contains("DSPY_COMPAT_CACHE")
                          ? current["DSPY_COMPAT_CACHE"]
                          : (fs::path(current["HOME"]) / ".cache" / "dspy-compat").string();
  const std::map<std::string, std::string> env = {
      {"OPENAI_API_KEY", kFakeOpenAiKey},
      {"ANTHROPIC_API_KEY", kFakeAnthropicKey},
      {"DSPY_COMPAT_E2E_SECRET", kFakeUserSecret},
      {"DSPY_COMPAT_TEST_LISTENER", listener_ip_ + ":" + std::to_string(listener_port_)},
      {"DSPY_COMPAT_TEST_USER_HOME", home.string()},
      {"DSPY_COMPAT_CACHE", cache},
      {"HOME", home.string()},
      {"TMPDIR", tmp.string()}};

  for (const std::string mode : {"warm", "cold"}) {
    SCOPED_TRACE(mode);
    const fs::path out = out_ / mode;
    std::vector<std::string> args = {"run",
                                     "--repeat",
                                     "1",
                                     "--out",
                                     out.string(),
                                     "--jobs",
                                     "2",
                                     "--timeout",
                                     "60",
                                     "--scenarios",
                                     (kTestdata / "containment").string(),
                                     "--pass-env",
                                     "DSPY_COMPAT_TEST_LISTENER",
                                     "--pass-env",
                                     "DSPY_COMPAT_TEST_USER_HOME",
                                     "--scrub",
                                     "DSPY_COMPAT_E2E_*"};
    if (mode == "cold") args.push_back("--cold");
    auto inv = Run(args, env);
    ASSERT_EQ(inv.exit_code, 0) << inv.output;
    auto results = ReadResultsFile(out / "results.json");
    ASSERT_EQ(results.runs.size(), 16u) << inv.output;
    const auto& environment = results.environment;
    EXPECT_EQ(environment.passed_env, (std::vector<std::string>{"DSPY_COMPAT_TEST_LISTENER",
                                                                "DSPY_COMPAT_TEST_USER_HOME"}));
    for (const char* name : {"ANTHROPIC_API_KEY", "DSPY_COMPAT_E2E_SECRET", "OPENAI_API_KEY"}) {
      EXPECT_TRUE(Contains(environment.scrubbed_env, name)) << name;
    }

    for (const char* target : {"dspy-2.5.39", "dspy-2.5.40"}) {
      SCOPED_TRACE(target);
      auto only = [&](const std::string& scenario) {
        auto runs = e2e::RunsOf(results, scenario, target);
        EXPECT_EQ(runs.size(), 1u) << scenario;
        return runs.empty() ? RunResult{} : runs[0];
      };
      for (const auto& r : results.runs) {
        EXPECT_EQ(r.start_mode, mode) << Describe(r);
        EXPECT_EQ(r.containment, "python-audit-hook+refusing-proxy") << Describe(r);
        // As root with bubblewrap (as here): the whole sandbox.
        EXPECT_EQ(r.sandbox, "pidns+netns+nohome") << Describe(r);
      }

      // Below the audit hook, only the network namespace stops it: the
      // listener (checked below) heard nothing, and the scenario saw why.
      auto below = only("containment_below_python");
      EXPECT_EQ(below.status, Status::kPass) << Describe(below);
      EXPECT_NE(below.output_tail.find("connect: -1 Network is unreachable"), std::string::npos)
          << Describe(below);

      // The user's home (the harness's HOME) is an empty folder to runs.
      auto home_key = only("containment_read_home");
      EXPECT_EQ(home_key.status, Status::kPass) << Describe(home_key);
      EXPECT_NE(home_key.output_tail.find("key unreadable: No such file or directory"),
                std::string::npos)
          << Describe(home_key);

      // Redirected to the mock server, and said so.
      auto anthropic = only("containment_anthropic_model");
      EXPECT_EQ(anthropic.status, Status::kPass) << Describe(anthropic);
      EXPECT_GE(anthropic.lm_requests, 1) << Describe(anthropic);
      EXPECT_TRUE(Contains(anthropic.models, "anthropic/claude-3-5-sonnet-20241022"))
          << Describe(anthropic);
      const auto* lm = EventOf(anthropic, "redirected-lm");
      EXPECT_TRUE(lm != nullptr &&
                  lm->detail.find("anthropic/claude-3-5-sonnet") != std::string::npos)
          << Describe(anthropic);

      for (const auto& [scenario, kind] : std::vector<std::pair<std::string, std::string>>{
               {"containment_api_base", "redirected-lm"},
               {"containment_openai_client", "redirected-client"}}) {
        auto r = only(scenario);
        EXPECT_EQ(r.status, Status::kPass) << Describe(r);
        EXPECT_GE(r.lm_requests, 1) << Describe(r);
        const auto* event = EventOf(r, kind);
        EXPECT_TRUE(event != nullptr && event->host == listener_ip_ &&
                    event->port == listener_port_)
            << kind << " expected: " << Describe(r);
      }

      // Refused, reported with host and port, and an error even though the
      // scenarios caught the refusal.
      for (const char* scenario : {"containment_raw_httpx", "containment_litellm_direct"}) {
        auto r = only(scenario);
        EXPECT_EQ(r.status, Status::kError) << Describe(r);
        EXPECT_NE(r.error_message.find("containment"), std::string::npos) << Describe(r);
        const auto* blocked = EventOf(r, kBlockedConnection);
        EXPECT_TRUE(blocked != nullptr && blocked->host == listener_ip_ &&
                    blocked->port == listener_port_)
            << "a blocked connection to the listener expected: " << Describe(r);
      }

      auto keys = only("containment_read_key");
      EXPECT_EQ(keys.status, Status::kPass) << Describe(keys);
      for (const char* name : {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "DSPY_COMPAT_E2E_SECRET"}) {
        EXPECT_NE(keys.output_tail.find(std::string(name) + "=" + kDummy), std::string::npos)
            << Describe(keys);
      }
    }

    // The listener heard the probe and nothing else.
    EXPECT_EQ(e2e::ReadText(listener_log_), probe_log);

    // No fake secret anywhere the harness wrote: results, reports, its log.
    for (const auto& entry : fs::recursive_directory_iterator(out_)) {
      if (!entry.is_regular_file()) continue;
      std::string text = e2e::ReadText(entry.path());
      for (const char* secret : {kFakeOpenAiKey, kFakeAnthropicKey, kFakeUserSecret}) {
        EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << entry.path();
      }
    }
  }

  // The harness wrote nothing outside its output folder and its cache.
  EXPECT_EQ(std::distance(fs::directory_iterator(home), fs::directory_iterator()), 1)
      << "the harness wrote into HOME";
  EXPECT_TRUE(fs::is_empty(tmp)) << "the harness wrote into TMPDIR";
}

}  // namespace
}  // namespace dspy_compat
