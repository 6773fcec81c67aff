#include "results/results_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/json_int.h"
#include "results/atomic_file.h"

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
  // Field names come from the file (map keys): one line, bounded, whatever they hold.
  throw ResultsFormatError(OneLine(fmt::format("{}: {}", where, what), 300));
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
  std::optional<int> i = JsonInt(value);
  if (!i) Fail(where, fmt::format("{} is out of range", value.dump()));
  return *i;
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
  json substitutions = json::array();
  for (const Substitution& s : t.substitutions) {
    substitutions.push_back({{"package", s.package},
                             {"requested", s.requested},
                             {"used", s.used},
                             {"reason", s.reason}});
  }
  json out = {{"name", t.name},
              {"kind", t.kind},
              {"dspy_version", t.dspy_version},
              {"python_version", t.python_version},
              {"lock_hash", t.lock_hash},
              {"interpreter", t.interpreter},
              {"substitutions", substitutions}};
  if (t.project) {  // v1.13
    const ProjectEnvironmentInfo& p = *t.project;
    out["project"] = {
        {"root", p.root},           {"input_hash", p.input_hash}, {"requirements", p.requirements},
        {"installed", p.installed}, {"added", p.added},           {"note", p.note}};
  }
  return out;
}

json ShardToJson(const ShardInfo& shard) {
  return {{"index", shard.index}, {"count", shard.count}};
}

json ScenarioInfoToJson(const ScenarioInfo& info) {
  json expected = json::object();
  for (const auto& [target, expectation] : info.expected) {
    expected[target] = ExpectationName(expectation);
  }
  json j = {{"path", info.path},
            {"exercises", info.exercises},
            {"migration_of", info.migration_of},
            {"excerpt", info.excerpt},
            {"expected", std::move(expected)},
            {"expect_lines", info.expect_lines},
            {"family", info.family},
            {"requires", info.requirements},
            {"mock_fixture", info.mock_fixture},
            {"unsupported", info.unsupported},
            {"forces", info.forces}};
  if (!info.pytest_node.empty()) j["pytest_node"] = info.pytest_node;  // v1.12: a test's id
  return j;
}

json EnvironmentToJson(const RunEnvironment& e) {
  json targets = json::array();
  for (const auto& t : e.targets) targets.push_back(TargetToJson(t));
  json info = json::object();
  for (const auto& [id, scenario] : e.scenario_info) info[id] = ScenarioInfoToJson(scenario);
  json merged = json::array();
  for (const auto& shard : e.merged_shards) merged.push_back(ShardToJson(shard));
  json knowledge = json::array();
  for (const auto& file : e.knowledge) {
    knowledge.push_back({{"path", file.path}, {"sha256", file.sha256}});
  }
  json out = {{"harness_version", e.harness_version},
              {"seed", e.seed},
              {"command_line", e.command_line},
              {"started_at", e.started_at},
              {"finished_at", e.finished_at},
              {"interrupted", e.interrupted},
              {"jobs", e.jobs},
              {"repeat", e.repeat},
              {"min_repeat", e.min_repeat},
              {"max_repeat", e.max_repeat},
              {"planned_runs", e.planned_runs},
              {"cache_policy", e.cache_policy},
              {"targets", std::move(targets)},
              {"scenarios", e.scenarios},
              {"scenario_summaries", e.scenario_summaries},
              {"scenario_info", std::move(info)},
              {"shard", e.shard ? ShardToJson(*e.shard) : json(nullptr)},
              {"merged_shards", std::move(merged)},
              {"passed_env", e.passed_env},
              {"scrubbed_env", e.scrubbed_env},
              {"knowledge", std::move(knowledge)}};
  if (e.plan) {  // v1.11
    json plan = json::array();
    for (const PlannedRun& run : *e.plan) {
      plan.push_back({{"run_id", run.run_id},
                      {"scenario_id", run.scenario_id},
                      {"target_name", run.target_name},
                      {"repetition", run.repetition}});
    }
    out["plan"] = std::move(plan);
  }
  if (!e.session_options.empty()) {  // v1.11
    out["session_options"] = json::parse(e.session_options);
  }
  return out;
}

json OptionalToJson(const std::optional<int>& value) {
  return value ? json(*value) : json(nullptr);
}

json LmTrafficToJson(const LmTraffic& t) {
  json routes = json::array();
  for (const LmTraffic::Route& route : t.routes) {
    routes.push_back({{"key", route.key},
                      {"label", route.label},
                      {"models", route.models},
                      {"count", route.count}});
  }
  return {{"adapters", t.adapters},
          {"parameters", t.parameters},
          {"system_prompts", t.system_prompts},
          {"prompts", t.prompts},
          {"routes", std::move(routes)}};
}

json SettingsAfterToJson(const SettingsAfter& s) {
  return {
      {"lm", s.lm}, {"adapter", s.adapter}, {"changed", s.changed}, {"configured", s.configured}};
}

json LmScheduleToJson(const LmSchedule& s) {
  json releases = json::array();
  for (const ScheduledRelease& r : s.releases) {
    releases.push_back({{"key", r.key}, {"seq", r.seq}, {"bound", r.bound}});
  }
  return {{"strategy", s.strategy},
          {"seed", s.seed},
          {"depth", s.depth},
          {"steps", s.steps},
          {"quiet_ms", s.quiet_ms},
          {"replay", s.replay},
          {"releases", std::move(releases)}};
}

json ContainmentEventToJson(const ContainmentEvent& e) {
  return {
      {"kind", e.kind}, {"host", e.host}, {"port", OptionalToJson(e.port)}, {"detail", e.detail}};
}

json RunToJson(const RunResult& r) {
  json events = json::array();
  for (const auto& e : r.containment_events) events.push_back(ContainmentEventToJson(e));
  json run = {
      {"scenario_id", r.scenario_id},
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
      {"output_tail", r.output_tail},
      {"lm_traffic", r.lm_traffic ? LmTrafficToJson(*r.lm_traffic) : json(nullptr)},
      {"start_mode", r.start_mode},
      {"containment", r.containment},
      {"containment_events", std::move(events)},
      {"settings_after", r.settings_after ? SettingsAfterToJson(*r.settings_after) : json(nullptr)},
      {"lm_schedule", r.lm_schedule ? LmScheduleToJson(*r.lm_schedule) : json(nullptr)}};
  // v1.10; absent when unknown (results made before, or by a fake in tests).
  if (!r.sandbox.empty()) run["sandbox"] = r.sandbox;
  return run;
}

// The v1.1 additions (see results_schema.md): absent or null in v1.0 files.
const json* OptionalField(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

ShardInfo ShardFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  ShardInfo shard{ReadInt(j, "index", where), ReadInt(j, "count", where)};
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    Fail(where, fmt::format("shard {}/{} is out of range", shard.index, shard.count));
  }
  return shard;
}

ScenarioInfo ScenarioInfoFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  ScenarioInfo info;
  info.path = ReadString(j, "path", where);
  info.exercises = ReadString(j, "exercises", where);
  info.migration_of = ReadString(j, "migration_of", where);
  info.excerpt = ReadString(j, "excerpt", where);
  for (const auto& [target, name] : ReadStringMap(j, "expected", where)) {
    auto expectation = ParseExpectation(name);
    if (!expectation) {
      Fail(fmt::format("{}.expected.{}", where, target),
           fmt::format("unknown expectation \"{}\" (expected pass, fail, flaky, "
                       "fail-or-flaky, any or behaviour-change)",
                       OneLine(name, 40)));
    }
    info.expected.emplace(target, *expectation);
  }
  info.expect_lines = ReadStrings(j, "expect_lines", where);
  // v1.4 additions, optional on read.
  if (OptionalField(j, "family")) info.family = ReadString(j, "family", where);
  if (OptionalField(j, "requires")) info.requirements = ReadStrings(j, "requires", where);
  if (OptionalField(j, "mock_fixture")) info.mock_fixture = ReadString(j, "mock_fixture", where);
  if (OptionalField(j, "unsupported")) info.unsupported = ReadStrings(j, "unsupported", where);
  if (OptionalField(j, "forces")) info.forces = ReadString(j, "forces", where);
  if (OptionalField(j, "pytest_node")) {  // v1.12
    info.pytest_node = ReadString(j, "pytest_node", where);
  }
  return info;
}

LmTraffic LmTrafficFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  LmTraffic traffic;
  traffic.adapters = ReadStrings(j, "adapters", where);
  traffic.parameters = ReadStrings(j, "parameters", where);
  traffic.system_prompts = ReadStrings(j, "system_prompts", where);
  if (OptionalField(j, "prompts")) traffic.prompts = ReadStrings(j, "prompts", where);  // v1.4
  if (const json* routes = OptionalField(j, "routes")) {                                // v1.6
    if (!routes->is_array()) Mistyped(Join(where, "routes"), "an array", *routes);
    for (std::size_t i = 0; i < routes->size(); ++i) {
      const std::string at = fmt::format("{}.routes[{}]", where, i);
      const json& item = (*routes)[i];
      ExpectObject(item, at);
      traffic.routes.push_back({ReadString(item, "key", at), ReadString(item, "label", at),
                                ReadStrings(item, "models", at), ReadInt(item, "count", at)});
    }
  }
  return traffic;
}

SettingsAfter SettingsAfterFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  return {ReadString(j, "lm", where), ReadString(j, "adapter", where),
          ReadStrings(j, "changed", where), ReadStrings(j, "configured", where)};
}

LmSchedule LmScheduleFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  LmSchedule schedule;
  schedule.strategy = ReadString(j, "strategy", where);
  schedule.seed = ReadUint64(j, "seed", where);
  schedule.depth = ReadInt(j, "depth", where);
  schedule.steps = ReadInt(j, "steps", where);
  schedule.quiet_ms = ReadOptionalInt(j, "quiet_ms", where).value_or(0);  // v1.15
  schedule.replay = ReadBool(j, "replay", where);
  const json& releases = ArrayField(j, "releases", where);
  for (std::size_t i = 0; i < releases.size(); ++i) {
    std::string at = fmt::format("{}.releases[{}]", where, i);
    ExpectObject(releases[i], at);
    schedule.releases.push_back({.key = ReadString(releases[i], "key", at),
                                 .seq = ReadInt(releases[i], "seq", at),
                                 .bound = ReadBool(releases[i], "bound", at)});
  }
  return schedule;
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
  if (const json* subs = OptionalField(j, "substitutions")) {  // v1.7
    const std::string list = Join(where, "substitutions");
    if (!subs->is_array()) Mistyped(list, "an array", *subs);
    for (std::size_t i = 0; i < subs->size(); ++i) {
      const std::string item = fmt::format("{}[{}]", list, i);
      const json& s = (*subs)[i];
      ExpectObject(s, item);
      t.substitutions.push_back({ReadString(s, "package", item), ReadString(s, "requested", item),
                                 ReadString(s, "used", item), ReadString(s, "reason", item)});
    }
  }
  if (const json* project = OptionalField(j, "project")) {  // v1.13
    const std::string at = Join(where, "project");
    ExpectObject(*project, at);
    t.project = ProjectEnvironmentInfo{.root = ReadString(*project, "root", at),
                                       .input_hash = ReadString(*project, "input_hash", at),
                                       .requirements = ReadStrings(*project, "requirements", at),
                                       .installed = ReadStrings(*project, "installed", at),
                                       .added = ReadStrings(*project, "added", at),
                                       .note = ReadString(*project, "note", at)};
  }
  return t;
}

ContainmentEvent ContainmentEventFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  ContainmentEvent e;
  e.kind = ReadString(j, "kind", where);
  e.host = ReadString(j, "host", where);
  e.port = ReadOptionalInt(j, "port", where);
  e.detail = ReadString(j, "detail", where);
  return e;
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
  if (OptionalField(j, "min_repeat")) e.min_repeat = ReadInt(j, "min_repeat", where);  // v1.4
  if (OptionalField(j, "max_repeat")) e.max_repeat = ReadInt(j, "max_repeat", where);
  e.planned_runs = ReadInt(j, "planned_runs", where);
  e.cache_policy = ReadString(j, "cache_policy", where);
  const json& targets = ArrayField(j, "targets", where);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    e.targets.push_back(TargetFromJson(targets[i], fmt::format("{}.targets[{}]", where, i)));
  }
  e.scenarios = ReadStrings(j, "scenarios", where);
  e.scenario_summaries = ReadStringMap(j, "scenario_summaries", where);
  if (const json* info = OptionalField(j, "scenario_info")) {
    ExpectObject(*info, Join(where, "scenario_info"));
    for (const auto& [id, value] : info->items()) {
      e.scenario_info.emplace(
          id, ScenarioInfoFromJson(value, fmt::format("{}.scenario_info.{}", where, id)));
    }
  }
  if (const json* shard = OptionalField(j, "shard")) {
    e.shard = ShardFromJson(*shard, Join(where, "shard"));
  }
  if (const json* merged = OptionalField(j, "merged_shards")) {
    if (!merged->is_array()) Mistyped(Join(where, "merged_shards"), "an array", *merged);
    for (std::size_t i = 0; i < merged->size(); ++i) {
      e.merged_shards.push_back(
          ShardFromJson((*merged)[i], fmt::format("{}.merged_shards[{}]", where, i)));
    }
  }
  if (OptionalField(j, "passed_env") != nullptr) e.passed_env = ReadStrings(j, "passed_env", where);
  if (OptionalField(j, "scrubbed_env") != nullptr) {
    e.scrubbed_env = ReadStrings(j, "scrubbed_env", where);
  }
  if (const json* knowledge = OptionalField(j, "knowledge")) {  // v1.5
    if (!knowledge->is_array()) Mistyped(Join(where, "knowledge"), "an array", *knowledge);
    for (std::size_t i = 0; i < knowledge->size(); ++i) {
      const std::string item = fmt::format("{}.knowledge[{}]", where, i);
      ExpectObject((*knowledge)[i], item);
      e.knowledge.push_back(
          {ReadString((*knowledge)[i], "path", item), ReadString((*knowledge)[i], "sha256", item)});
    }
  }
  if (const json* plan = OptionalField(j, "plan")) {  // v1.11
    if (!plan->is_array()) Mistyped(Join(where, "plan"), "an array", *plan);
    e.plan.emplace();
    for (std::size_t i = 0; i < plan->size(); ++i) {
      const std::string item = fmt::format("{}.plan[{}]", where, i);
      const json& run = (*plan)[i];
      ExpectObject(run, item);
      e.plan->push_back({ReadString(run, "run_id", item), ReadString(run, "scenario_id", item),
                         ReadString(run, "target_name", item), ReadInt(run, "repetition", item)});
    }
  }
  if (const json* options = OptionalField(j, "session_options")) {  // v1.11
    ExpectObject(*options, Join(where, "session_options"));
    e.session_options = options->dump();
  }
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
         fmt::format("unknown status \"{}\" (expected pass, fail, timeout, crash, error or "
                     "unresolved)",
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
  if (const json* traffic = OptionalField(j, "lm_traffic")) {
    r.lm_traffic = LmTrafficFromJson(*traffic, Join(where, "lm_traffic"));
  }
  if (OptionalField(j, "start_mode") != nullptr) r.start_mode = ReadString(j, "start_mode", where);
  if (OptionalField(j, "containment") != nullptr) {
    r.containment = ReadString(j, "containment", where);
  }
  if (const json* events = OptionalField(j, "containment_events")) {
    if (!events->is_array()) Mistyped(Join(where, "containment_events"), "an array", *events);
    for (std::size_t i = 0; i < events->size(); ++i) {
      r.containment_events.push_back(ContainmentEventFromJson(
          (*events)[i], fmt::format("{}.containment_events[{}]", where, i)));
    }
  }
  if (OptionalField(j, "sandbox") != nullptr) r.sandbox = ReadString(j, "sandbox", where);  // v1.10
  if (const json* settings = OptionalField(j, "settings_after")) {                          // v1.6
    r.settings_after = SettingsAfterFromJson(*settings, Join(where, "settings_after"));
  }
  if (const json* schedule = OptionalField(j, "lm_schedule")) {  // v1.8
    r.lm_schedule = LmScheduleFromJson(*schedule, Join(where, "lm_schedule"));
  }
  return r;
}

json ChangedCodeToJson(const ChangedCode& c) {
  json hunks = json::array();
  for (const auto& h : c.hunks) {
    hunks.push_back({{"file", h.file},
                     {"old_start", h.old_start},
                     {"old_lines", h.old_lines},
                     {"new_start", h.new_start},
                     {"new_lines", h.new_lines},
                     {"executed_old", h.executed_old},
                     {"executed_new", h.executed_new},
                     {"lines", h.lines},
                     {"on_traceback", h.on_traceback}});
  }
  return {{"scenario_id", c.scenario_id},       {"baseline_target", c.baseline_target},
          {"target_name", c.target_name},       {"error", c.error},
          {"files_compared", c.files_compared}, {"files_changed", c.files_changed},
          {"hunks_changed", c.hunks_changed},   {"hunks", std::move(hunks)}};
}

std::vector<int> ReadLineNumbers(const json& object, std::string_view key,
                                 const std::string& where) {
  const json& array = ArrayField(object, key, where);
  std::vector<int> out;
  for (std::size_t i = 0; i < array.size(); ++i) {
    int line = ToInt(array[i], fmt::format("{}[{}]", Join(where, key), i));
    if (line < 1) Fail(fmt::format("{}[{}]", Join(where, key), i), "a line number is 1 or more");
    out.push_back(line);
  }
  return out;
}

int ReadCount(const json& object, std::string_view key, const std::string& where) {
  int n = ReadInt(object, key, where);
  if (n < 0) Fail(Join(where, key), fmt::format("{} is negative", n));
  return n;
}

ChangedHunk ChangedHunkFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  ChangedHunk h;
  h.file = ReadString(j, "file", where);
  h.old_start = ReadCount(j, "old_start", where);
  h.old_lines = ReadCount(j, "old_lines", where);
  h.new_start = ReadCount(j, "new_start", where);
  h.new_lines = ReadCount(j, "new_lines", where);
  h.executed_old = ReadLineNumbers(j, "executed_old", where);
  h.executed_new = ReadLineNumbers(j, "executed_new", where);
  h.lines = ReadStrings(j, "lines", where);
  h.on_traceback = ReadBool(j, "on_traceback", where);
  return h;
}

ChangedCode ChangedCodeFromJson(const json& j, const std::string& where) {
  ExpectObject(j, where);
  ChangedCode c;
  c.scenario_id = ReadString(j, "scenario_id", where);
  c.baseline_target = ReadString(j, "baseline_target", where);
  c.target_name = ReadString(j, "target_name", where);
  c.error = ReadString(j, "error", where);
  c.files_compared = ReadCount(j, "files_compared", where);
  c.files_changed = ReadCount(j, "files_changed", where);
  c.hunks_changed = ReadCount(j, "hunks_changed", where);
  const json& hunks = ArrayField(j, "hunks", where);
  for (std::size_t i = 0; i < hunks.size(); ++i) {
    c.hunks.push_back(ChangedHunkFromJson(hunks[i], fmt::format("{}.hunks[{}]", where, i)));
  }
  return c;
}

}  // namespace

nlohmann::json ToJson(const Results& results) {
  json runs = json::array();
  for (const auto& run : results.runs) runs.push_back(RunToJson(run));
  json out = {{"schema", kResultsSchema},
              {"environment", EnvironmentToJson(results.environment)},
              {"runs", std::move(runs)}};
  // v1.14, written only when looked for, so files without it stay as they were.
  if (!results.changed_code.empty()) {
    json changed = json::array();
    for (const auto& c : results.changed_code) changed.push_back(ChangedCodeToJson(c));
    out["changed_code"] = std::move(changed);
  }
  return out;
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
  if (const nlohmann::json* changed = OptionalField(json, "changed_code")) {  // v1.14
    if (!changed->is_array()) Mistyped("changed_code", "an array", *changed);
    for (std::size_t i = 0; i < changed->size(); ++i) {
      results.changed_code.push_back(
          ChangedCodeFromJson((*changed)[i], fmt::format("changed_code[{}]", i)));
    }
  }
  return results;
}

void WriteResultsFile(const std::filesystem::path& path, const Results& results) {
  // Output tails are cut at a byte limit and may split a UTF-8 sequence;
  // replace bad bytes rather than refuse to save a session's results.
  std::string text = ToJson(results).dump(2, ' ', false, json::error_handler_t::replace);
  text += '\n';
  WriteFileAtomically(path, text);
}

Results ReadResultsFile(const std::filesystem::path& path) {
  std::string text;
  if (int err = ReadWholeFile(path, text); err != 0) {
    throw ResultsFormatError(fmt::format("{}: cannot read: {}", path.string(), std::strerror(err)));
  }
  json parsed;
  try {
    parsed = json::parse(text);
  } catch (const json::exception& e) {  // parse_error; out_of_range.406 for 1e999
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
