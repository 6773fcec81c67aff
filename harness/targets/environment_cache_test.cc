#include "targets/environment_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

// Builds a fake venv (bin/python) and reports a configurable version.
class FakeBuilder : public EnvironmentBuilder {
 public:
  void Build(const Target& target, const fs::path& dir) override {
    ++builds;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // widen the race window
    if (fail_build)
      throw ProvisionError("target " + target.name + ": could not install litellm==1.51.0");
    fs::create_directories(dir / "bin");
    std::ofstream(dir / "bin" / "python") << "#!/bin/sh\n";
    fs::create_directories(dir / "lib" / "dspy" / "__pycache__");
    std::ofstream(dir / "lib" / "dspy" / "__init__.py") << "import os\n";
    fs::create_symlink("/bin/sh", dir / "bin" / "sh");
  }
  InterpreterProbe Probe(const fs::path&) override {
    ++probes;
    if (!probe_error.empty()) throw ProvisionError(probe_error);
    return {probe_version, "3.11.7", "/x/dspy"};
  }

  std::atomic<int> builds{0};
  std::atomic<int> probes{0};
  std::string probe_error;
  bool fail_build = false;
  std::string probe_version = "2.5.40";
};

class EnvironmentCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("envcache_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    target_.name = "dspy-2.5.40";
    target_.dspy_version = "2.5.40";
    target_.lock_hash = std::string(64, 'c');
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
  Target target_;
  FakeBuilder builder_;
};

TEST_F(EnvironmentCacheTest, BuildsOnceThenHits) {
  EnvironmentCache cache(root_, builder_);
  auto ready = cache.Sync(target_);
  EXPECT_EQ(ready.interpreter, cache.DirFor(target_) / "bin" / "python");
  cache.Sync(target_);
  EXPECT_EQ(builder_.builds, 1);
  auto listed = cache.List();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].target, "dspy-2.5.40");
  EXPECT_EQ(listed[0].lock_hash, target_.lock_hash);
}

TEST_F(EnvironmentCacheTest, ConcurrentSyncsBuildOnce) {
  EnvironmentCache a(root_, builder_), b(root_, builder_);
  std::thread t1([&] { a.Sync(target_); });
  std::thread t2([&] { b.Sync(target_); });
  t1.join();
  t2.join();
  EXPECT_EQ(builder_.builds, 1);
}

TEST_F(EnvironmentCacheTest, FailedBuildLeavesNothingThatLooksFinished) {
  builder_.fail_build = true;
  EnvironmentCache cache(root_, builder_);
  EXPECT_THROW(cache.Sync(target_), ProvisionError);
  EXPECT_TRUE(cache.List().empty());
  EXPECT_FALSE(fs::exists(cache.DirFor(target_)));
  for (const auto& e : fs::directory_iterator(root_ / "envs")) {
    EXPECT_EQ(e.path().extension(), ".lock") << e.path();
  }
}

TEST_F(EnvironmentCacheTest, WrongImportedVersionIsRejected) {
  builder_.probe_version = "2.5.39";
  EnvironmentCache cache(root_, builder_);
  try {
    cache.Sync(target_);
    FAIL();
  } catch (const ProvisionError& e) {
    EXPECT_NE(std::string(e.what()).find("not the pinned 2.5.40"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(cache.DirFor(target_)));
}

TEST_F(EnvironmentCacheTest, UnfinishedFolderIsRebuilt) {
  EnvironmentCache cache(root_, builder_);
  fs::create_directories(cache.DirFor(target_) / "bin");  // no marker: a crashed attempt
  cache.Sync(target_);
  EXPECT_EQ(builder_.builds, 1);
  EXPECT_TRUE(fs::exists(cache.DirFor(target_) / "dspy-compat-env.json"));
}

// Issue 16: only the marker was checked, so a file deleted inside a cached
// venv surfaced as an import error in every run. Each use now checks the
// files against the list recorded when it was built; a damaged environment is
// named and provisioned again.
TEST_F(EnvironmentCacheTest, DamagedEnvironmentIsNamedAndProvisionedAgain) {
  EnvironmentCache cache(root_, builder_);
  std::vector<std::string> logged;
  auto log = [&](std::string_view line) { logged.emplace_back(line); };
  cache.Sync(target_, log);
  fs::path dir = cache.DirFor(target_);
  std::ofstream(dir / "lib" / "dspy" / "__pycache__" / "x.pyc") << "bytecode written later";
  cache.Sync(target_, log);
  EXPECT_EQ(builder_.builds, 1) << "bytecode caches are not damage";

  fs::remove(dir / "lib" / "dspy" / "__init__.py");
  logged.clear();
  cache.Sync(target_, log);
  EXPECT_EQ(builder_.builds, 2);
  ASSERT_FALSE(logged.empty());
  EXPECT_NE(logged[0].find("is damaged (lib/dspy/__init__.py is missing); provisioning it again"),
            std::string::npos)
      << logged[0];
  EXPECT_TRUE(fs::exists(dir / "lib" / "dspy" / "__init__.py"));

  std::ofstream(dir / "bin" / "python", std::ios::app) << "truncated or grown";
  builder_.fail_build = true;
  try {
    cache.Sync(target_, log);
    FAIL();
  } catch (const ProvisionError& e) {
    EXPECT_NE(std::string(e.what()).find("was damaged: bin/python has 28 bytes, 10 when "
                                         "provisioned"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(EnvironmentCacheTest, ALinkThatPointsNowhereIsDamage) {
  EnvironmentCache cache(root_, builder_);
  cache.Sync(target_);
  fs::path link = cache.DirFor(target_) / "bin" / "sh";
  fs::remove(link);
  fs::create_symlink(root_ / "nowhere", link);
  std::vector<std::string> logged;
  cache.Sync(target_, [&](std::string_view line) { logged.emplace_back(line); });
  EXPECT_EQ(builder_.builds, 2);
  ASSERT_FALSE(logged.empty());
  EXPECT_NE(logged[0].find("(bin/sh points nowhere)"), std::string::npos) << logged[0];
}

// Environments provisioned before the file list existed are probed once,
// then given one; one that no longer imports dspy is provisioned again.
TEST_F(EnvironmentCacheTest, EnvironmentWithoutFileListIsProbedOnce) {
  EnvironmentCache cache(root_, builder_);
  cache.Sync(target_);
  fs::path dir = cache.DirFor(target_);
  fs::remove(dir / "dspy-compat-files.txt");
  int probes = builder_.probes;
  cache.Sync(target_);
  cache.Sync(target_);
  EXPECT_EQ(builder_.probes, probes + 1);
  EXPECT_EQ(builder_.builds, 1);
  EXPECT_TRUE(fs::exists(dir / "dspy-compat-files.txt"));

  fs::remove(dir / "dspy-compat-files.txt");
  builder_.probe_error = "bin/python cannot import dspy: ModuleNotFoundError";
  EXPECT_THROW(cache.Sync(target_), ProvisionError);  // rebuilt, then its own probe fails
  EXPECT_EQ(builder_.builds, 2);
}

// A marker edited by hand (a field of another type) is an unfinished
// environment, never an uncaught type_error.
TEST_F(EnvironmentCacheTest, MarkerOfWrongTypesIsNotFinished) {
  EnvironmentCache cache(root_, builder_);
  cache.Sync(target_);
  std::ofstream(cache.DirFor(target_) / "dspy-compat-env.json")
      << R"({"lock_hash": 5, "dspy_version": null, "target": [], "created_at": {}})";
  EXPECT_EQ(cache.List().size(), 1u);
  EXPECT_EQ(cache.List()[0].target, "");
  cache.Sync(target_);
  EXPECT_EQ(builder_.builds, 2);
}

TEST_F(EnvironmentCacheTest, UserPythonIsProbedNotBuilt) {
  EnvironmentCache cache(root_, builder_);
  Target user;
  user.name = "python:/usr/bin/python3";
  user.kind = Target::Kind::kUserPython;
  user.interpreter = "/usr/bin/python3";
  auto ready = cache.Sync(user);
  EXPECT_EQ(builder_.builds, 0);
  EXPECT_EQ(ready.dspy_version, "2.5.40");
  EXPECT_EQ(ready.python_version, "3.11");
}

TEST(DescribeInstallFailureTest, NamesPackageTargetAndHint) {
  Target target;
  target.name = "dspy-2.5.40";
  LockFile lock;
  lock.packages = {{"dspy", "2.5.40", {}}, {"litellm", "1.51.0", {}}};
  auto msg = DescribeInstallFailure(
      target, lock,
      "  × No solution found when resolving dependencies:\n  ╰─▶ Because there is no version of "
      "litellm==1.51.0 and you require litellm==1.51.0, we can conclude...\n");
  EXPECT_NE(msg.find("target dspy-2.5.40"), std::string::npos) << msg;
  EXPECT_NE(msg.find("could not install litellm==1.51.0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("does not serve this version"), std::string::npos) << msg;
}

TEST(DescribeInstallFailureTest, NetworkFailureWithoutPackage) {
  Target target;
  target.name = "t";
  LockFile lock;
  lock.packages = {{"dspy", "2.5.40", {}}};
  auto msg = DescribeInstallFailure(target, lock, "error: Failed to fetch: dns error\n");
  EXPECT_NE(msg.find("error: Failed to fetch: dns error"), std::string::npos) << msg;
  EXPECT_NE(msg.find("reachable"), std::string::npos) << msg;
}

// uv offline with a cache that lacks a package says "not found": the network,
// not the index, is what to fix (seen when a damaged environment could not be
// provisioned again offline).
TEST(DescribeInstallFailureTest, OfflineIsNamedNotTheIndex) {
  Target target;
  target.name = "dspy-2.5.39";
  LockFile lock;
  lock.packages = {{"aiohappyeyeballs", "2.4.3", {}}};
  auto msg = DescribeInstallFailure(
      target, lock,
      "error: No solution found when resolving dependencies\n  cause: Because aiohappyeyeballs "
      "was not found in the cache and you require aiohappyeyeballs==2.4.3, we can conclude that "
      "your requirements are unsatisfiable.\n\nhint: Packages were unavailable because the "
      "network was disabled. When the network is disabled, registry packages may only be read "
      "from the cache.\n");
  EXPECT_NE(msg.find("could not install aiohappyeyeballs==2.4.3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("network is disabled (UV_OFFLINE"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("does not serve this version"), std::string::npos) << msg;
}

// Issue 16: a full disk while installing read as a package-index problem.
TEST(DescribeInstallFailureTest, FullDiskIsNamedAsSuch) {
  Target target;
  target.name = "dspy-2.5.40";
  LockFile lock;
  lock.packages = {{"dspy", "2.5.40", {}}, {"litellm", "1.51.0", {}}};
  for (const char* output :
       {"error: Failed to install: litellm-1.51.0-py3-none-any.whl (litellm==1.51.0)\n  Caused by: "
        "failed to write to file `/c/envs/x/lib/litellm/a.py`: No space left on device (os error "
        "28)\n",
        "ERROR: Could not install packages due to an OSError: [Errno 28] No space left on "
        "device\n"}) {
    auto msg = DescribeInstallFailure(target, lock, output);
    EXPECT_NE(msg.find("no space left on device ("), std::string::npos) << msg;
    EXPECT_NE(msg.find("No space left on device"), std::string::npos) << msg;
    EXPECT_NE(msg.find("DSPY_COMPAT_CACHE"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("index"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace dspy_compat
