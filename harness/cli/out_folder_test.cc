// A session's --out folder (out_folder.h).
#include "cli/out_folder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

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

}  // namespace
}  // namespace dspy_compat
