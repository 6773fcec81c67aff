#include "targets/environment_builder.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "process/subprocess.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

constexpr std::chrono::minutes kInstallTimeout{20};
constexpr std::chrono::seconds kProbeTimeout{120};

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Installers need the network settings, index configuration and caches the
// user set up; the environment for scenarios is built elsewhere, strictly.
std::map<std::string, std::string> InstallerEnvironment() {
  auto env = CurrentEnvironment();
  env.erase("VIRTUAL_ENV");
  env.erase("PYTHONPATH");
  env.erase("PYTHONHOME");
  env["UV_PYTHON_DOWNLOADS"] = "never";  // only registries are reachable; use local Pythons
  env["UV_NO_PROGRESS"] = "1";
  env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1";
  return env;
}

void RunInstallStep(const Target& target, std::vector<std::string> argv, const fs::path& log_path) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.env = InstallerEnvironment();
  spec.output_path = log_path;
  spec.timeout = kInstallTimeout;
  spec.output_tail_bytes = 64 * 1024;
  auto outcome = RunProcess(spec);
  if (!outcome.started) {
    throw ProvisionError(fmt::format("target {}: {}", target.name, outcome.start_error));
  }
  if (outcome.exit_code == 0) return;
  LockFile lock = ReadLockFile(target.lock_file);
  throw ProvisionError(DescribeInstallFailure(target, lock, outcome.output_tail));
}

// The first line that says what failed: one containing `wanted` when given,
// else one starting with "error" or giving uv's reason.
std::string FirstErrorLine(const std::string& output, std::string_view wanted = {}) {
  std::istringstream in(output);
  std::string line, fallback;
  while (std::getline(in, line)) {
    auto start = line.find_first_not_of(" \t×╰─▶");
    if (start == std::string::npos) continue;
    std::string trimmed = line.substr(start);
    if (!wanted.empty() ? trimmed.find(wanted) != std::string::npos
                        : trimmed.starts_with("error") || trimmed.starts_with("ERROR") ||
                              trimmed.find("Because") != std::string::npos) {
      return trimmed;
    }
    if (fallback.empty()) fallback = trimmed;
  }
  return fallback;
}

}  // namespace

std::string DescribeInstallFailure(const Target& target, const LockFile& lock,
                                   const std::string& output) {
  std::string lowered = output;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string package;
  std::size_t best = std::string::npos;
  for (const auto& p : lock.packages) {
    // The earliest mention of a pinned package is the one the installer choked on.
    for (const auto& needle : {p.name + "==" + p.version, p.name + "-" + p.version}) {
      auto at = lowered.find(needle);
      if (at != std::string::npos && at < best) {
        best = at;
        package = p.name + "==" + p.version;
      }
    }
  }
  std::string hint = "check that the package index is reachable (PIP_INDEX_URL / UV_INDEX_URL)";
  // A full disk first: installers report it while fetching or unpacking, with
  // the package at hand, which would otherwise read as an index problem.
  bool disk_full = lowered.find("no space left on device") != std::string::npos ||
                   lowered.find("os error 28") != std::string::npos ||
                   lowered.find("errno 28") != std::string::npos ||
                   lowered.find("enospc") != std::string::npos ||
                   lowered.find("disk quota exceeded") != std::string::npos;
  if (disk_full) {
    return fmt::format(
        "target {}: could not install its locked packages: no space left on device ({}) (free "
        "disk space where the environment cache is, or point DSPY_COMPAT_CACHE / --cache-dir at "
        "a disk with room)",
        target.name, FirstErrorLine(output, "space"));
  }
  // Offline (UV_OFFLINE, --offline) with a cache that lacks a package: uv
  // says "not found", which is no fault of the index.
  const bool offline = lowered.find("network was disabled") != std::string::npos ||
                       lowered.find("network connectivity is disabled") != std::string::npos;
  if (offline) {
    hint =
        "the installer's network is disabled (UV_OFFLINE or --offline) and its cache lacks the "
        "package; allow the network, or point UV_CACHE_DIR at a cache that has it";
  } else if (lowered.find("no interpreter found") != std::string::npos ||
             lowered.find("no python") != std::string::npos) {
    hint = fmt::format("install Python {} or pick another target", target.python_version);
  } else if (lowered.find("hash") != std::string::npos &&
             lowered.find("mismatch") != std::string::npos) {
    hint = "the index served different bytes than the lock records; regenerate the lock";
  } else if (!package.empty() && (lowered.find("no version") != std::string::npos ||
                                  lowered.find("not found") != std::string::npos ||
                                  lowered.find("no matching distribution") != std::string::npos)) {
    hint =
        "the package index does not serve this version; pin another one in the target's "
        "target.toml overrides and re-run scripts/lock-target.sh";
  }
  return fmt::format("target {}: could not install {}: {} ({})", target.name,
                     package.empty() ? std::string("its locked packages") : package,
                     FirstErrorLine(output), hint);
}

void PythonEnvironmentBuilder::Build(const Target& target, const fs::path& dir) {
  fs::path log = dir.string() + ".log";
  // The log only matters while a step runs: its tail goes into the error.
  struct RemoveLog {
    fs::path path;
    ~RemoveLog() {
      std::error_code ec;
      fs::remove(path, ec);
    }
  } remove_log{log};
  fs::path python = dir / "bin" / "python";
  if (OnPath("uv")) {
    RunInstallStep(
        target,
        {"uv", "venv", "--quiet", "--relocatable", "--python", target.python_version, dir.string()},
        log);
    RunInstallStep(target,
                   {"uv", "pip", "install", "--quiet", "--python", python.string(),
                    "--require-hashes", "--no-deps", "-r", target.lock_file.string()},
                   log);
  } else {
    RunInstallStep(target, {"python" + target.python_version, "-m", "venv", dir.string()}, log);
    RunInstallStep(target,
                   {python.string(), "-m", "pip", "install", "--quiet", "--require-hashes",
                    "--no-deps", "-r", target.lock_file.string()},
                   log);
  }
}

ProjectInstallOutcome EnvironmentBuilder::InstallProject(const fs::path& dir,
                                                         const ProjectInstall&) {
  throw ProvisionError(
      fmt::format("{}: this environment builder cannot install a project", dir.string()));
}

ProjectInstallOutcome PythonEnvironmentBuilder::InstallProject(const fs::path& dir,
                                                               const ProjectInstall& install) {
  if (!OnPath("uv")) {
    throw ProvisionError(
        "run --project needs uv on PATH: it installs the project with the target's lock as "
        "constraints and its substitutions as overrides, which pip cannot");
  }
  // Beside the environment, not in it: they are no part of what it holds.
  const fs::path constraints = dir.string() + ".constraints.txt";
  const fs::path overrides = dir.string() + ".overrides.txt";
  const fs::path log = dir.string() + ".project.log";
  struct Remove {
    std::vector<fs::path> paths;
    ~Remove() {
      std::error_code ec;
      for (const auto& p : paths) fs::remove(p, ec);
    }
  } remove{{constraints, overrides, log}};
  auto write_lines = [](const fs::path& path, const std::vector<std::string>& lines) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const auto& line : lines) out << line << "\n";
    out.close();
    if (!out) throw ProvisionError(fmt::format("cannot write {}", path.string()));
  };
  write_lines(constraints, install.constraints);
  write_lines(overrides, install.overrides);
  const fs::path python = dir / "bin" / "python";
  ProcessSpec spec;
  spec.argv = {"uv",         "pip",
               "install",    "--quiet",
               "--python",   python.string(),
               "-c",         constraints.string(),
               "--override", overrides.string()};
  spec.argv.insert(spec.argv.end(), install.requirements.begin(), install.requirements.end());
  spec.env = InstallerEnvironment();
  spec.cwd = install.source;  // relative paths in requirements files are the project's
  spec.output_path = log;
  spec.timeout = kInstallTimeout;
  spec.output_tail_bytes = 64 * 1024;
  ProjectInstallOutcome outcome;
  auto run = RunProcess(spec);
  if (!run.started) throw ProvisionError(fmt::format("uv: {}", run.start_error));
  outcome.output = run.output_tail;
  if (run.exit_code != 0) return outcome;
  // The list, not freeze: freeze names the project by the path of its copy.
  spec.argv = {"uv", "pip", "list", "--quiet", "--format", "json", "--python", python.string()};
  spec.output_path = log.string() + ".list";
  remove.paths.push_back(spec.output_path);
  run = RunProcess(spec);
  std::ifstream listed(spec.output_path);
  auto json = nlohmann::json::parse(listed, nullptr, false);
  if (!run.started || run.exit_code != 0 || json.is_discarded() || !json.is_array()) {
    throw ProvisionError(
        fmt::format("uv pip list in {}: {}", dir.string(), FirstErrorLine(run.output_tail)));
  }
  for (const auto& package : json) {
    auto name = package.find("name");
    auto version = package.find("version");
    if (name == package.end() || version == package.end() || !name->is_string() ||
        !version->is_string()) {
      continue;
    }
    outcome.installed.push_back(name->get<std::string>() + "==" + version->get<std::string>());
  }
  outcome.ok = true;
  return outcome;
}

InterpreterProbe PythonEnvironmentBuilder::Probe(const fs::path& interpreter) {
  // Importing dspy 2.5 creates ~/.dspy_cache; keep that inside a scratch HOME.
  fs::path scratch = (scratch_root_.empty() ? fs::temp_directory_path() : scratch_root_) /
                     fmt::format("dspy-compat-probe-{}", ::getpid());
  fs::create_directories(scratch);
  ProcessSpec spec;
  spec.argv = {interpreter.string(), "-c",
               "import sys, json, importlib.metadata as m\n"
               "import dspy\n"
               "print(json.dumps({'dspy': m.version('dspy'), 'file': dspy.__file__,\n"
               "  'python': '%d.%d.%d' % sys.version_info[:3]}))\n"};
  spec.env = {{"PATH", "/usr/bin:/bin"},
              {"HOME", scratch.string()},
              {"DSPY_CACHEDIR", (scratch / "dspy_cache").string()},
              {"LITELLM_LOCAL_MODEL_COST_MAP", "True"}};
  spec.output_path = scratch / "probe.out";
  spec.timeout = kProbeTimeout;
  auto outcome = RunProcess(spec);
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (!outcome.started) throw ProvisionError(outcome.start_error);
  std::string last_line;
  std::istringstream lines(outcome.output_tail);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) last_line = line;
  }
  if (outcome.exit_code != 0 || last_line.empty() || last_line.front() != '{') {
    throw ProvisionError(fmt::format("{} cannot import dspy: {}", interpreter.string(),
                                     last_line.empty() ? "no output" : last_line));
  }
  auto json = nlohmann::json::parse(last_line, nullptr, false);
  if (json.is_discarded()) {
    throw ProvisionError(fmt::format("{}: unreadable probe output", interpreter.string()));
  }
  // Typed look-ups: json::value() throws on a field of another type, and the
  // probe runs whatever the interpreter's environment holds.
  auto text = [&](const char* key) {
    auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!json.is_object() || text("dspy").empty()) {
    throw ProvisionError(fmt::format("{}: unreadable probe output", interpreter.string()));
  }
  return {text("dspy"), text("python"), text("file")};
}

}  // namespace dspy_compat
