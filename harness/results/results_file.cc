#include "results/results_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace dspy_compat {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Error messages must stay on one line: they end up in a terminal summary
// and in CI logs, one error per line.
std::string OneLine(std::string_view text, std::size_t limit = 120) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  if (out.size() > limit) out = out.substr(0, limit) + "...";
  return out;
}

std::string Join(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
}

[[noreturn]] void Fail(const std::string& where, std::string_view what) {
  throw ResultsFormatError(fmt::format("{}: {}", where, what));
}

[[noreturn]] void Mistyped(const std::string& where, std::string_view expected, const json& got) {
  Fail(where, fmt::format("expected {}, got {}", expected, got.type_name()));
}

const json& Field(const json& object, std::string_view key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) Fail(Join(where, key), "missing");
  return *it;
}

void ExpectObject(const json& value, const std::string& where) {
  if (!value.is_object()) Mistyped(where, "an object", value);
}

const json& ArrayField(const json& object, std::string_view key, const std::string& where) {
  const json& value = Field(object, key, where);
  if (!value.is_array()) Mistyped(Join(where, key), "an array", value);
  return value;
}

std::string ReadString(const json& object, std::string_view key, const std::string& where) {
  const json& value = Field(object, key, where);
  if (!value.is_string()) Mistyped(Join(where, key), "a string", value);
  return value.get<std::string>();
}

bool ReadBool(const json& object, std::string_view key, const std::string& where) {
  const json& value = Field(object, key, where);
  if (!value.is_boolean()) Mistyped(Join(where, key), "a boolean", value);
  return value.get<bool>();
}

int ToInt(const json& value, const std::string& where) {
  if (!value.is_number_integer()) Mistyped(where, "an integer", value);
  if (value.is_number_unsigned()) {
    auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT_MAX)) Fail(where, fmt::format("{} is out of range", u));
    return static_cast<int>(u);
  }
  auto i = value.get<std::int64_t>();
  if (i < INT_MIN || i > INT_MAX) Fail(where, fmt::format("{} is out of range", i));
  return static_cast<int>(i);
}

int ReadInt(const json& object, std::string_view key, const std::string& where) {
  return ToInt(Field(object, key, where), Join(where, key));
}

// exit_code and term_signal are null when absent; a missing key means the same.
std::optional<int> ReadOptionalInt(const json& object, std::string_view key,
                                   const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) Mistyped(Join(where, key), "an integer or null", *it);
  return ToInt(*it, Join(where, key));
}

std::uint64_t ReadUint64(const json& object, std::string_view key, const std::string& where) {
  const json& value = Field(object, key, where);
  if (!value.is_number_unsigned()) Mistyped(Join(where, key), "a non-negative integer", value);
  return value.get<std::uint64_t>();
}

double ReadDouble(const json& object, std::string_view key, const std::string& where) {
  const json& value = Field(object, key, where);
  if (!value.is_number()) Mistyped(Join(where, key), "a number", value);
  return value.get<double>();
}

std::vector<std::string> ReadStrings(const json& object, std::string_view key,
                                     const std::string& where) {
  const json& array = ArrayField(object, key, where);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string())
      Mistyped(fmt::format("{}[{}]", Join(where, key), i), "a string", array[i]);
    out.push_back(array[i].get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> ReadStringMap(const json& object, std::string_view key,
                                                 const std::string& where) {
  const json& value = Field(object, key, where);
  ExpectObject(value, Join(where, key));
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : value.items()) {
    if (!v.is_string()) Mistyped(fmt::format("{}.{}", Join(where, key), k), "a string", v);
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

json TargetToJson(const TargetInfo& t) {
  return {{"name", t.name},
          {"kind", t.kind},
          {"dspy_version", t.dspy_version},
          {"python_version", t.python_version},
          {"lock_hash", t.lock_hash},
          {"interpreter", t.interpreter}};
}

json EnvironmentToJson(const RunEnvironment& e) {
  json targets = json::array();
  for (const auto& t : e.targets) targets.push_back(TargetToJson(t));
  return {{"harness_version", e.harness_version},
          {"seed", e.seed},
          {"command_line", e.command_line},
          {"started_at", e.started_at},
          {"finished_at", e.finished_at},
          {"interrupted", e.interrupted},
          {"jobs", e.jobs},
          {"repeat", e.repeat},
          {"planned_runs", e.planned_runs},
          {"cache_policy", e.cache_policy},
          {"targets", std::move(targets)},
          {"scenarios", e.scenarios},
          {"scenario_summaries", e.scenario_summaries}};
}

json OptionalToJson(const std::optional<int>& value) {
  return value ? json(*value) : json(nullptr);
}

json RunToJson(const RunResult& r) {
  return {{"scenario_id", r.scenario_id},
          {"target_name", r.target_name},
          {"repetition", r.repetition},
          {"run_id", r.run_id},
          {"status", StatusName(r.status)},
          {"error_type", r.error_type},
          {"error_message", r.error_message},
          {"traceback", r.traceback},
          {"dspy_version", r.dspy_version},
          {"wall_seconds", r.wall_seconds},
          {"scenario_seconds", r.scenario_seconds},
          {"lm_calls", r.lm_calls},
          {"lm_requests", r.lm_requests},
          {"models", r.models},
          {"exit_code", OptionalToJson(r.exit_code)},
          {"term_signal", OptionalToJson(r.term_signal)},
          {"output_tail", r.output_tail}};
}

TargetInfo TargetFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  TargetInfo t;
  t.name = ReadString(j, "name", where);
  t.kind = ReadString(j, "kind", where);
  t.dspy_version = ReadString(j, "dspy_version", where);
  t.python_version = ReadString(j, "python_version", where);
  t.lock_hash = ReadString(j, "lock_hash", where);
  t.interpreter = ReadString(j, "interpreter", where);
  return t;
}

RunEnvironment EnvironmentFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  RunEnvironment e;
  e.harness_version = ReadString(j, "harness_version", where);
  e.seed = ReadUint64(j, "seed", where);
  e.command_line = ReadString(j, "command_line", where);
  e.started_at = ReadString(j, "started_at", where);
  e.finished_at = ReadString(j, "finished_at", where);
  e.interrupted = ReadBool(j, "interrupted", where);
  e.jobs = ReadInt(j, "jobs", where);
  e.repeat = ReadInt(j, "repeat", where);
  e.planned_runs = ReadInt(j, "planned_runs", where);
  e.cache_policy = ReadString(j, "cache_policy", where);
  const json& targets = ArrayField(j, "targets", where);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    e.targets.push_back(TargetFromJson(targets[i], fmt::format("{}.targets[{}]", where, i)));
  }
  e.scenarios = ReadStrings(j, "scenarios", where);
  e.scenario_summaries = ReadStringMap(j, "scenario_summaries", where);
  return e;
}

RunResult RunFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  RunResult r;
  r.scenario_id = ReadString(j, "scenario_id", where);
  r.target_name = ReadString(j, "target_name", where);
  r.repetition = ReadInt(j, "repetition", where);
  r.run_id = ReadString(j, "run_id", where);
  std::string status = ReadString(j, "status", where);
  auto parsed = ParseStatus(status);
  if (!parsed) {
    Fail(Join(where, "status"),
         fmt::format("unknown status \"{}\" (expected pass, fail, timeout, crash or error)",
                     OneLine(status, 40)));
  }
  r.status = *parsed;
  r.error_type = ReadString(j, "error_type", where);
  r.error_message = ReadString(j, "error_message", where);
  r.traceback = ReadString(j, "traceback", where);
  r.dspy_version = ReadString(j, "dspy_version", where);
  r.wall_seconds = ReadDouble(j, "wall_seconds", where);
  r.scenario_seconds = ReadDouble(j, "scenario_seconds", where);
  r.lm_calls = ReadInt(j, "lm_calls", where);
  r.lm_requests = ReadInt(j, "lm_requests", where);
  r.models = ReadStrings(j, "models", where);
  r.exit_code = ReadOptionalInt(j, "exit_code", where);
  r.term_signal = ReadOptionalInt(j, "term_signal", where);
  r.output_tail = ReadString(j, "output_tail", where);
  return r;
}

[[noreturn]] void ThrowIo(std::string_view what, const fs::path& path, int err) {
  throw fs::filesystem_error(std::string(what), path,
                             std::error_code(err, std::generic_category()));
}

// Owns a file descriptor so every early exit closes it.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  int Close() {
    int rc = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

void WriteAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowIo("cannot write results", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Writes `text` to a fresh temporary beside `path` and returns its name;
// removes the temporary and rethrows if anything fails.
fs::path WriteTemporary(const fs::path& path, std::string_view text) {
  fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::string pattern = (folder / (path.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  Fd fd(::mkstemp(name.data()));
  if (fd.get() < 0) ThrowIo("cannot create a temporary file for", path, errno);
  fs::path temporary(name.data());
  try {
    // mkstemp creates 0600; a results file is meant to be shared.
    if (::fchmod(fd.get(), 0644) != 0) ThrowIo("cannot set permissions of", temporary, errno);
    WriteAll(fd.get(), text, temporary);
    if (::fsync(fd.get()) != 0) ThrowIo("cannot flush", temporary, errno);
    if (fd.Close() != 0) ThrowIo("cannot close", temporary, errno);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  return temporary;
}

// Makes the rename itself durable. Best effort: some file systems refuse
// fsync on a folder, and the file is already complete and in place.
void SyncFolder(const fs::path& path) {
  fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

// Reads the whole file; returns 0 or the errno that stopped it. POSIX reads
// report a folder or an I/O error as an errno instead of a stream exception.
int ReadAll(const fs::path& path, std::string& text) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return 0;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

nlohmann::json ToJson(const Results& results) {
  json runs = json::array();
  for (const auto& run : results.runs) runs.push_back(RunToJson(run));
  return {{"schema", kResultsSchema},
          {"environment", EnvironmentToJson(results.environment)},
          {"runs", std::move(runs)}};
}

Results ResultsFromJson(const nlohmann::json& json) {
  if (!json.is_object()) Mistyped("results", "an object", json);
  const auto& schema = Field(json, "schema", "");
  if (!schema.is_string()) Mistyped("schema", "a string", schema);
  if (schema.get<std::string>() != kResultsSchema) {
    Fail("schema", fmt::format("expected \"{}\", got \"{}\"", kResultsSchema,
                               OneLine(schema.get<std::string>(), 60)));
  }
  Results results;
  results.environment = EnvironmentFromJson(Field(json, "environment", ""), "environment");
  const auto& runs = ArrayField(json, "runs", "");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    results.runs.push_back(RunFromJson(runs[i], fmt::format("runs[{}]", i)));
  }
  return results;
}

void WriteResultsFile(const std::filesystem::path& path, const Results& results) {
  // Output tails are cut at a byte limit and may split a UTF-8 sequence;
  // replace bad bytes rather than refuse to save a session's results.
  std::string text = ToJson(results).dump(2, ' ', false, json::error_handler_t::replace);
  text += '\n';
  fs::path temporary = WriteTemporary(path, text);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temporary.c_str());
    ThrowIo("cannot rename the temporary file onto", path, err);
  }
  SyncFolder(path);
}

Results ReadResultsFile(const std::filesystem::path& path) {
  std::string text;
  if (int err = ReadAll(path, text); err != 0) {
    throw ResultsFormatError(fmt::format("{}: cannot read: {}", path.string(), std::strerror(err)));
  }
  json parsed;
  try {
    parsed = json::parse(text);
  } catch (const json::parse_error& e) {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    std::string_view what = e.what();
    if (auto end = what.find("] "); end != std::string_view::npos) what.remove_prefix(end + 2);
    throw ResultsFormatError(fmt::format("{}: not valid JSON: {}", path.string(), OneLine(what)));
  }
  try {
    return ResultsFromJson(parsed);
  } catch (const ResultsFormatError& e) {
    throw ResultsFormatError(fmt::format("{}: {}", path.string(), e.what()));
  }
}

}  // namespace dspy_compat
