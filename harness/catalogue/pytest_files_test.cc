#include "catalogue/pytest_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "catalogue/scenario_header.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

TEST(PytestFilesTest, TestFilesAreNamedAsPytestFindsThem) {
  EXPECT_TRUE(IsPytestFile("tests/test_desk.py"));
  EXPECT_TRUE(IsPytestFile("desk_test.py"));
  EXPECT_FALSE(IsPytestFile("issue1867_concurrent16.py"));
  EXPECT_FALSE(IsPytestFile("tests/conftest.py"));
  EXPECT_FALSE(IsPytestFile("testing.py"));
  EXPECT_FALSE(IsPytestFile("_test.py"));
  EXPECT_FALSE(IsPytestFile("test_desk.txt"));
}

TEST(PytestFilesTest, SplitsFileAndNameAtTheFirstSeparatorAfterPy) {
  auto spec = SplitTestSpec("tests/test_desk.py::TestDesk::test_a");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->file, fs::path("tests/test_desk.py"));
  EXPECT_EQ(spec->name, "TestDesk::test_a");
  EXPECT_FALSE(SplitTestSpec("tests/test_desk.py"));
  EXPECT_FALSE(SplitTestSpec("tests/test_desk.py::"));
  EXPECT_FALSE(SplitTestSpec("desk::test_a"));
}

class TestRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pytest_files_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "project" / "tests");
    fs::create_directories(dir_ / "loose");
    std::ofstream(dir_ / "project" / "pyproject.toml") << "[project]\nname = 'x'\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TestRootTest, TheNearestFolderWithAProjectFileElseTheCwdElseTheFilesFolder) {
  const fs::path in_project = dir_ / "project" / "tests" / "test_a.py";
  EXPECT_EQ(TestRootOf(in_project, "/"), dir_ / "project");
  EXPECT_EQ(TestIdOf(in_project, "test_x", TestRootOf(in_project, "/")), "tests/test_a.py::test_x");

  const fs::path loose = dir_ / "loose" / "test_b.py";
  EXPECT_EQ(TestRootOf(loose, dir_), dir_);
  EXPECT_EQ(TestIdOf(loose, "test_y", dir_), "loose/test_b.py::test_y");
  EXPECT_EQ(TestRootOf(loose, dir_ / "project"), dir_ / "loose");
  // A file outside the root keeps its name only.
  EXPECT_EQ(TestIdOf(loose, "test_y", dir_ / "project"), "test_b.py::test_y");
}

TEST(PytestFilesTest, ParsesTheCollectScriptsListingAndRefusesAnythingElse) {
  EXPECT_EQ(ParseTestListing(R"({"file": "f", "tests": ["test_a", "TestB::test_c"]})", "f"),
            (std::vector<std::string>{"test_a", "TestB::test_c"}));
  EXPECT_TRUE(ParseTestListing(R"({"file": "f", "tests": []})", "f").empty());
  EXPECT_THROW(ParseTestListing("not json", "f"), ScenarioError);
  EXPECT_THROW(ParseTestListing(R"({"tests": [1]})", "f"), ScenarioError);
  EXPECT_THROW(ParseTestListing(R"(["test_a"])", "f"), ScenarioError);
}

}  // namespace
}  // namespace dspy_compat
