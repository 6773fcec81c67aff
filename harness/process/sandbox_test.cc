#include "process/sandbox.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;

TEST(SandboxTest, ModesParse) {
  EXPECT_EQ(ParseSandboxMode("auto"), SandboxMode::kAuto);
  EXPECT_EQ(ParseSandboxMode("bwrap"), SandboxMode::kBwrap);
  EXPECT_EQ(ParseSandboxMode("none"), SandboxMode::kNone);
  EXPECT_EQ(ParseSandboxMode("docker"), std::nullopt);
}

TEST(SandboxTest, LabelSaysWhatARunHad) {
  Sandbox none;
  EXPECT_EQ(none.Label(false), "process-group");
  Sandbox full{.bwrap = "/usr/bin/bwrap", .hidden_home = "/home/u", .netns_fd = 7};
  EXPECT_EQ(full.Label(true), "pidns+netns+nohome");
  EXPECT_EQ(full.Label(false), "bwrap-no-pidns+netns+nohome");
  Sandbox netns_only{.netns_fd = 7};
  EXPECT_EQ(netns_only.Label(false), "process-group+netns");
}

// A run's bwrap line: its own PID namespace, dying with the thread that
// starts it, then what each sandbox binds, then the command.
struct WrapCase {
  const char* what;
  Sandbox sandbox;
  std::vector<std::string> command;
  std::vector<fs::path> extra_read_only;
  std::vector<std::string> binds;  // between --new-session and --
};

TEST(SandboxTest, ARunsLineBindsWhatItNeedsParentsFirst) {
  const WrapCase cases[] = {
      {"a hidden home, with what runs need under it bound back",
       {.bwrap = "/usr/bin/bwrap",
        .hidden_home = "/home/u",
        .read_only = {"/home/u/proj", "/opt/elsewhere"},
        .writable = {"/home/u/proj/out/work"}},
       {"python", "run.py"},
       {"/home/u/.pyenv/versions/3.11"},
       {"--tmpfs", "/home/u",                                            //
        "--ro-bind-try", "/home/u/proj", "/home/u/proj",                 //
        "--bind-try", "/home/u/proj/out/work", "/home/u/proj/out/work",  //
        "--ro-bind-try", "/home/u/.pyenv/versions/3.11", "/home/u/.pyenv/versions/3.11"}},
      // run --project: the project is bound read-only even outside a hidden
      // home, and a session folder inside it is bound back writable after it.
      {"a project, read-only everywhere with its session folder writable",
       {.bwrap = "/usr/bin/bwrap",
        .read_only = {"/opt/elsewhere"},
        .writable = {"/srv/proj/out/work", "/tmp/work"},
        .read_only_everywhere = {"/srv/proj"}},
       {"python"},
       {},
       {"--ro-bind-try", "/srv/proj", "/srv/proj",  //
        "--bind-try", "/srv/proj/out/work", "/srv/proj/out/work"}},
  };
  for (const WrapCase& c : cases) {
    std::vector<std::string> expected = {"/usr/bin/bwrap",    "--dev-bind",    "/",      "/",
                                         "--die-with-parent", "--unshare-pid", "--proc", "/proc",
                                         "--new-session"};
    expected.insert(expected.end(), c.binds.begin(), c.binds.end());
    expected.push_back("--");
    expected.insert(expected.end(), c.command.begin(), c.command.end());
    EXPECT_EQ(c.sandbox.Wrap(c.command, Sandbox::For::kRun, c.extra_read_only), expected) << c.what;
  }
}

TEST(SandboxTest, AForkServerGetsNoPidNamespaceButMayMakeThem) {
  Sandbox sandbox{.bwrap = "/usr/bin/bwrap", .user_namespace = true};
  auto argv = sandbox.Wrap({"python", "server.py"}, Sandbox::For::kForkServer, {});
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "--unshare-pid"), 0);
  // Not tied to the worker thread that starts it: it ends with its socket.
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "--die-with-parent"), 0);
  EXPECT_NE(std::find(argv.begin(), argv.end(), "CAP_SYS_ADMIN"), argv.end());
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "--tmpfs"), 0);  // home left visible
}

TEST(SandboxTest, BwrapsExitCodeForASignalBecomesTheSignal) {
  ProcessOutcome killed;
  killed.exit_code = 128 + SIGKILL;
  UndoBwrapExitStatus(killed);
  EXPECT_EQ(killed.exit_code, std::nullopt);
  EXPECT_EQ(killed.term_signal, SIGKILL);
  ProcessOutcome failed;
  failed.exit_code = 1;
  UndoBwrapExitStatus(failed);
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(failed.term_signal, std::nullopt);
}

TEST(SandboxTest, NoneIsAProcessGroupOnly) {
  Sandbox sandbox = PrepareSandbox(SandboxMode::kNone, false, "/root");
  EXPECT_FALSE(sandbox.enabled());
  EXPECT_EQ(sandbox.netns_fd, -1);
  EXPECT_EQ(sandbox.Label(false), "process-group");
}

// Real contained processes (plain python3, no DSPy): each of these escapes
// the process group the harness used before bubblewrap.
class ContainedProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sandbox_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "home" / ".ssh");
    std::ofstream(dir_ / "home" / ".ssh" / "id_ed25519") << "PRIVATE KEY\n";
    sandbox_ = PrepareSandbox(SandboxMode::kAuto, false, dir_ / "home");
    if (!sandbox_.enabled()) GTEST_SKIP() << sandbox_.why_not;
    sandbox_.writable = {dir_ / "home" / "work"};
    fs::create_directories(dir_ / "home" / "work");
  }
  void TearDown() override {
    if (sandbox_.netns_fd >= 0) ::close(sandbox_.netns_fd);
    fs::remove_all(dir_);
  }

  ProcessOutcome Run(const std::string& program) {
    ProcessSpec spec;
    spec.argv = sandbox_.Wrap({"python3", "-c", program}, Sandbox::For::kRun, {});
    spec.env = CurrentEnvironment();
    spec.cwd = dir_;
    spec.output_path = dir_ / "output.log";
    spec.timeout = std::chrono::seconds(30);
    spec.netns_fd = sandbox_.netns_fd;
    ProcessOutcome outcome = RunProcess(spec);
    UndoBwrapExitStatus(outcome);
    return outcome;
  }

  // Processes whose command line carries marker, a moment after a run (up to
  // 10 s: on a loaded machine the namespace's teardown can take seconds).
  static std::vector<pid_t> Survivors(const std::string& marker) {
    std::vector<pid_t> found;
    for (int attempt = 0; attempt < 100; ++attempt) {
      found.clear();
      for (const auto& entry : fs::directory_iterator("/proc")) {
        std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(entry.path() / "cmdline");
        std::string cmdline((std::istreambuf_iterator<char>(in)), {});
        if (cmdline.find(marker) != std::string::npos) found.push_back(std::stoi(name));
      }
      if (found.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (pid_t pid : found) ::kill(pid, SIGKILL);  // leave nothing behind either way
    return found;
  }

  fs::path dir_;
  Sandbox sandbox_;
};

TEST_F(ContainedProcessTest, ARunKillingItsParentCannotReachTheHarness) {
  // The old process group gave a run the harness as its parent: this killed
  // the test binary itself.
  auto outcome = Run(R"PY(
import os, signal
print("parent", os.getppid())
os.kill(os.getppid(), signal.SIGKILL)  # its namespace's init, which ignores it
print("still here")
)PY");
  EXPECT_TRUE(outcome.started);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output_tail;
  EXPECT_NE(outcome.output_tail.find("parent 1\nstill here"), std::string::npos)
      << outcome.output_tail;
}

TEST_F(ContainedProcessTest, SetsidAndDoubleForkedChildrenDieWithTheRun) {
  const std::string marker = "dspy-compat-escapee-" + std::to_string(::getpid());
  auto outcome = Run(R"PY(
import os, subprocess, sys
sleeper = [sys.executable, "-c", "import time; time.sleep(60)", ")PY" +
                     marker + R"PY("]
subprocess.Popen(sleeper, start_new_session=True)
if os.fork() == 0:  # a daemon: fork, setsid, fork again
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, sleeper)
    os._exit(0)
os.wait()
)PY");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output_tail;
  EXPECT_EQ(Survivors(marker), std::vector<pid_t>{});
}

// Before, a run outlived a SIGKILLed harness under PID 1, with no time limit.
TEST_F(ContainedProcessTest, RunsDieWithTheHarnessEvenAfterItsSigkill) {
  const std::string marker = "dspy-compat-orphan-" + std::to_string(::getpid());
  pid_t harness = ::fork();
  if (harness == 0) {  // plays the harness: starts a run, waits for it
    Run("import time\ntime.sleep(60)  # " + marker + "\n");
    ::_exit(0);
  }
  ASSERT_GT(harness, 0);
  bool started = false;
  for (int i = 0; i < 100 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (const auto& entry : fs::directory_iterator("/proc")) {
      std::ifstream in(entry.path() / "comm");
      std::string comm;
      std::getline(in, comm);
      if (comm.rfind("python", 0) != 0) continue;
      std::ifstream cmd(entry.path() / "cmdline");
      std::string cmdline((std::istreambuf_iterator<char>(cmd)), {});
      if (cmdline.find(marker) != std::string::npos) started = true;
    }
  }
  ::kill(harness, SIGKILL);
  int status = 0;
  ::waitpid(harness, &status, 0);
  EXPECT_TRUE(started);
  EXPECT_EQ(Survivors(marker), std::vector<pid_t>{});
}

TEST_F(ContainedProcessTest, HomeIsHiddenButTheSessionFolderIsWritable) {
  auto outcome = Run("import os\nhome = '" + (dir_ / "home").string() + R"PY('
print("listing:", sorted(os.listdir(home)))
try:
    open(os.path.join(home, ".ssh", "id_ed25519")).read()
    print("key readable")
except OSError as e:
    print("key unreadable:", e.strerror)
open(os.path.join(home, "work", "out.txt"), "w").write("written")
)PY");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output_tail;
  EXPECT_NE(outcome.output_tail.find("key unreadable"), std::string::npos) << outcome.output_tail;
  EXPECT_NE(outcome.output_tail.find("listing: ['work']"), std::string::npos)
      << outcome.output_tail;
  std::ifstream written(dir_ / "home" / "work" / "out.txt");
  std::string text;
  std::getline(written, text);
  EXPECT_EQ(text, "written");
}

TEST_F(ContainedProcessTest, AProjectIsReadableButNotWritable) {
  const fs::path project = dir_ / "project";
  fs::create_directories(project / "out");
  std::ofstream(project / "app.py") << "VALUE = 1\n";
  sandbox_.read_only_everywhere = {project};
  sandbox_.writable.push_back(project / "out");
  auto outcome = Run("import os\nproject = '" + project.string() + R"PY('
print("read:", open(os.path.join(project, "app.py")).read().strip())
try:
    open(os.path.join(project, "app.py"), "a").write("# edited")
    print("project written")
except OSError as e:
    print("project unwritable:", e.strerror)
open(os.path.join(project, "out", "r.txt"), "w").write("ok")
)PY");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output_tail;
  EXPECT_NE(outcome.output_tail.find("read: VALUE = 1"), std::string::npos) << outcome.output_tail;
  EXPECT_NE(outcome.output_tail.find("project unwritable"), std::string::npos)
      << outcome.output_tail;
  EXPECT_TRUE(fs::exists(project / "out" / "r.txt"));
}

TEST_F(ContainedProcessTest, OnlyLoopbackWhereTheMockServerListensIsReachable) {
  if (sandbox_.netns_fd < 0) GTEST_SKIP() << sandbox_.why_not;
  // A listener made in the runs' namespace (as the mock server's is), and
  // one in the harness's own, on every address.
  int inside = -1;
  int inside_port = 0;
  {
    ScopedNetns in(sandbox_.netns_fd);
    ASSERT_TRUE(in.ok());
    inside = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ASSERT_EQ(::bind(inside, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(inside, 4), 0);
    ::getsockname(inside, reinterpret_cast<sockaddr*>(&a), &len);
    inside_port = ntohs(a.sin_port);
  }
  int outside = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in b{};
  b.sin_family = AF_INET;
  b.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t len = sizeof b;
  ASSERT_EQ(::bind(outside, reinterpret_cast<sockaddr*>(&b), sizeof b), 0);
  ASSERT_EQ(::listen(outside, 4), 0);
  ::getsockname(outside, reinterpret_cast<sockaddr*>(&b), &len);
  const int outside_port = ntohs(b.sin_port);

  auto outcome = Run(R"PY(
import socket
print("interfaces:", [name for _, name in socket.if_nameindex()])
def reach(host, port):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return "reached"
    except OSError as e:
        return "unreachable"
print("mock:", reach("127.0.0.1", )PY" +
                     std::to_string(inside_port) + R"PY())
print("harness:", reach("127.0.0.1", )PY" +
                     std::to_string(outside_port) + R"PY())
print("outside:", reach("1.1.1.1", 53))
)PY");
  ::close(inside);
  ::close(outside);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output_tail;
  EXPECT_NE(outcome.output_tail.find("interfaces: ['lo']"), std::string::npos)
      << outcome.output_tail;
  EXPECT_NE(outcome.output_tail.find("mock: reached"), std::string::npos) << outcome.output_tail;
  EXPECT_NE(outcome.output_tail.find("harness: unreachable"), std::string::npos)
      << outcome.output_tail;
  EXPECT_NE(outcome.output_tail.find("outside: unreachable"), std::string::npos)
      << outcome.output_tail;
}

}  // namespace
}  // namespace dspy_compat
