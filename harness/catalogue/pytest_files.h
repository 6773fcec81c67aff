// A team's tests as scenarios: which files given to --scenarios are pytest
// files, how `FILE::NAME` is split, and the test id each test is shown by
// (pytest's node id, relative to the project root). Pure: listing a file's
// tests is the TestLister's job (catalogue/test_lister.h).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dspy_compat {

// test_*.py or *_test.py, as pytest's default python_files.
bool IsPytestFile(const std::filesystem::path& path);

// "tests/test_x.py::test_a" -> {"tests/test_x.py", "test_a"}; the name may
// itself hold "::" (TestClass::test_method). Nothing when there is no "::"
// after a *.py file name.
struct TestSpec {
  std::filesystem::path file;
  std::string name;
};
std::optional<TestSpec> SplitTestSpec(const std::string& text);

// The folder a test id is relative to when no project root is known: the
// nearest folder from the file's upward holding pyproject.toml, pytest.ini,
// tox.ini, setup.cfg or setup.py (pytest's rootdir), else `cwd` when the
// file is below it, else the file's own folder.
std::filesystem::path TestRootOf(const std::filesystem::path& file,
                                 const std::filesystem::path& cwd);

// "tests/test_x.py::test_a": the file relative to `root` (generic '/'
// separators), then "::" and the name. A file outside `root` keeps its name only.
std::string TestIdOf(const std::filesystem::path& file, const std::string& name,
                     const std::filesystem::path& root);

// The test names of dspy_compat_collect_tests.py's JSON output; throws
// ScenarioError naming `file` when it is not that.
std::vector<std::string> ParseTestListing(const std::string& json,
                                          const std::filesystem::path& file);

// Lists a pytest file's test names (the part after "FILE::"), in file order;
// throws ScenarioError when it cannot.
using TestLister = std::function<std::vector<std::string>(const std::filesystem::path& file)>;

}  // namespace dspy_compat
