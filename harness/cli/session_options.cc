#include "cli/session_options.h"

#include <fmt/format.h>

#include <functional>
#include <nlohmann/json.hpp>

namespace dspy_compat {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string Absolute(const fs::path& path) { return fs::absolute(path).lexically_normal(); }

// How a value is recorded: paths absolute, an absent optional as null.
// (The overloads for paths come first: the templates' calls see only what
// is declared before them.)
json Record(const fs::path& path) { return Absolute(path); }
json Record(const std::vector<fs::path>& paths) {
  json out = json::array();
  for (const fs::path& p : paths) out.push_back(Absolute(p));
  return out;
}
template <typename T>
json Record(const T& value) {
  return value;
}
template <typename T>
json Record(const std::optional<T>& value) {
  return value ? Record(*value) : json(nullptr);
}

// And read back.
void Restore(const json& value, fs::path& into) { into = value.get<std::string>(); }
void Restore(const json& value, std::vector<fs::path>& into) {
  const auto texts = value.get<std::vector<std::string>>();
  into.assign(texts.begin(), texts.end());
}
template <typename T>
void Restore(const json& value, T& into) {
  value.get_to(into);
}
template <typename T>
void Restore(const json& value, std::optional<T>& into) {
  if (value.is_null()) {
    into.reset();
  } else {
    Restore(value, into.emplace());
  }
}

// One recorded option: its key and how it is written and read.
struct Field {
  const char* key;
  std::function<json(const RunOptions&)> write;
  std::function<void(const json&, RunOptions&)> read;
  bool added_later = false;  // absent from older records: left at its default
};

// The field of an option that `get` finds in a RunOptions (const or not).
template <typename Get>
Field Bound(const char* key, Get get, bool added_later) {
  return {key, [get](const RunOptions& o) { return Record(get(o)); },
          [get](const json& value, RunOptions& o) { Restore(value, get(o)); }, added_later};
}

// An option of RunOptions, or of one of its groups (gate_options, releases).
template <typename T>
Field Option(const char* key, T RunOptions::*member, bool added_later = false) {
  return Bound(
      key, [member](auto& o) -> auto& { return o.*member; }, added_later);
}
template <typename Group, typename T>
Field Option(const char* key, Group RunOptions::*group, T Group::*member) {
  return Bound(
      key, [ group, member ](auto& o) -> auto& { return (o.*group).*member; }, false);
}

// Every option a resumed session runs with, in one place.
const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = {
      Option("targets", &RunOptions::targets),
      Option("scenarios", &RunOptions::scenarios),
      Option("repeat", &RunOptions::repeat),
      Option("adaptive_repeat", &RunOptions::adaptive_repeat),
      Option("jobs", &RunOptions::jobs),
      Option("timeout_seconds", &RunOptions::timeout_seconds),
      Option("lm_delay", &RunOptions::lm_delay),
      Option("seed", &RunOptions::seed),
      Option("cache_dir", &RunOptions::cache_dir),
      Option("keep_work", &RunOptions::keep_work),
      Option("memory_limit_mb", &RunOptions::memory_limit_mb),
      Option("output_limit_mb", &RunOptions::output_limit_mb),
      Option("cold", &RunOptions::cold),
      Option("no_changed_code", &RunOptions::no_changed_code, /*added_later=*/true),  // v1.12
      Option("scrub", &RunOptions::scrub),
      Option("pass_env", &RunOptions::pass_env),
      Option("shard", &RunOptions::shard),
      Option("gate", &RunOptions::gate),
      Option("baseline", &RunOptions::gate_options, &GateOptions::baseline),
      Option("update_baseline", &RunOptions::gate_options, &GateOptions::update_baseline),
      Option("strict_prompts", &RunOptions::gate_options, &GateOptions::strict_prompts),
      Option("knowledge", &RunOptions::knowledge),
      Option("pre", &RunOptions::releases, &ReleaseOptions::pre),
      Option("index_url", &RunOptions::releases, &ReleaseOptions::index_url),
      Option("schedule", &RunOptions::schedule),
      Option("explore_quiet_ms", &RunOptions::explore_quiet_ms, /*added_later=*/true),  // v1.15
      // --replay FILE:RUN_ID: the file, absolute.
      {"replay",
       [](const RunOptions& o) {
         if (!o.replay) return json(nullptr);
         const std::size_t colon = o.replay->rfind(':');
         if (colon == std::string::npos) return json(*o.replay);
         return json(Absolute(o.replay->substr(0, colon)) + o.replay->substr(colon));
       },
       [](const json& value, RunOptions& o) { Restore(value, o.replay); }},
      Option("baseline_target", &RunOptions::baseline_target),
      Option("project", &RunOptions::project, /*added_later=*/true),  // run --project
      // How runs were contained: a resumed session keeps the user's choice.
      Option("sandbox", &RunOptions::sandbox, /*added_later=*/true),
      Option("pass_home", &RunOptions::pass_home, /*added_later=*/true),
  };
  return fields;
}

}  // namespace

std::string SessionOptionsJson(const RunOptions& o) {
  json j = json::object();
  for (const Field& field : Fields()) j[field.key] = field.write(o);
  return j.dump();
}

RunOptions RunOptionsFromSessionJson(const std::string& text) {
  RunOptions o;
  std::string key;  // the one being read, for the error
  try {
    const json j = json::parse(text);
    for (const Field& field : Fields()) {
      key = field.key;
      if (field.added_later && !j.contains(field.key)) continue;
      field.read(j.at(field.key), o);
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(
        key.empty() ? fmt::format("session_options: not a JSON object ({})", e.what())
                    : fmt::format("session_options.{}: missing or of the wrong type", key));
  }
  return o;
}

RunOptions RunOptionsToResume(const Results& recorded, const fs::path& dir) {
  RunOptions options = RunOptionsFromSessionJson(recorded.environment.session_options);
  options.out = dir;
  options.seed = recorded.environment.seed;
  options.command_line = recorded.environment.command_line;
  options.resume = dir;
  return options;
}

}  // namespace dspy_compat
