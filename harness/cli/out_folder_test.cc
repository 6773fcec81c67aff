// A session's --out folder (out_folder.h) and the options a resume reads back
// (session_options.h).
#include "cli/out_folder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/session_options.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

class OutFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("out_folder_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(OutFolderTest, ANewFolderIsMadeAndMarked) {
  OutFolder held = OutFolder::Take(dir_ / "out", false);
  EXPECT_TRUE(fs::exists(dir_ / "out" / kOutMarker));
}

// Two sessions on one --out deleted each other's run folders: the second
// is refused while the first holds the folder, and touches nothing.
TEST_F(OutFolderTest, ASecondSessionIsRefusedAndTouchesNothing) {
  OutFolder first = OutFolder::Take(dir_, false);
  Write(dir_ / "results.json", "{}");
  Write(dir_ / "work" / "run-1" / "stdout", "going");
  try {
    OutFolder second = OutFolder::Take(dir_, false);
    FAIL() << "a second session took a held folder";
  } catch (const OutFolderError& e) {
    EXPECT_NE(std::string(e.what()).find("another dspy-compat session"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(Read(dir_ / "results.json"), "{}");
  EXPECT_TRUE(fs::exists(dir_ / "work" / "run-1" / "stdout"));
}

TEST_F(OutFolderTest, TheFolderIsFreeOnceTheSessionEnds) {
  { OutFolder first = OutFolder::Take(dir_, false); }
  EXPECT_NO_THROW(OutFolder::Take(dir_, false));
}

// A user's folder with their own work/ in it was emptied of it.
TEST_F(OutFolderTest, AFolderOfSomeoneElsesFilesIsRefusedUntouched) {
  Write(dir_ / "work" / "thesis.tex", "mine");
  Write(dir_ / "report.md", "mine too");
  EXPECT_THROW(OutFolder::Take(dir_, false), OutFolderError);
  EXPECT_EQ(Read(dir_ / "work" / "thesis.tex"), "mine");
  EXPECT_EQ(Read(dir_ / "report.md"), "mine too");
  EXPECT_FALSE(fs::exists(dir_ / kOutMarker));

  fs::remove_all(dir_ / "work");
  Write(dir_ / "notes.txt", "x");
  EXPECT_THROW(OutFolder::Take(dir_, false), OutFolderError);
}

// After a kill, the previous session's report.md and junit.xml stayed beside
// the new partial results.json.
TEST_F(OutFolderTest, AnEarlierSessionsFilesAreRemovedAtTheStart) {
  { OutFolder earlier = OutFolder::Take(dir_, false); }
  for (const char* name :
       {"results.json", "report.md", "report.html", "junit.xml", "results.json.tmp.AbC123"}) {
    Write(dir_ / name, "old");
  }
  Write(dir_ / "work" / "run-1" / "stdout", "old");
  OutFolder held = OutFolder::Take(dir_, false);
  for (const char* name : {"results.json", "report.md", "report.html", "junit.xml",
                           "results.json.tmp.AbC123", "work"}) {
    EXPECT_FALSE(fs::exists(dir_ / name)) << name;
  }
}

TEST_F(OutFolderTest, AResumeKeepsResultsAndDropsTheRest) {
  { OutFolder earlier = OutFolder::Take(dir_, false); }
  Write(dir_ / "results.json", "partial");
  Write(dir_ / "report.md", "old");
  OutFolder held = OutFolder::Take(dir_, true);
  EXPECT_EQ(Read(dir_ / "results.json"), "partial");
  EXPECT_FALSE(fs::exists(dir_ / "report.md"));
}

TEST_F(OutFolderTest, AResumeNeedsASessionsFolder) {
  EXPECT_THROW(OutFolder::Take(dir_ / "nothing", true), OutFolderError);
  EXPECT_FALSE(fs::exists(dir_ / "nothing"));
}

// An --out the harness cannot create or write is one error naming it.
TEST_F(OutFolderTest, AnUnwritableFolderIsAnError) {
  Write(dir_ / "file", "a file, not a folder");
  try {
    OutFolder::Take(dir_ / "file" / "out", false);
    FAIL() << "took a folder under a file";
  } catch (const OutFolderError& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "file" / "out").string()), std::string::npos)
        << e.what();
  }
}

TEST(SessionOptionsTest, RoundTripsWithAbsolutePaths) {
  RunOptions o;
  o.targets = {"dspy-2.5.40", "dspy==2.6.0"};
  o.scenarios = {"scenarios/a.py"};
  o.adaptive_repeat = "3..9";
  o.jobs = 2;
  o.timeout_seconds = 30;
  o.lm_delay = "0";
  o.seed = 1234567890123ULL;
  o.cold = true;
  o.scrub = {"X_*"};
  o.pass_env = {"HOME"};
  o.shard = "1/2";
  o.gate = true;
  o.gate_options.baseline = "base.json";
  o.knowledge = {"/k.toml"};
  o.schedule = "pct";
  o.project = "sample";
  RunOptions back = RunOptionsFromSessionJson(SessionOptionsJson(o));
  EXPECT_EQ(back.targets, o.targets);
  EXPECT_EQ(back.scenarios, std::vector<fs::path>{fs::absolute("scenarios/a.py")});
  EXPECT_EQ(back.adaptive_repeat, o.adaptive_repeat);
  EXPECT_FALSE(back.repeat);
  EXPECT_EQ(back.jobs, 2);
  EXPECT_EQ(back.timeout_seconds, 30);
  EXPECT_EQ(back.lm_delay, "0");
  EXPECT_EQ(back.seed, o.seed);
  EXPECT_TRUE(back.cold);
  EXPECT_EQ(back.scrub, o.scrub);
  EXPECT_EQ(back.pass_env, o.pass_env);
  EXPECT_EQ(back.shard, "1/2");
  EXPECT_TRUE(back.gate);
  EXPECT_EQ(back.gate_options.baseline, fs::absolute("base.json"));
  EXPECT_EQ(back.knowledge, o.knowledge);
  EXPECT_EQ(back.schedule, "pct");
  EXPECT_EQ(back.project, fs::absolute("sample"));
  // A record from before run --project: no project.
  auto older = nlohmann::json::parse(SessionOptionsJson(o));
  older.erase("project");
  EXPECT_FALSE(RunOptionsFromSessionJson(older.dump()).project.has_value());
}

TEST(SessionOptionsTest, ABadRecordNamesTheKey) {
  try {
    RunOptionsFromSessionJson(R"({"targets": 3})");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("session_options.targets"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dspy_compat
