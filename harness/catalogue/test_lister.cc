#include "catalogue/test_lister.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "catalogue/scenario_header.h"
#include "process/subprocess.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const std::size_t newline = text.rfind('\n');
  return newline == std::string::npos ? text : text.substr(newline + 1);
}

}  // namespace

TestLister PythonTestLister(TestListerCommand command) {
  return [command](const fs::path& file) {
    static std::atomic<int> counter = 0;
    const fs::path output = fs::temp_directory_path() /
                            fmt::format("dspy-compat-tests-{}-{}.json", ::getpid(), ++counter);
    ProcessSpec spec;
    spec.argv = {command.python.string(), command.script.string(), file.string()};
    spec.env = CurrentEnvironment();
    spec.output_path = output;
    spec.timeout = command.timeout;
    ProcessOutcome outcome = RunProcess(spec);
    std::ifstream in(output);
    std::ostringstream text;
    text << in.rdbuf();
    std::error_code ec;
    fs::remove(output, ec);
    if (!outcome.started) {
      throw ScenarioError(fmt::format("cannot list the tests of {}: {} could not start ({})",
                                      file.string(), command.python.string(), outcome.start_error));
    }
    // Exit 1 is the script's own one-line reason ("cannot list the tests of ...").
    if (outcome.exit_code == 1 && !Trimmed(text.str()).empty()) {
      throw ScenarioError(Trimmed(text.str()));
    }
    if (outcome.exit_code != 0) {
      throw ScenarioError(fmt::format(
          "cannot list the tests of {}: {} {} ended {}: {}", file.string(), command.python.string(),
          command.script.string(),
          outcome.timed_out ? "at its time limit"
                            : fmt::format("with exit code {}", outcome.exit_code.value_or(-1)),
          Trimmed(text.str())));
    }
    return ParseTestListing(text.str(), file);
  };
}

}  // namespace dspy_compat
