#include "targets/target_definition.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>

#include "targets/lock_file.h"
#include "targets/release_resolver.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

std::string RequireString(const toml::table& table, std::string_view key, const fs::path& file) {
  auto value = table[key].value<std::string>();
  if (!value || value->empty()) {
    throw TargetError(fmt::format("{}: missing or empty string field '{}'", file.string(), key));
  }
  return *value;
}

Target UserPythonTarget(const std::string& spec) {
  fs::path interpreter = spec.substr(kUserPythonPrefix.size());
  if (interpreter.empty()) {
    throw TargetError("--targets python: needs a path, e.g. python:/path/to/venv/bin/python");
  }
  std::error_code ec;
  if (!fs::exists(interpreter, ec)) {
    throw TargetError(fmt::format("target {}: no interpreter at {}", spec, interpreter.string()));
  }
  Target target;
  target.name = spec;
  target.kind = Target::Kind::kUserPython;
  target.interpreter = fs::absolute(interpreter);
  return target;
}

}  // namespace

Target LoadTargetDefinition(const fs::path& dir) {
  fs::path file = dir / "target.toml";
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw TargetError(
        fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
  }
  Target target;
  target.name = RequireString(table, "name", file);
  if (target.name != dir.filename().string()) {
    throw TargetError(fmt::format("{}: name '{}' differs from its folder '{}'", file.string(),
                                  target.name, dir.filename().string()));
  }
  target.dspy_version = RequireString(table, "dspy", file);
  target.python_version = RequireString(table, "python", file);
  target.lock_file = fs::absolute(dir / RequireString(table, "lock", file));
  LockFile lock;
  try {
    lock = ReadLockFile(target.lock_file);
  } catch (const LockFileError& e) {
    throw TargetError(fmt::format("target {}: malformed lock file: {}", target.name, e.what()));
  }
  const LockedPackage* dspy = lock.Find("dspy");
  if (dspy == nullptr || dspy->version != target.dspy_version) {
    throw TargetError(fmt::format("target {}: the lock file does not pin dspy=={}", target.name,
                                  target.dspy_version));
  }
  target.lock_hash = lock.sha256;
  if (const toml::array* subs = table["substitutions"].as_array()) {
    for (const toml::node& node : *subs) {
      const toml::table* sub = node.as_table();
      if (sub == nullptr) {
        throw TargetError(fmt::format("{}: [[substitutions]] entries are tables", file.string()));
      }
      target.substitutions.push_back(
          {RequireString(*sub, "package", file), RequireString(*sub, "requested", file),
           RequireString(*sub, "used", file), sub->at_path("reason").value_or(std::string())});
    }
  }
  return target;
}

std::vector<std::string> ListTargetNames(const fs::path& targets_root) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(targets_root, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "target.toml")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> DefaultTargetNames(const fs::path& targets_root) {
  std::vector<std::string> names;
  for (const std::string& name : ListTargetNames(targets_root)) {
    const fs::path file = targets_root / name / "target.toml";
    toml::table table;
    try {
      table = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
      throw TargetError(
          fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
    }
    const toml::node* flag = table.get("default");
    if (flag != nullptr && !flag->is_boolean()) {
      throw TargetError(fmt::format("{}: default: expected true or false", file.string()));
    }
    if (flag != nullptr && flag->as_boolean()->get()) names.push_back(name);
  }
  if (names.empty()) {
    throw TargetError(
        fmt::format("no target under {} says `default = true`; name some with --targets",
                    targets_root.string()));
  }
  return names;
}

std::vector<std::string> SplitTargetList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& value : values) {
    std::size_t start = 0;
    bool first = true;
    while (start <= value.size()) {
      auto comma = value.find(',', start);
      std::string piece = value.substr(start, comma - start);
      bool continues = !first && !out.empty() && IsReleaseSpec(out.back()) && !piece.empty() &&
                       std::string_view("<>=!~").find(piece.front()) != std::string_view::npos;
      if (continues) {
        out.back() += "," + piece;
      } else if (!piece.empty()) {
        out.push_back(piece);
      }
      first = false;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

std::vector<Target> ResolveTargets(const std::vector<std::string>& specs,
                                   const fs::path& targets_root, ReleaseTargets* releases) {
  std::vector<Target> targets;
  for (const auto& spec : specs) {
    if (spec.starts_with(kUserPythonPrefix)) {
      targets.push_back(UserPythonTarget(spec));
      continue;
    }
    if (IsReleaseSpec(spec)) {
      if (releases == nullptr) {
        throw TargetError(fmt::format("'{}': version specs are not accepted here", spec));
      }
      try {
        for (Target& t : releases->Expand(spec)) targets.push_back(std::move(t));
      } catch (const VersionError& e) {
        throw TargetError(e.what());
      }
      continue;
    }
    fs::path dir = targets_root / spec;
    if (spec.find('/') != std::string::npos || !fs::exists(dir / "target.toml")) {
      throw TargetError(fmt::format(
          "unknown target '{}'; known targets: {} (or python:/path/to/python for your own)", spec,
          fmt::join(ListTargetNames(targets_root), ", ")));
    }
    targets.push_back(LoadTargetDefinition(dir));
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    for (std::size_t j = i + 1; j < targets.size(); ++j) {
      if (targets[i].name == targets[j].name) {
        throw TargetError(fmt::format("target '{}' is given twice", targets[i].name));
      }
    }
  }
  return targets;
}

void MakeBaseline(std::vector<Target>& targets, const std::string& name) {
  auto it =
      std::find_if(targets.begin(), targets.end(), [&](const Target& t) { return t.name == name; });
  if (it == targets.end()) {
    std::vector<std::string> names;
    for (const auto& t : targets) names.push_back(t.name);
    throw TargetError(fmt::format("--baseline-target {} is not one of the targets: {}", name,
                                  fmt::join(names, ", ")));
  }
  std::rotate(targets.begin(), it, it + 1);
}

}  // namespace dspy_compat
