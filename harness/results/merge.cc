#include "results/merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace dspy_compat {
namespace {

std::string Describe(const RunEnvironment& env, std::size_t position) {
  if (env.shard) return fmt::format("shard {}/{}", env.shard->index, env.shard->count);
  return fmt::format("input {}", position + 1);
}

// A shard provisions only the targets its slice runs, so a user
// interpreter's version (probed when provisioned) may be unknown in one.
bool SameTargets(const std::vector<TargetInfo>& a, const std::vector<TargetInfo>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    bool versions_agree = a[i].dspy_version.empty() || b[i].dspy_version.empty() ||
                          a[i].dspy_version == b[i].dspy_version;
    if (a[i].name != b[i].name || a[i].lock_hash != b[i].lock_hash || !versions_agree) {
      return false;
    }
  }
  return true;
}

void FillIn(std::string& field, const std::string& other) {
  if (field.empty()) field = other;
}

std::vector<ShardInfo> ShardsOf(const RunEnvironment& env) {
  std::vector<ShardInfo> shards = env.merged_shards;
  if (env.shard) shards.push_back(*env.shard);
  return shards;
}

// The --repeat a shard was given, from its session options: a default run
// and `--repeat MIN..MAX` record the same bounds, yet the default's shards
// hold whole scenarios and the other's whole pairs. nullopt: not recorded.
std::optional<std::string> RepeatGiven(const RunEnvironment& env) {
  if (env.session_options.empty()) return std::nullopt;
  const nlohmann::json options =
      nlohmann::json::parse(env.session_options, nullptr, /*allow_exceptions=*/false);
  if (!options.is_object()) return std::nullopt;
  auto adaptive = options.find("adaptive_repeat");
  if (adaptive != options.end() && adaptive->is_string()) return adaptive->get<std::string>();
  auto fixed = options.find("repeat");
  if (fixed != options.end() && fixed->is_number_integer()) return fixed->dump();
  return std::string("the default");
}

}  // namespace

Results MergeResults(const std::vector<Results>& shards, const std::string& command_line) {
  if (shards.empty()) throw MergeError("nothing to merge");
  Results merged;
  RunEnvironment& env = merged.environment;
  const RunEnvironment& first = shards.front().environment;
  env = first;
  env.command_line = command_line;
  env.shard.reset();
  env.merged_shards.clear();
  env.planned_runs = 0;
  env.interrupted = false;
  env.plan.reset();
  env.session_options.clear();  // a merge is not resumable; its shards are
  bool unfinished_shard = false;
  const std::optional<std::string> first_repeat = RepeatGiven(first);

  std::set<std::string> run_ids;
  std::map<int, std::size_t> shard_seen;  // index -> input position
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const RunEnvironment& e = shards[i].environment;
    const std::string name = Describe(e, i);
    if (!SameTargets(e.targets, first.targets)) {
      throw MergeError(
          fmt::format("{} ran other targets (names, DSPy versions or lock hashes differ from {})",
                      name, Describe(first, 0)));
    }
    if (e.seed != first.seed) {
      throw MergeError(
          fmt::format("{} ran with seed {}, {} with seed {}; give every shard the same --seed",
                      name, e.seed, Describe(first, 0), first.seed));
    }
    if (e.min_repeat != first.min_repeat || e.max_repeat != first.max_repeat) {
      // Adaptive shards hold whole pairs (or, separating the targets, whole
      // scenarios) decided by one policy; a fixed shard beside an adaptive
      // one would mix two meanings of "runs".
      throw MergeError(fmt::format(
          "{} ran with repetitions {}, {} with {}; give every shard the same --repeat", name,
          e.max_repeat > 0 ? fmt::format("{}..{}", e.min_repeat, e.max_repeat) : "fixed",
          Describe(first, 0),
          first.max_repeat > 0 ? fmt::format("{}..{}", first.min_repeat, first.max_repeat)
                               : "fixed"));
    }
    if (auto mine = RepeatGiven(e); mine && first_repeat && *mine != *first_repeat) {
      throw MergeError(
          fmt::format("{} ran with --repeat {}, {} with {}; give every shard the same --repeat",
                      name, *mine, Describe(first, 0), *first_repeat));
    }
    for (const ShardInfo& shard : ShardsOf(e)) {
      if (!env.merged_shards.empty() && shard.count != env.merged_shards.front().count) {
        throw MergeError(fmt::format("{} is one of {} shards, {} one of {}", name, shard.count,
                                     Describe(first, 0), env.merged_shards.front().count));
      }
      if (auto [it, inserted] = shard_seen.emplace(shard.index, i); !inserted) {
        throw MergeError(fmt::format("shard {}/{} is given twice (inputs {} and {})", shard.index,
                                     shard.count, it->second + 1, i + 1));
      }
      env.merged_shards.push_back(shard);
    }
    for (const RunResult& run : shards[i].runs) {
      if (!run_ids.insert(run.run_id).second) {
        throw MergeError(fmt::format("run {} appears in more than one input", run.run_id));
      }
      merged.runs.push_back(run);
    }
    // A shard's changed code is of pairs it ran whole.
    merged.changed_code.insert(merged.changed_code.end(), shards[i].changed_code.begin(),
                               shards[i].changed_code.end());
    for (const std::string& id : e.scenarios) {
      if (std::find(env.scenarios.begin(), env.scenarios.end(), id) == env.scenarios.end()) {
        env.scenarios.push_back(id);
      }
    }
    for (std::size_t t = 0; t < env.targets.size(); ++t) {
      FillIn(env.targets[t].dspy_version, e.targets[t].dspy_version);
      FillIn(env.targets[t].python_version, e.targets[t].python_version);
      FillIn(env.targets[t].interpreter, e.targets[t].interpreter);
    }
    env.scenario_summaries.insert(e.scenario_summaries.begin(), e.scenario_summaries.end());
    for (const auto& [id, info] : e.scenario_info) {
      auto [it, inserted] = env.scenario_info.emplace(id, info);
      // Expectations resolve per target; a target a shard did not provision
      // may be missing from its map.
      if (!inserted) it->second.expected.insert(info.expected.begin(), info.expected.end());
    }
    env.planned_runs += e.planned_runs;
    env.interrupted = env.interrupted || e.interrupted;
    env.jobs = std::max(env.jobs, e.jobs);
    if (!e.started_at.empty() && (env.started_at.empty() || e.started_at < env.started_at)) {
      env.started_at = e.started_at;
    }
    env.finished_at = std::max(env.finished_at, e.finished_at);
    // v1.11: a shard that did not finish leaves the merge unfinished.
    if (e.plan) {
      if (!env.plan) env.plan.emplace();
      env.plan->insert(env.plan->end(), e.plan->begin(), e.plan->end());
      if (e.finished_at.empty()) unfinished_shard = true;
    }
  }
  if (unfinished_shard) env.finished_at.clear();
  std::sort(env.merged_shards.begin(), env.merged_shards.end(),
            [](const ShardInfo& a, const ShardInfo& b) { return a.index < b.index; });

  // Plan order (repetition, then scenario, then target), as an unsharded run
  // lists its runs, so that merged and unsharded files compare line by line.
  auto position = [](const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) - ids.begin();
  };
  std::vector<std::string> targets;
  for (const TargetInfo& t : env.targets) targets.push_back(t.name);
  std::stable_sort(merged.runs.begin(), merged.runs.end(),
                   [&](const RunResult& a, const RunResult& b) {
                     auto key = [&](const RunResult& r) {
                       return std::make_tuple(r.repetition, position(env.scenarios, r.scenario_id),
                                              position(targets, r.target_name));
                     };
                     return key(a) < key(b);
                   });
  return merged;
}

}  // namespace dspy_compat
