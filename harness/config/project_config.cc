#include "config/project_config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <limits>
#include <string_view>
#include <system_error>

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTable = "dspy-compat";

toml::table ParseFile(const fs::path& file) {
  try {
    return toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: not valid TOML: {}", file.string(),
                                  e.source().begin.line, e.source().begin.column, e.description()));
  }
}

const toml::table* ToolTable(const toml::table& doc) {
  const toml::table* tool = doc["tool"].as_table();
  return tool == nullptr ? nullptr : (*tool)[kTable].as_table();
}

// Reads one [tool.dspy-compat] key, naming it and the file on a wrong type.
class Reader {
 public:
  explicit Reader(const fs::path& file) : file_(file), dir_(file.parent_path()) {}

  [[noreturn]] void Wrong(std::string_view key, std::string_view want) const {
    throw ConfigError(
        fmt::format("{}: [tool.dspy-compat] {}: expected {}", file_.string(), key, want));
  }

  std::string String(std::string_view key, const toml::node& node) const {
    if (node.is_string()) return **node.as_string();
    Wrong(key, "a string");
  }
  std::int64_t Integer(std::string_view key, const toml::node& node, std::int64_t min,
                       std::int64_t max) const {
    if (!node.is_integer()) Wrong(key, "an integer");
    std::int64_t v = **node.as_integer();
    if (v < min || v > max) Wrong(key, fmt::format("an integer from {} to {}", min, max));
    return v;
  }
  bool Bool(std::string_view key, const toml::node& node) const {
    if (!node.is_boolean()) Wrong(key, "true or false");
    return **node.as_boolean();
  }
  std::vector<std::string> Strings(std::string_view key, const toml::node& node) const {
    const toml::array* array = node.as_array();
    if (array == nullptr) Wrong(key, "an array of strings");
    std::vector<std::string> out;
    for (const toml::node& item : *array) {
      if (!item.is_string()) Wrong(key, "an array of strings");
      out.push_back(**item.as_string());
    }
    return out;
  }
  fs::path Path(std::string_view key, const toml::node& node) const {
    return (dir_ / String(key, node)).lexically_normal();
  }
  std::vector<fs::path> Paths(std::string_view key, const toml::node& node) const {
    std::vector<fs::path> out;
    for (const std::string& s : Strings(key, node)) out.push_back((dir_ / s).lexically_normal());
    return out;
  }
  // Scenarios: a bare name that is nothing beside the pyproject is kept as
  // written, for `run` to look up among the bundled scenarios.
  std::vector<fs::path> Scenarios(std::string_view key, const toml::node& node) const {
    std::vector<fs::path> out;
    for (const std::string& s : Strings(key, node)) {
      fs::path here = (dir_ / s).lexically_normal();
      std::error_code ec;
      bool bare = s.find('/') == std::string::npos && !fs::exists(here, ec);
      out.push_back(bare ? fs::path(s) : here);
    }
    return out;
  }

 private:
  fs::path file_;
  fs::path dir_;
};

}  // namespace

std::optional<fs::path> FindProjectConfig(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) return std::nullopt;
  for (;;) {
    fs::path candidate = dir / "pyproject.toml";
    if (fs::is_regular_file(candidate, ec) && ToolTable(ParseFile(candidate)) != nullptr) {
      return candidate;
    }
    if (!dir.has_relative_path()) return std::nullopt;  // the filesystem root
    dir = dir.parent_path();
  }
}

ProjectConfig ReadProjectConfig(const fs::path& pyproject) {
  ProjectConfig config;
  config.file = pyproject;
  const toml::table doc = ParseFile(pyproject);
  const toml::table* table = ToolTable(doc);
  if (table == nullptr) return config;
  const Reader r(fs::absolute(pyproject));
  for (const auto& [key_node, node] : *table) {
    const std::string_view key = key_node.str();
    if (key == "targets") {
      config.targets = r.Strings(key, node);
    } else if (key == "scenarios") {
      config.scenarios = r.Scenarios(key, node);
    } else if (key == "repeat") {
      // A count, or the adaptive forms `run --repeat` takes (checked there).
      if (node.is_integer()) {
        config.repeat = std::to_string(r.Integer(key, node, 1, 100000));
      } else if (node.is_string()) {
        config.repeat = r.String(key, node);
      } else {
        r.Wrong(key, "a count, \"adaptive\" or \"MIN..MAX\"");
      }
    } else if (key == "schedule") {
      std::string s = r.String(key, node);
      if (s != "natural" && s != "pct" && s != "random" && s != "explore") {
        r.Wrong(key, "one of natural, pct, random, explore");
      }
      config.schedule = s;
    } else if (key == "explore-quiet-ms") {
      config.explore_quiet_ms = static_cast<int>(r.Integer(key, node, 5, 1000));
    } else if (key == "jobs") {
      config.jobs = static_cast<int>(r.Integer(key, node, 1, 1024));
    } else if (key == "timeout") {
      config.timeout = static_cast<int>(r.Integer(key, node, 1, 86400));
    } else if (key == "lm-delay-ms") {
      config.lm_delay_ms =
          node.is_integer() ? std::to_string(r.Integer(key, node, 0, 600000)) : r.String(key, node);
    } else if (key == "seed") {
      config.seed = static_cast<std::uint64_t>(
          r.Integer(key, node, 0, std::numeric_limits<std::int64_t>::max()));
    } else if (key == "out") {
      config.out = r.Path(key, node);
    } else if (key == "cold") {
      config.cold = r.Bool(key, node);
    } else if (key == "keep-work") {
      config.keep_work = r.Bool(key, node);
    } else if (key == "no-changed-code") {
      config.no_changed_code = r.Bool(key, node);
    } else if (key == "pass-env") {
      config.pass_env = r.Strings(key, node);
    } else if (key == "scrub") {
      config.scrub = r.Strings(key, node);
    } else if (key == "gate") {
      config.gate = r.Bool(key, node);
    } else if (key == "baseline") {
      config.baseline = r.Path(key, node);
    } else if (key == "knowledge") {
      config.knowledge = r.Paths(key, node);
    } else if (key == "project") {
      fs::path project = r.Path(key, node);  // "." reads as the folder, without a trailing '/'
      config.project = project.has_filename() ? project : project.parent_path();
    } else {
      throw ConfigError(
          fmt::format("{}: [tool.dspy-compat] unknown key '{}' (known: targets, scenarios, repeat, "
                      "schedule, explore-quiet-ms, jobs, timeout, lm-delay-ms, seed, out, cold, "
                      "keep-work, no-changed-code, "
                      "pass-env, scrub, "
                      "gate, baseline, knowledge, project)",
                      pyproject.string(), key));
    }
  }
  return config;
}

}  // namespace dspy_compat
