#include "targets/target_locker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "targets/fake_release_seams.h"
#include "targets/target_definition.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;
using test_support::FakeIndex;
using test_support::LockBody;
using test_support::NoVersionOutput;
using test_support::ScriptedCompiler;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TargetLockerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("locker_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    index_.Add("dspy", {{"dspy-2.5.40-py3-none-any.whl", "2024-11-26T17:23:01.476711Z"},
                        {"dspy-2.6.0-py3-none-any.whl", "2025-01-30T15:48:41.3Z"}});
    // Like the registry reachable here: no litellm 1.51.0, nor any 1.52.
    index_.Add("litellm", {{"litellm-1.14.4-py3-none-any.whl", "2023-12-14T22:33:11Z"},
                           {"litellm-1.53.1.dev1-py3-none-any.whl", "2024-11-27T10:00:00Z"},
                           {"litellm-1.53.1-py3-none-any.whl", "2024-11-28T05:00:00Z"},
                           {"litellm-1.53.2-py3-none-any.whl", "2024-11-29T05:00:00Z"}});
  }
  void TearDown() override { fs::remove_all(root_); }
  Release DspyRelease(const std::string& version) {
    for (const auto& r : ReleasesOf(index_.Project("dspy"))) {
      if (r.version_text == version) return r;
    }
    throw std::logic_error("no such release in the fake index");
  }
  fs::path root_;
  FakeIndex index_;
  ScriptedCompiler compiler_;
};

TEST(NextMidnightTest, EndOfTheUploadDayInUtc) {
  EXPECT_EQ(NextMidnightUtc("2024-11-26T17:23:01Z"), "2024-11-27T00:00:00Z");
  EXPECT_EQ(NextMidnightUtc("2024-12-31T23:59:59Z"), "2025-01-01T00:00:00Z");
  EXPECT_EQ(NextMidnightUtc("2024-02-28T01:00:00Z"), "2024-02-29T00:00:00Z");
  EXPECT_THROW(NextMidnightUtc("yesterday"), ReleaseError);
}

TEST(FindMissingPinTest, ReadsUvsNoVersionMessage) {
  auto pin = FindMissingPin(NoVersionOutput("litellm", "1.51.0"));
  ASSERT_TRUE(pin);
  EXPECT_EQ(pin->package, "litellm");
  EXPECT_EQ(pin->version, "1.51.0");
  EXPECT_FALSE(FindMissingPin("error: Failed to fetch: https://pypi.org/simple/dspy/"));
  // A range cannot be substituted by one version: not a missing pin.
  EXPECT_FALSE(FindMissingPin("cause: Because there is no version of foo>=9 and ..."));
  EXPECT_EQ(UvErrorLine(NoVersionOutput("litellm", "1.51.0")).substr(0, 48),
            "Because there is no version of litellm==1.51.0 a");
}

TEST_F(TargetLockerTest, ReleaseDayCutOffAndPythonFromRequiresPython) {
  compiler_.answers.push_back({true, LockBody({"anyio==4.8.0", "dspy==2.6.0"}), ""});
  TargetLocker locker(index_, compiler_);
  LockedRelease locked = locker.Lock("dspy", DspyRelease("2.6.0"), root_);
  ASSERT_EQ(compiler_.requests.size(), 1u);
  EXPECT_EQ(compiler_.requests[0].exclude_newer, "2025-01-31T00:00:00Z");
  EXPECT_EQ(compiler_.requests[0].python_version, "3.11");
  EXPECT_TRUE(compiler_.requests[0].overrides.empty());
  EXPECT_EQ(locked.dir, root_ / "dspy-2.6.0");
  EXPECT_EQ(locked.target.name, "dspy-2.6.0");
  EXPECT_EQ(locked.target.dspy_version, "2.6.0");
  EXPECT_TRUE(locked.target.substitutions.empty());
  EXPECT_EQ(ReadText(root_ / "dspy-2.6.0" / "requirements.in"), "dspy==2.6.0\n");
  std::string lock = ReadText(root_ / "dspy-2.6.0" / "requirements.lock");
  EXPECT_EQ(lock.substr(0, lock.find('\n')),
            "# Locked by dspy-compat envs lock with: uv pip compile requirements.in "
            "--python-version 3.11 --generate-hashes --exclude-newer 2025-01-31T00:00:00Z "
            "--no-header");
  EXPECT_NE(lock.find("(uv 0.13.9; overrides: none)"), std::string::npos);
  // What the harness loads is what was written: the same hash as a reload.
  EXPECT_EQ(LoadTargetDefinition(root_ / "dspy-2.6.0").lock_hash, locked.target.lock_hash);
  // No staging folders left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(root_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(TargetLockerTest, MissingVersionIsSubstitutedByTheNearestLaterAndRecorded) {
  compiler_.answers.push_back({false, "", NoVersionOutput("litellm", "1.51.0")});
  compiler_.answers.push_back({true, LockBody({"dspy==2.5.40", "litellm==1.53.1"}), ""});
  TargetLocker locker(index_, compiler_);
  std::vector<std::string> log;
  LockedRelease locked = locker.Lock("dspy", DspyRelease("2.5.40"), root_,
                                     [&](std::string_view line) { log.emplace_back(line); });
  ASSERT_EQ(compiler_.requests.size(), 2u);
  // The retry overrides the pin with the nearest later final release (not
  // the .dev1), allowed past the release day up to its own upload day.
  EXPECT_EQ(compiler_.requests[1].overrides, std::vector<std::string>{"litellm==1.53.1"});
  EXPECT_EQ(compiler_.requests[1].exclude_newer_package,
            std::vector<std::string>{"litellm=2024-11-29T00:00:00Z"});
  EXPECT_EQ(compiler_.requests[1].exclude_newer, "2024-11-27T00:00:00Z");
  ASSERT_EQ(locked.substitutions.size(), 1u);
  EXPECT_EQ(locked.substitutions[0].package, "litellm");
  EXPECT_EQ(locked.substitutions[0].requested, "1.51.0");
  EXPECT_EQ(locked.substitutions[0].used, "1.53.1");
  // Recorded in target.toml, so that a reload (and every result) carries it.
  Target reloaded = LoadTargetDefinition(root_ / "dspy-2.5.40");
  ASSERT_EQ(reloaded.substitutions.size(), 1u);
  EXPECT_EQ(reloaded.substitutions[0], locked.substitutions[0]);
  EXPECT_NE(reloaded.substitutions[0].reason.find("not served by https://pypi.org/simple/"),
            std::string::npos);
  std::string toml = ReadText(root_ / "dspy-2.5.40" / "target.toml");
  EXPECT_NE(toml.find("overrides = [\"litellm==1.53.1\"]"), std::string::npos) << toml;
  std::string lock = ReadText(root_ / "dspy-2.5.40" / "requirements.lock");
  EXPECT_NE(lock.find("--overrides <overrides from target.toml> --exclude-newer-package "
                      "litellm=2024-11-29T00:00:00Z"),
            std::string::npos)
      << lock;
  EXPECT_NE(lock.find("overrides: litellm==1.53.1)"), std::string::npos) << lock;
  bool logged = std::any_of(log.begin(), log.end(), [](const std::string& l) {
    return l.find("substituting litellm==1.53.1 for litellm==1.51.0") != std::string::npos;
  });
  EXPECT_TRUE(logged);
}

TEST_F(TargetLockerTest, NothingLaterServedFailsNamingPackageAndVersion) {
  compiler_.answers.push_back({false, "", NoVersionOutput("litellm", "9.0.0")});
  TargetLocker locker(index_, compiler_);
  try {
    locker.Lock("dspy", DspyRelease("2.5.40"), root_);
    FAIL();
  } catch (const ReleaseError& e) {
    EXPECT_NE(std::string(e.what()).find("dspy==2.5.40 needs litellm==9.0.0"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(root_ / "dspy-2.5.40"));
}

TEST_F(TargetLockerTest, OtherResolutionFailureIsOneLineNamingTheRelease) {
  compiler_.answers.push_back(
      {false, "", "error: Failed to fetch: `https://pypi.org/simple/anyio/`\n  Caused by: x\n"});
  TargetLocker locker(index_, compiler_);
  try {
    locker.Lock("dspy", DspyRelease("2.6.0"), root_);
    FAIL();
  } catch (const ReleaseError& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_NE(msg.find("dspy==2.6.0: uv could not resolve it: error: Failed to fetch"),
              std::string::npos)
        << msg;
  }
}

TEST_F(TargetLockerTest, RelockingReplacesTheFolder) {
  compiler_.answers.push_back({true, LockBody({"dspy==2.6.0"}), ""});
  compiler_.answers.push_back({true, LockBody({"anyio==4.8.0", "dspy==2.6.0"}), ""});
  TargetLocker locker(index_, compiler_);
  auto first = locker.Lock("dspy", DspyRelease("2.6.0"), root_);
  auto second = locker.Lock("dspy", DspyRelease("2.6.0"), root_);
  EXPECT_NE(first.target.lock_hash, second.target.lock_hash);
  EXPECT_EQ(LoadTargetDefinition(root_ / "dspy-2.6.0").lock_hash, second.target.lock_hash);
}

}  // namespace
}  // namespace dspy_compat
