#include "targets/project_env.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <system_error>

#include "core/sha256.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

// What a project environment records of its build, inside it (so that its
// file list covers it): what the project declared, what was installed.
constexpr const char* kProjectRecord = "dspy-compat-project.json";
// A dspy-compat --out folder holds this marker (cli/out_folder.h): results,
// never project files.
constexpr const char* kOutMarker = ".dspy-compat-out";
constexpr std::size_t kReasonLimit = 300;

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ProjectError(fmt::format("cannot read {}", path.string()));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return std::string(text.substr(first, last - first + 1));
}

bool SkippedFolder(const fs::path& dir, const std::vector<fs::path>& exclude) {
  const std::string name = dir.filename().string();
  if (name.starts_with('.') || name == "__pycache__" || name == "node_modules" || name == "build" ||
      name == "dist" || name.ends_with(".egg-info")) {
    return true;
  }
  std::error_code ec;
  if (fs::exists(dir / "pyvenv.cfg", ec) || fs::exists(dir / kOutMarker, ec)) return true;
  const fs::path real = fs::weakly_canonical(dir, ec);
  return std::find(exclude.begin(), exclude.end(), real) != exclude.end();
}

std::vector<std::string> ProjectFiles(const fs::path& root, const std::vector<fs::path>& exclude) {
  std::vector<std::string> files;
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(root, ec);
  if (ec) throw ProjectError(fmt::format("cannot list {}: {}", root.string(), ec.message()));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw ProjectError(fmt::format("cannot list {}: {}", root.string(), ec.message()));
    const fs::file_status status = it->symlink_status(ec);
    if (fs::is_directory(status)) {
      if (SkippedFolder(it->path(), exclude)) it.disable_recursion_pending();
      continue;
    }
    const std::string name = it->path().filename().string();
    if (!fs::is_regular_file(status) || name.starts_with('.') || name.ends_with(".pyc")) continue;
    files.push_back(it->path().lexically_relative(root).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void ReadPyproject(const fs::path& file, Project& project) {
  toml::table doc;
  try {
    doc = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw ProjectError(fmt::format("{}:{}:{}: not valid TOML: {}", file.string(),
                                   e.source().begin.line, e.source().begin.column,
                                   e.description()));
  }
  auto strings = [&](const toml::node* node, std::string_view key) {
    std::vector<std::string> out;
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      throw ProjectError(fmt::format("{}: {}: expected an array of strings", file.string(), key));
    }
    for (const toml::node& item : *array) {
      if (!item.is_string()) {
        throw ProjectError(fmt::format("{}: {}: expected an array of strings", file.string(), key));
      }
      out.push_back(**item.as_string());
    }
    return out;
  };
  const toml::table* table = doc["project"].as_table();
  project.installable = table != nullptr || doc["build-system"].as_table() != nullptr;
  if (table == nullptr) return;
  for (auto& r : strings(table->get("dependencies"), "[project] dependencies")) {
    project.requirements.push_back(std::move(r));
  }
  if (const toml::table* extras = (*table)["optional-dependencies"].as_table()) {
    for (const char* extra : {"test", "tests"}) {
      const toml::node* node = extras->get(extra);
      if (node == nullptr) continue;
      project.extras.push_back(extra);
      for (auto& r : strings(node, fmt::format("[project.optional-dependencies] {}", extra))) {
        project.requirements.push_back(std::move(r));
      }
    }
  }
}

// A requirements file's requirement lines (options such as -r, -e and
// --index-url, comments and blank lines left out).
void ReadRequirementsFile(const fs::path& file, Project& project) {
  std::istringstream lines(ReadBytes(file));
  for (std::string line; std::getline(lines, line);) {
    if (auto hash = line.find(" #"); hash != std::string::npos) line.erase(hash);
    line = Trim(line);
    if (line.empty() || line.starts_with('#') || line.starts_with('-')) continue;
    project.requirements.push_back(line);
  }
}

// Whether `name` occurs in `text` as a whole package name (not inside
// another: "dspy" in "dspy-ai" does not count).
std::size_t FindName(const std::string& text, const std::string& name) {
  auto part_of_name = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  };
  for (std::size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
    const bool starts = at == 0 || !part_of_name(text[at - 1]);
    const std::size_t end = at + name.size();
    // A '.' right after ends a name at the end of a sentence.
    const bool ends = end == text.size() || !part_of_name(text[end]) || text[end] == '.';
    if (starts && ends) return at;
  }
  return std::string::npos;
}

// uv's reason: from its first "Because", else its first error line.
std::string InstallerReason(const std::string& output) {
  std::istringstream in(output);
  std::string fallback;
  for (std::string line; std::getline(in, line);) {
    if (auto because = line.find("Because"); because != std::string::npos) {
      std::string reason = Trim(line.substr(because));
      return reason.size() > kReasonLimit ? reason.substr(0, kReasonLimit) + "..." : reason;
    }
    auto start = line.find_first_not_of(" \t×╰─▶");
    if (fallback.empty() && start != std::string::npos) fallback = Trim(line.substr(start));
  }
  if (fallback.empty()) return "the installer gave no reason";
  return fallback.size() > kReasonLimit ? fallback.substr(0, kReasonLimit) + "..." : fallback;
}

void CopyProject(const Project& project, const fs::path& copy) {
  for (const std::string& file : project.files) {
    const fs::path to = copy / file;
    std::error_code ec;
    fs::create_directories(to.parent_path(), ec);
    if (!ec) fs::copy_file(project.root / file, to, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      throw ProvisionError(fmt::format("cannot copy {} to {}: {}", (project.root / file).string(),
                                       to.string(), ec.message()));
    }
  }
}

// Builds a project environment: the target's lock (the inner builder's
// Build), then the project from a fresh copy, recording what it installed.
class ProjectBuilder : public EnvironmentBuilder {
 public:
  ProjectBuilder(const Project& project, EnvironmentBuilder& inner, fs::path scratch)
      : project_(project), inner_(inner), scratch_(std::move(scratch)) {}

  void Build(const Target& target, const fs::path& dir) override {
    inner_.Build(target, dir);
    LockFile lock;
    try {
      lock = ReadLockFile(target.lock_file);
    } catch (const std::exception& e) {
      throw ProvisionError(fmt::format("target {}: {}", target.name, e.what()));
    }
    const fs::path copy =
        scratch_ / fmt::format("project-{}-{}", target.name, static_cast<long>(::getpid()));
    struct RemoveCopy {
      fs::path path;
      ~RemoveCopy() {
        std::error_code ec;
        fs::remove_all(path, ec);
      }
    } remove_copy{copy};
    std::error_code ec;
    fs::remove_all(copy, ec);
    CopyProject(project_, copy);
    ProjectInstallOutcome outcome =
        inner_.InstallProject(dir, ComposeInstall(project_, target, lock, copy));
    if (!outcome.ok)
      throw ProvisionError(DescribeProjectConflict(project_, target, outcome.output));
    nlohmann::json record = {
        {"requirements", project_.requirements},
        {"installed", InstalledBeyondLock(outcome.installed, lock)},
        {"added", DeclaresPytest(project_) ? std::vector<std::string>{}
                                           : std::vector<std::string>{"pytest"}}};
    std::ofstream out(dir / kProjectRecord, std::ios::binary | std::ios::trunc);
    out << record.dump(2) << "\n";
    out.close();
    if (!out) throw ProvisionError(fmt::format("cannot write {}", (dir / kProjectRecord).string()));
  }
  InterpreterProbe Probe(const fs::path& interpreter) override { return inner_.Probe(interpreter); }

 private:
  const Project& project_;
  EnvironmentBuilder& inner_;
  fs::path scratch_;
};

std::vector<std::string> RecordStrings(const nlohmann::json& record, const char* key) {
  std::vector<std::string> out;
  auto it = record.find(key);
  if (it == record.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

Project ReadProject(const fs::path& dir, const std::vector<fs::path>& exclude) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw ProjectError(fmt::format("--project {}: no such folder", dir.string()));
  }
  Project project;
  project.root = fs::weakly_canonical(fs::absolute(dir), ec);
  if (ec) throw ProjectError(fmt::format("--project {}: {}", dir.string(), ec.message()));
  for (const auto& entry : fs::directory_iterator(project.root, ec)) {
    const std::string name = entry.path().filename().string();
    const bool requirements = name.starts_with("requirements") && name.ends_with(".txt");
    if ((name == "pyproject.toml" || name == "uv.lock" || requirements) &&
        entry.is_regular_file(ec)) {
      project.dependency_files.push_back(name);
    }
  }
  if (project.dependency_files.empty()) {
    throw ProjectError(fmt::format(
        "--project {}: not a project: it has no pyproject.toml, requirements*.txt or uv.lock",
        dir.string()));
  }
  std::sort(project.dependency_files.begin(), project.dependency_files.end());
  for (const std::string& name : project.dependency_files) {
    if (name == "pyproject.toml") ReadPyproject(project.root / name, project);
  }
  for (const std::string& name : project.dependency_files) {
    if (name.starts_with("requirements")) ReadRequirementsFile(project.root / name, project);
  }
  project.installable = project.installable || fs::exists(project.root / "setup.py", ec);
  std::vector<fs::path> real_exclude;
  for (const fs::path& path : exclude) real_exclude.push_back(fs::weakly_canonical(path, ec));
  project.files = ProjectFiles(project.root, real_exclude);
  return project;
}

std::string RequirementName(std::string_view requirement) {
  std::size_t end = 0;
  while (end < requirement.size() &&
         (std::isalnum(static_cast<unsigned char>(requirement[end])) != 0 ||
          requirement[end] == '-' || requirement[end] == '_' || requirement[end] == '.')) {
    ++end;
  }
  return NormalisePackageName(std::string(requirement.substr(0, end)));
}

bool DeclaresPytest(const Project& project) {
  return std::any_of(project.requirements.begin(), project.requirements.end(),
                     [](const std::string& r) { return RequirementName(r) == "pytest"; });
}

ProjectInstall ComposeInstall(const Project& project, const Target& target, const LockFile& lock,
                              const fs::path& source) {
  ProjectInstall install;
  install.source = source;
  for (const LockedPackage& p : lock.packages) {
    install.constraints.push_back(fmt::format("{}=={}", p.name, p.version));
  }
  for (const Substitution& s : target.substitutions) {
    install.overrides.push_back(fmt::format("{}=={}", s.package, s.used));
  }
  for (const std::string& file : project.dependency_files) {
    if (!file.starts_with("requirements")) continue;
    install.requirements.push_back("-r");
    install.requirements.push_back((source / file).string());
  }
  if (project.installable) {
    std::string self = source.string();
    if (!project.extras.empty()) self += fmt::format("[{}]", fmt::join(project.extras, ","));
    install.requirements.push_back(self);
  }
  if (!DeclaresPytest(project)) install.requirements.push_back("pytest");
  return install;
}

std::string ProjectInputHash(const Project& project, const Target& target) {
  std::string text = "dspy-compat project environment v1\n";
  text += fmt::format("target {}\nlock {}\npython {}\ndspy {}\n", target.name, target.lock_hash,
                      target.python_version, target.dspy_version);
  for (const Substitution& s : target.substitutions) {
    text += fmt::format("override {}=={}\n", s.package, s.used);
  }
  for (const std::string& file : project.files) {
    std::string bytes;
    try {
      bytes = ReadBytes(project.root / file);
    } catch (const ProjectError& e) {
      throw ProvisionError(e.what());
    }
    text += fmt::format("file {} {}\n", file, Sha256Hex(bytes));
  }
  return Sha256Hex(text);
}

std::string DescribeProjectConflict(const Project& project, const Target& target,
                                    const std::string& output) {
  const std::string lowered = Lower(output);
  const bool unresolvable = lowered.find("no solution found") != std::string::npos ||
                            lowered.find("unsatisfiable") != std::string::npos;
  const std::string reason = InstallerReason(output);
  if (!unresolvable) {
    return fmt::format("target {}: could not install the project {}: {}", target.name,
                       project.root.string(), reason);
  }
  // The requirement uv names first is the one it could not place.
  std::string underscored = lowered;
  std::replace(underscored.begin(), underscored.end(), '_', '-');
  std::string named;
  std::size_t best = std::string::npos;
  for (const std::string& requirement : project.requirements) {
    const std::string name = RequirementName(requirement);
    if (name.empty()) continue;
    if (auto at = FindName(underscored, name); at < best) {
      best = at;
      named = requirement;
    }
  }
  return fmt::format(
      "target {}: {} cannot live with DSPy {} (the target's lock wins for DSPy and what it "
      "pins): {}",
      target.name,
      named.empty() ? std::string("the project's requirements")
                    : fmt::format("the project's requirement '{}'", named),
      target.dspy_version, reason);
}

std::vector<std::string> InstalledBeyondLock(const std::vector<std::string>& installed,
                                             const LockFile& lock) {
  std::set<std::string> out;
  for (const std::string& line : installed) {
    const auto eq = line.find("==");
    if (eq == std::string::npos) continue;
    const std::string name = NormalisePackageName(line.substr(0, eq));
    const std::string version = line.substr(eq + 2);
    const LockedPackage* locked = lock.Find(name);
    if (locked != nullptr && locked->version == version) continue;
    out.insert(name + "==" + version);
  }
  return {out.begin(), out.end()};
}

ProjectEnvironments::ProjectEnvironments(Project project, EnvironmentCache& cache,
                                         EnvironmentBuilder& builder, fs::path scratch)
    : project_(std::move(project)),
      cache_(cache),
      builder_(builder),
      scratch_(std::move(scratch)) {}

ProjectEnvironments::Ready ProjectEnvironments::Sync(const Target& target, const Log& log) {
  ProjectEnvironmentInfo info;
  info.root = project_.root.string();
  info.requirements = project_.requirements;
  if (target.kind == Target::Kind::kUserPython) {
    info.note =
        "the target is your own interpreter: the project was not installed into it (its root is "
        "on sys.path)";
    return {cache_.Sync(target, log), std::move(info)};
  }
  info.input_hash = ProjectInputHash(project_, target);
  std::error_code ec;
  fs::create_directories(scratch_, ec);
  ProjectBuilder builder(project_, builder_, scratch_);
  Target ready = cache_.SyncProject(target, info.input_hash, builder, log);
  const fs::path record_path = cache_.ProjectDirFor(target, info.input_hash) / kProjectRecord;
  std::ifstream in(record_path);
  auto record = nlohmann::json::parse(in, nullptr, false);
  if (!in.is_open() || record.is_discarded() || !record.is_object()) {
    throw ProvisionError(fmt::format("target {}: the project environment's record {} is unreadable",
                                     target.name, record_path.string()));
  }
  info.installed = RecordStrings(record, "installed");
  info.added = RecordStrings(record, "added");
  return {std::move(ready), std::move(info)};
}

}  // namespace dspy_compat
