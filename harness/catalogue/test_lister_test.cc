#include "catalogue/test_lister.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "catalogue/scenario_header.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

const fs::path kScript =
    test_support::SourceRoot() / "target_runner" / "dspy_compat_collect_tests.py";

class TestListerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("test_lister_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TestListerTest, ListsTheTestsOfAFileWithTheSystemPython) {
  std::ofstream(dir_ / "test_desk.py") << "import missing_module\n"
                                          "def test_a():\n    pass\n"
                                          "class TestB:\n    async def test_c(self):\n"
                                          "        pass\n";
  TestLister list = PythonTestLister({.script = kScript});
  EXPECT_EQ(list(dir_ / "test_desk.py"), (std::vector<std::string>{"test_a", "TestB::test_c"}));
}

TEST_F(TestListerTest, AFileThatDoesNotParseOrNoInterpreterIsAScenarioError) {
  std::ofstream(dir_ / "test_bad.py") << "def test_a(:\n";
  try {
    PythonTestLister({.script = kScript})(dir_ / "test_bad.py");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot list the tests of"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("test_bad.py"), std::string::npos) << e.what();
  }
  EXPECT_THROW(
      PythonTestLister({.python = dir_ / "no-python", .script = kScript})(dir_ / "test_bad.py"),
      ScenarioError);
}

}  // namespace
}  // namespace dspy_compat
