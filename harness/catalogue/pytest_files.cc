#include "catalogue/pytest_files.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "catalogue/scenario_header.h"

namespace dspy_compat {
namespace fs = std::filesystem;

bool IsPytestFile(const fs::path& path) {
  if (path.extension() != ".py") return false;
  const std::string stem = path.stem().string();
  return stem.starts_with("test_") || (stem.size() > 5 && stem.ends_with("_test"));
}

std::optional<TestSpec> SplitTestSpec(const std::string& text) {
  const std::size_t sep = text.find(".py::");
  if (sep == std::string::npos) return std::nullopt;
  TestSpec spec{text.substr(0, sep + 3), text.substr(sep + 5)};
  if (spec.name.empty() || spec.file.filename() == ".py") return std::nullopt;
  return spec;
}

fs::path TestRootOf(const fs::path& file, const fs::path& cwd) {
  const fs::path absolute = fs::absolute(file).lexically_normal();
  std::error_code ec;
  for (fs::path dir = absolute.parent_path();; dir = dir.parent_path()) {
    for (const char* marker :
         {"pyproject.toml", "pytest.ini", "tox.ini", "setup.cfg", "setup.py"}) {
      if (fs::is_regular_file(dir / marker, ec)) return dir;
    }
    if (dir == dir.root_path() || dir.empty()) break;
  }
  const fs::path base = fs::absolute(cwd).lexically_normal();
  const fs::path relative = absolute.lexically_relative(base);
  if (!relative.empty() && *relative.begin() != "..") return base;
  return absolute.parent_path();
}

std::string TestIdOf(const fs::path& file, const std::string& name, const fs::path& root) {
  const fs::path absolute = fs::absolute(file).lexically_normal();
  fs::path relative = absolute.lexically_relative(fs::absolute(root).lexically_normal());
  if (relative.empty() || *relative.begin() == "..") relative = absolute.filename();
  return relative.generic_string() + "::" + name;
}

std::vector<std::string> ParseTestListing(const std::string& json, const fs::path& file) {
  auto parsed = nlohmann::json::parse(json, nullptr, false);
  auto tests = parsed.is_object() ? parsed.find("tests") : parsed.end();
  if (parsed.is_discarded() || !parsed.is_object() || tests == parsed.end() || !tests->is_array()) {
    throw ScenarioError(
        fmt::format("{}: the test listing is not the collect script's JSON", file.string()));
  }
  std::vector<std::string> names;
  for (const auto& name : *tests) {
    if (!name.is_string() || name.get<std::string>().empty()) {
      throw ScenarioError(
          fmt::format("{}: the test listing holds a name that is not a string", file.string()));
    }
    names.push_back(name.get<std::string>());
  }
  return names;
}

}  // namespace dspy_compat
