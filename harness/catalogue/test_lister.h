// Listing a pytest file's tests with target_runner/dspy_compat_collect_tests.py
// in a child Python (stdlib `ast`, any python3 >= 3.9; the file is never
// imported), for discovery's TestLister.
#pragma once

#include <chrono>
#include <filesystem>

#include "catalogue/pytest_files.h"

namespace dspy_compat {

struct TestListerCommand {
  std::filesystem::path python = "python3";  // looked up on PATH without a slash
  std::filesystem::path script;              // dspy_compat_collect_tests.py
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
};

// A TestLister that runs the script; its ScenarioError says why a file could
// not be listed (no interpreter, a file that does not parse).
TestLister PythonTestLister(TestListerCommand command);

}  // namespace dspy_compat
