#include "catalogue/discovery.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "catalogue/excerpt.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

std::string ReadProgram(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw ScenarioError(fmt::format("cannot read scenario {}", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Scenario LoadScenario(const fs::path& path, const std::string& text) {
  Scenario scenario;
  static_cast<ScenarioHeader&>(scenario) = ParseScenarioHeader(text, path.string());
  scenario.id = path.stem().string();
  scenario.path = fs::absolute(path).lexically_normal();
  if (scenario.summary.empty()) scenario.summary = scenario.id;
  scenario.excerpt = ExtractExcerpt(text);
  if (scenario.migration_of == scenario.id) {
    throw ScenarioError(fmt::format("{}: MIGRATION-OF names the scenario itself", path.string()));
  }
  if (scenario.forces == scenario.id) {
    throw ScenarioError(fmt::format("{}: FORCES names the scenario itself", path.string()));
  }
  if (!scenario.forces.empty() && scenario.mock_fixture.empty()) {
    throw ScenarioError(fmt::format(
        "{}: FORCES needs a MOCK-FIXTURE (the mock server's holds are what force the race)",
        path.string()));
  }
  return scenario;
}

bool IsScenarioFile(const fs::path& path) {
  auto name = path.filename().string();
  return path.extension() == ".py" && !name.starts_with("_") && name != "conftest.py";
}

std::vector<std::string> ListTests(const fs::path& file, const DiscoveryOptions& options) {
  if (!options.list_tests) {
    throw ScenarioError(
        fmt::format("{} is a pytest file, and tests cannot be listed here", file.string()));
  }
  return options.list_tests(file);
}

// One scenario per test of a pytest file (only `name` when given): the
// file's header lines hold for each of its tests.
void AddTests(const fs::path& file, const std::string& name, const DiscoveryOptions& options,
              std::vector<Scenario>& scenarios) {
  std::vector<std::string> names = ListTests(file, options);
  if (!name.empty()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw ScenarioError(fmt::format(
          "no test {} in {} (its tests: {})", name, file.string(),
          names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "))));
    }
    names = {name};
  }
  if (names.empty()) throw ScenarioError(fmt::format("no tests in pytest file {}", file.string()));
  const std::string source = ReadProgram(file);
  const Scenario program = LoadScenario(file, source);
  const fs::path root =
      options.project_root.empty() ? TestRootOf(file, fs::current_path()) : options.project_root;
  for (const std::string& test : names) {
    Scenario scenario = program;
    scenario.id = fmt::format("{}::{}", file.stem().string(), test);
    scenario.pytest_node = TestIdOf(file, test, root);
    // The test's own code, not the file's first lines.
    if (std::string own = TestSource(source, test); !own.empty()) {
      scenario.excerpt = ExtractExcerpt(own);
    }
    if (scenario.summary == program.id) scenario.summary = scenario.pytest_node;
    scenarios.push_back(std::move(scenario));
  }
}

void AddFile(const fs::path& file, const DiscoveryOptions& options,
             std::vector<Scenario>& scenarios) {
  if (IsPytestFile(file)) {
    AddTests(file, "", options, scenarios);
  } else {
    scenarios.push_back(LoadScenario(file, ReadProgram(file)));
  }
}

}  // namespace

std::vector<Scenario> DiscoverScenarios(const std::vector<fs::path>& paths,
                                        const DiscoveryOptions& options) {
  std::vector<Scenario> scenarios;
  for (const auto& path : paths) {
    std::error_code ec;
    const auto spec = fs::exists(path, ec) ? std::nullopt : SplitTestSpec(path.string());
    if (spec) {
      if (!fs::is_regular_file(spec->file, ec)) {
        throw ScenarioError(fmt::format("no such test file: {}", spec->file.string()));
      }
      AddTests(spec->file, spec->name, options, scenarios);
    } else if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (entry.path().string().find("__pycache__") != std::string::npos) continue;
        if (entry.is_regular_file() && IsScenarioFile(entry.path())) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) AddFile(f, options, scenarios);
      if (files.empty()) {
        throw ScenarioError(fmt::format("no scenarios (*.py) in folder {}", path.string()));
      }
    } else if (fs::is_regular_file(path, ec)) {
      if (path.extension() != ".py") {
        throw ScenarioError(fmt::format("{} is not a Python scenario (*.py)", path.string()));
      }
      AddFile(path, options, scenarios);
    } else {
      throw ScenarioError(fmt::format("no such scenario file or folder: {}", path.string()));
    }
  }
  // The same file named twice runs once; two files with one id are an error.
  std::vector<Scenario> unique;
  std::map<std::string, fs::path> seen;
  for (auto& s : scenarios) {
    auto [it, inserted] = seen.emplace(s.id, s.path);
    if (inserted) {
      unique.push_back(std::move(s));
    } else if (it->second != s.path) {
      throw ScenarioError(fmt::format("two scenarios are named '{}': {} and {}", s.id,
                                      it->second.string(), s.path.string()));
    }
  }
  return unique;
}

void ResolveMockFixtures(std::vector<Scenario>& scenarios, const fs::path& source_root) {
  for (Scenario& s : scenarios) {
    if (s.mock_fixture.empty()) continue;
    fs::path written(s.mock_fixture);
    std::vector<fs::path> candidates;
    if (written.is_absolute()) {
      candidates.push_back(written);
    } else {
      candidates.push_back(s.path.parent_path() / written);
      candidates.push_back(source_root / written);
    }
    std::error_code ec;
    auto found = std::find_if(candidates.begin(), candidates.end(),
                              [&](const fs::path& p) { return fs::is_regular_file(p, ec); });
    if (found == candidates.end()) {
      throw ScenarioError(fmt::format("{}: MOCK-FIXTURE {} does not exist (looked in {} and {})",
                                      s.path.string(), s.mock_fixture,
                                      s.path.parent_path().string(), source_root.string()));
    }
    s.mock_fixture_path = fs::absolute(*found).lexically_normal();
  }
}

}  // namespace dspy_compat
