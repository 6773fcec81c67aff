#include "cli/session_options.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace dspy_compat {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string Absolute(const fs::path& path) { return fs::absolute(path).lexically_normal(); }

template <typename T>
json Optional(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json Paths(const std::vector<fs::path>& paths) {
  json out = json::array();
  for (const fs::path& p : paths) out.push_back(Absolute(p));
  return out;
}

}  // namespace

std::string SessionOptionsJson(const RunOptions& o) {
  json j = {
      {"targets", o.targets},
      {"scenarios", Paths(o.scenarios)},
      {"repeat", Optional(o.repeat)},
      {"adaptive_repeat", Optional(o.adaptive_repeat)},
      {"jobs", o.jobs},
      {"timeout_seconds", Optional(o.timeout_seconds)},
      {"lm_delay", Optional(o.lm_delay)},
      {"seed", Optional(o.seed)},
      {"cache_dir", o.cache_dir ? json(Absolute(*o.cache_dir)) : json(nullptr)},
      {"keep_work", o.keep_work},
      {"memory_limit_mb", o.memory_limit_mb},
      {"output_limit_mb", o.output_limit_mb},
      {"cold", o.cold},
      {"scrub", o.scrub},
      {"pass_env", o.pass_env},
      {"shard", Optional(o.shard)},
      {"gate", o.gate},
      {"baseline",
       o.gate_options.baseline ? json(Absolute(*o.gate_options.baseline)) : json(nullptr)},
      {"update_baseline", o.gate_options.update_baseline},
      {"strict_prompts", o.gate_options.strict_prompts},
      {"knowledge", Paths(o.knowledge)},
      {"pre", o.releases.pre},
      {"index_url", o.releases.index_url},
      {"schedule", o.schedule},
      {"replay", Optional(o.replay)},
      {"baseline_target", Optional(o.baseline_target)},
      {"project", o.project ? json(Absolute(*o.project)) : json(nullptr)},
      {"no_changed_code", o.no_changed_code},
  };
  // --replay FILE:RUN_ID: the file, absolute.
  if (o.replay) {
    const std::size_t colon = o.replay->rfind(':');
    if (colon != std::string::npos) {
      j["replay"] = Absolute(o.replay->substr(0, colon)) + o.replay->substr(colon);
    }
  }
  return j.dump();
}

RunOptions RunOptionsFromSessionJson(const std::string& text) {
  RunOptions o;
  std::string key;  // the one being read, for the error
  try {
    const json j = json::parse(text);
    auto get = [&](const char* name, auto& into) {
      key = name;
      j.at(name).get_to(into);
    };
    auto get_optional = [&](const char* name, auto& into) {
      key = name;
      const json& value = j.at(name);
      if (value.is_null()) {
        into.reset();
      } else {
        into = value.get<typename std::remove_reference_t<decltype(into)>::value_type>();
      }
    };
    auto get_paths = [&](const char* name, std::vector<fs::path>& into) {
      std::vector<std::string> texts;
      get(name, texts);
      into.assign(texts.begin(), texts.end());
    };
    get("targets", o.targets);
    get_paths("scenarios", o.scenarios);
    get_optional("repeat", o.repeat);
    get_optional("adaptive_repeat", o.adaptive_repeat);
    get("jobs", o.jobs);
    get_optional("timeout_seconds", o.timeout_seconds);
    get_optional("lm_delay", o.lm_delay);
    get_optional("seed", o.seed);
    std::optional<std::string> path;
    get_optional("cache_dir", path);
    if (path) o.cache_dir = *path;
    get("keep_work", o.keep_work);
    get("memory_limit_mb", o.memory_limit_mb);
    get("output_limit_mb", o.output_limit_mb);
    get("cold", o.cold);
    if (j.contains("no_changed_code")) get("no_changed_code", o.no_changed_code);  // v1.12
    get("scrub", o.scrub);
    get("pass_env", o.pass_env);
    get_optional("shard", o.shard);
    get("gate", o.gate);
    get_optional("baseline", path);
    if (path) o.gate_options.baseline = *path;
    get("update_baseline", o.gate_options.update_baseline);
    get("strict_prompts", o.gate_options.strict_prompts);
    get_paths("knowledge", o.knowledge);
    get("pre", o.releases.pre);
    get("index_url", o.releases.index_url);
    get("schedule", o.schedule);
    get_optional("replay", o.replay);
    get_optional("baseline_target", o.baseline_target);
    if (j.contains("project")) {  // recorded since run --project (issue 14)
      get_optional("project", path);
      if (path) o.project = *path;
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
