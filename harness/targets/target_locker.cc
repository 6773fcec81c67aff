#include "targets/target_locker.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "process/subprocess.h"
#include "targets/lock_file.h"
#include "targets/target_definition.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

constexpr int kMaxSubstitutions = 8;
constexpr std::chrono::minutes kCompileTimeout{10};
constexpr const char* kOverridesFile = ".overrides.txt";
constexpr const char* kOverridesInHeader = "<overrides from target.toml>";

// A TOML basic string: JSON's string escapes are all valid TOML escapes.
std::string Quoted(const std::string& text) { return nlohmann::json(text).dump(); }

std::string QuotedList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& item : items) quoted.push_back(Quoted(item));
  return fmt::format("[{}]", fmt::join(quoted, ", "));
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string TargetToml(const std::string& name, const std::string& project, const Release& release,
                       const CompileRequest& request,
                       const std::vector<Substitution>& substitutions) {
  std::string out = fmt::format(
      "# DSPy {0}, resolved as a user installing it on its release day would have.\n"
      "# Written by `dspy-compat envs lock {1}=={0}`; run it again to regenerate.\n"
      "name = {2}\n"
      "dspy = {3}\n"
      "python = {4}\n"
      "lock = \"requirements.lock\"\n\n"
      "[resolution]\n"
      "requirements = \"requirements.in\"\n"
      "# {5} was uploaded at {6} (Requires-Python \"{7}\");\n"
      "# nothing newer than the next midnight (UTC).\n"
      "uploaded = {8}\n"
      "requires_python = {9}\n"
      "exclude_newer = {10}\n",
      release.version_text, project, Quoted(name), Quoted(release.version_text),
      Quoted(request.python_version), release.filename, release.upload_time,
      release.requires_python, Quoted(release.upload_time), Quoted(release.requires_python),
      Quoted(request.exclude_newer));
  if (!request.index_url.empty()) out += fmt::format("index_url = {}\n", Quoted(request.index_url));
  out += fmt::format("overrides = {}\nexclude_newer_package = {}\n", QuotedList(request.overrides),
                     QuotedList(request.exclude_newer_package));
  for (const Substitution& s : substitutions) {
    out += fmt::format(
        "\n# Not what the release-day resolution asked for: see the reason.\n"
        "[[substitutions]]\npackage = {}\nrequested = {}\nused = {}\nreason = {}\n",
        Quoted(s.package), Quoted(s.requested), Quoted(s.used), Quoted(s.reason));
  }
  return out;
}

}  // namespace

std::vector<std::string> CompileArguments(const CompileRequest& request,
                                          const std::string& overrides_file) {
  std::vector<std::string> args = {"pip",
                                   "compile",
                                   "requirements.in",
                                   "--python-version",
                                   request.python_version,
                                   "--generate-hashes",
                                   "--exclude-newer",
                                   request.exclude_newer,
                                   "--no-header"};
  if (!request.overrides.empty()) {
    args.push_back("--overrides");
    args.push_back(overrides_file);
  }
  for (const auto& pkg : request.exclude_newer_package) {
    args.push_back("--exclude-newer-package");
    args.push_back(pkg);
  }
  if (!request.index_url.empty()) {
    args.push_back("--index-url");
    args.push_back(request.index_url);
  }
  return args;
}

CompileOutcome UvLockCompiler::Compile(const CompileRequest& request) {
  const fs::path overrides = request.dir / kOverridesFile;
  const fs::path body = request.dir / ".lock-body.txt";
  const fs::path log = request.dir / ".uv-output.txt";
  {
    std::ofstream out(overrides);
    for (const auto& o : request.overrides) out << o << "\n";
  }
  ProcessSpec spec;
  spec.argv = {"uv"};
  for (auto& arg : CompileArguments(request, kOverridesFile)) spec.argv.push_back(arg);
  spec.argv.insert(spec.argv.end(), {"--quiet", "--output-file", body.filename().string()});
  spec.env = CurrentEnvironment();
  spec.env.erase("VIRTUAL_ENV");
  spec.env["UV_PYTHON_DOWNLOADS"] = "never";
  spec.env["UV_NO_PROGRESS"] = "1";
  spec.cwd = request.dir;
  spec.output_path = log;
  spec.timeout = kCompileTimeout;
  spec.output_tail_bytes = 64 * 1024;
  ProcessOutcome outcome = RunProcess(spec);
  CompileOutcome result;
  result.output = outcome.started ? outcome.output_tail : "error: " + outcome.start_error;
  result.ok = outcome.started && outcome.exit_code == 0;
  if (result.ok) result.lock_body = ReadAll(body);
  std::error_code ec;
  for (const auto& p : {overrides, body, log}) fs::remove(p, ec);
  return result;
}

std::string UvLockCompiler::ToolVersion() {
  fs::path out = fs::temp_directory_path() / fmt::format("dspy-compat-uv-version-{}", ::getpid());
  ProcessSpec spec;
  spec.argv = {"uv", "--version"};
  spec.env = CurrentEnvironment();
  spec.output_path = out;
  spec.timeout = std::chrono::seconds(30);
  ProcessOutcome outcome = RunProcess(spec);
  std::error_code ec;
  fs::remove(out, ec);
  std::istringstream words(outcome.output_tail);  // "uv 0.13.9 (hash date)"
  std::string uv, version;
  words >> uv >> version;
  return version.empty() ? "unknown" : version;
}

std::string NextMidnightUtc(const std::string& iso_time) {
  using namespace std::chrono;
  int y = 0;
  unsigned m = 0, d = 0;
  if (iso_time.size() < 10 || std::sscanf(iso_time.c_str(), "%d-%u-%u", &y, &m, &d) != 3) {
    throw ReleaseError(fmt::format("unreadable upload time '{}'", iso_time));
  }
  year_month_day day{year{y}, month{m}, std::chrono::day{d}};
  if (!day.ok()) throw ReleaseError(fmt::format("unreadable upload time '{}'", iso_time));
  year_month_day next{sys_days{day} + days{1}};
  return fmt::format("{:04}-{:02}-{:02}T00:00:00Z", static_cast<int>(next.year()),
                     static_cast<unsigned>(next.month()), static_cast<unsigned>(next.day()));
}

std::optional<MissingPin> FindMissingPin(const std::string& output) {
  constexpr std::string_view kNeedle = "there is no version of ";
  auto at = output.find(kNeedle);
  if (at == std::string::npos) return std::nullopt;
  auto start = at + kNeedle.size();
  auto end = output.find_first_of(" \n,", start);
  std::string requirement = output.substr(start, end - start);
  auto eq = requirement.find("==");
  if (eq == std::string::npos || eq == 0) return std::nullopt;  // a range: nothing to substitute
  std::string version = requirement.substr(eq + 2);
  if (!TryParseVersion(version)) return std::nullopt;
  return MissingPin{NormalisePackageName(requirement.substr(0, eq)), version};
}

std::string UvErrorLine(const std::string& output) {
  std::istringstream in(output);
  std::string line, error, first;
  while (std::getline(in, line)) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    std::string_view trimmed = std::string_view(line).substr(start);
    // uv's "error: No solution found" is followed by the cause worth reading.
    for (std::string_view lead : {"cause: ", "╰─▶ "}) {
      if (trimmed.starts_with(lead)) return std::string(trimmed.substr(lead.size()));
    }
    if (error.empty() && trimmed.starts_with("error")) error = trimmed;
    if (first.empty()) first = trimmed;
  }
  return error.empty() ? first : error;
}

std::pair<Substitution, Release> TargetLocker::Substitute(const Release& release,
                                                          const MissingPin& missing) {
  const std::string what =
      fmt::format("dspy=={} needs {}=={}", release.version_text, missing.package, missing.version);
  std::vector<Release> served;
  try {
    served = ReleasesOf(index_.Project(missing.package));
  } catch (const IndexError& e) {
    throw ReleaseError(fmt::format("{}, which the index does not serve: {}", what, e.what()));
  }
  const Version wanted = ParseVersion(missing.version);
  for (const Release& r : served) {
    if (r.yanked || (r.version.IsPreRelease() && !wanted.IsPreRelease())) continue;
    if (Compare(r.version, wanted) < 0) continue;
    Substitution s{
        missing.package, missing.version, r.version_text,
        fmt::format("{}=={} is not served by {}; {} (uploaded {}) is the nearest later "
                    "release it serves",
                    missing.package, missing.version, index_.Url(), r.version_text, r.upload_time)};
    return {s, r};
  }
  throw ReleaseError(
      fmt::format("{}, which {} does not serve, nor any later release", what, index_.Url()));
}

LockedRelease TargetLocker::Lock(const std::string& project, const Release& release,
                                 const fs::path& parent, const Log& log) {
  const std::string name = fmt::format("{}-{}", project, release.version_text);
  CompileRequest request;
  try {
    request.python_version = ChoosePythonVersion(release.requires_python);
  } catch (const VersionError& e) {
    throw ReleaseError(fmt::format("{}=={}: {}", project, release.version_text, e.what()));
  }
  request.exclude_newer = NextMidnightUtc(release.upload_time);
  if (index_.Url() != "https://pypi.org/simple/") request.index_url = index_.Url();

  std::error_code ec;
  fs::create_directories(parent, ec);
  // Built in a folder of its own name (target.toml's name must match it),
  // checked, then renamed into place.
  const fs::path staging_root = parent / fmt::format(".{}.partial-{}", name, ::getpid());
  const fs::path staging = staging_root / name;
  fs::remove_all(staging_root, ec);
  fs::create_directories(staging, ec);
  if (ec) {
    throw ReleaseError(fmt::format("cannot create {}: {}", staging.string(), ec.message()));
  }
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } cleanup{staging_root};
  std::ofstream(staging / "requirements.in") << project << "==" << release.version_text << "\n";
  request.dir = staging;

  std::vector<Substitution> substitutions;
  CompileOutcome outcome;
  while (true) {
    if (log) {
      log(fmt::format("{}: uv {}", name,
                      fmt::join(CompileArguments(request, kOverridesInHeader), " ")));
    }
    outcome = compiler_.Compile(request);
    if (outcome.ok) break;
    auto missing = FindMissingPin(outcome.output);
    bool repeated =
        missing && std::any_of(substitutions.begin(), substitutions.end(),
                               [&](const auto& s) { return s.package == missing->package; });
    if (!missing || missing->package == project || repeated ||
        substitutions.size() >= kMaxSubstitutions) {
      throw ReleaseError(fmt::format("{}=={}: uv could not resolve it: {}", project,
                                     release.version_text, UvErrorLine(outcome.output)));
    }
    auto [s, used] = Substitute(release, *missing);
    if (log)
      log(fmt::format("{}: substituting {}=={} for {}=={}: {}", name, s.package, s.used, s.package,
                      s.requested, s.reason));
    request.overrides.push_back(fmt::format("{}=={}", s.package, s.used));
    // Its own cut-off: the substitute was published after the release day.
    request.exclude_newer_package.push_back(
        fmt::format("{}={}", s.package, NextMidnightUtc(used.upload_time)));
    substitutions.push_back(std::move(s));
  }

  std::vector<std::string> overrides_note = request.overrides;
  std::string header = fmt::format(
      "# Locked by dspy-compat envs lock with: uv {}\n# (uv {}; overrides: {})\n",
      fmt::join(CompileArguments(request, kOverridesInHeader), " "), compiler_.ToolVersion(),
      overrides_note.empty() ? "none" : fmt::format("{}", fmt::join(overrides_note, " ")));
  // uv names the overrides file in "# via" comments; it was ours, temporary.
  std::string body = outcome.lock_body;
  for (auto at = body.find(kOverridesFile); at != std::string::npos;
       at = body.find(kOverridesFile, at)) {
    body.replace(at, std::string_view(kOverridesFile).size(), kOverridesInHeader);
  }
  std::ofstream(staging / "requirements.lock") << header << body;
  std::ofstream(staging / "target.toml")
      << TargetToml(name, project, release, request, substitutions);

  Target loaded;
  try {
    loaded = LoadTargetDefinition(staging);
  } catch (const TargetError& e) {
    throw ReleaseError(fmt::format("{}: the new lock does not load: {}", name, e.what()));
  }
  const fs::path dir = parent / name;
  const fs::path old = staging_root / "previous";
  if (fs::exists(dir)) fs::rename(dir, old, ec);
  fs::rename(staging, dir, ec);
  if (ec) throw ReleaseError(fmt::format("cannot write {}: {}", dir.string(), ec.message()));
  loaded.lock_file = dir / loaded.lock_file.filename();
  return {loaded, dir, substitutions};
}

}  // namespace dspy_compat
