#include "results/aggregate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "results/separation.h"

namespace dspy_compat {
namespace {

std::string_view FirstLine(std::string_view text) {
  return text.substr(0, text.find_first_of("\r\n"));
}

void AppendUnique(std::vector<std::string>& ids, const std::string& id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

void AddPassingRun(Behaviour& b, const RunResult& run) {
  b.calls.insert(run.lm_requests);
  if (run.settings_after &&
      std::find(b.settings.begin(), b.settings.end(), *run.settings_after) == b.settings.end()) {
    b.settings.push_back(*run.settings_after);
  }
  if (!run.lm_traffic) return;
  ++b.traffic_runs;
  b.models.insert(run.models.begin(), run.models.end());
  const LmTraffic& t = *run.lm_traffic;
  for (const LmTraffic::Route& route : t.routes) {
    b.routes[route.key].insert(route.models.begin(), route.models.end());
    b.labels.emplace(route.key, route.label);
  }
  b.adapters.insert(t.adapters.begin(), t.adapters.end());
  b.parameters.insert(t.parameters.begin(), t.parameters.end());
  b.prompts.insert(t.prompts.begin(), t.prompts.end());
  b.system_prompts.insert(t.system_prompts.begin(), t.system_prompts.end());
}

// Report texts are plain text with `code` spans (see reports/report_content.h).
std::string Span(std::string_view text) {
  std::string span = "`";
  for (char c : text) span += c == '`' ? '\'' : c;
  return span + "`";
}

template <typename Values>
std::string Spans(const Values& values, std::string_view separator = ", ") {
  std::vector<std::string> spans;
  for (const auto& v : values) spans.push_back(Span(fmt::format("{}", v)));
  return spans.empty() ? "none" : fmt::format("{}", fmt::join(spans, separator));
}

std::string Plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

bool Contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// An LM in the main thread's settings that the program never configured:
// a release's dspy.context left it there.
std::string LeftBehindLm(const std::vector<SettingsAfter>& settings) {
  for (const SettingsAfter& s : settings) {
    if (!s.lm.empty() && !Contains(s.configured, "lm")) return s.lm;
  }
  return "";
}

std::string SettingsText(const SettingsAfter& s) {
  std::string text = fmt::format("lm={}", s.lm.empty() ? "none" : Span(s.lm));
  if (!s.adapter.empty()) text += fmt::format(", adapter={}", Span(s.adapter));
  std::vector<std::string> unasked;
  for (const std::string& key : s.changed) {
    if (!Contains(s.configured, key)) unasked.push_back(key);
  }
  if (!unasked.empty()) text += fmt::format(" (changed, never configured: {})", Spans(unasked));
  return text;
}

std::set<std::string> SettingsTexts(const std::vector<SettingsAfter>& settings) {
  std::set<std::string> texts;
  for (const SettingsAfter& s : settings) texts.insert(SettingsText(s));
  return texts;
}

std::string SettingsChange(const Behaviour& a, const Behaviour& b, const std::string& base,
                           const std::string& later) {
  auto never = [](const std::vector<SettingsAfter>& settings) {
    bool configured_any = std::any_of(settings.begin(), settings.end(),
                                      [](const SettingsAfter& s) { return !s.configured.empty(); });
    return configured_any ? "never configured an LM with `dspy.configure`"
                          : "never called `dspy.configure`";
  };
  std::string before = LeftBehindLm(a.settings), after = LeftBehindLm(b.settings);
  if (!after.empty() && before.empty()) {
    return fmt::format(
        "after the program, {} leaves an LM set globally ({}) although the program {}; {} "
        "does not",
        later, Span(after), never(b.settings), base);
  }
  if (!before.empty() && after.empty()) {
    return fmt::format(
        "after the program, {} leaves an LM set globally ({}) although the program {}; {} does "
        "not",
        base, Span(before), never(a.settings), later);
  }
  return fmt::format("after the program, `dspy.settings` holds {} on {} but {} on {}",
                     fmt::join(SettingsTexts(a.settings), " or "), base,
                     fmt::join(SettingsTexts(b.settings), " or "), later);
}

std::vector<BehaviourChange> CompareBehaviour(const Behaviour& a, const Behaviour& b,
                                              const std::string& base, const std::string& later) {
  std::vector<BehaviourChange> changes;
  if (a.traffic_runs > 0 && b.traffic_runs > 0) {
    // Requests matched by content; grouped by where they went on each side.
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> moved;
    for (const auto& [key, from] : a.routes) {
      auto to = b.routes.find(key);
      if (to == b.routes.end() || to->second == from) continue;
      moved[{Spans(from, " or "), Spans(to->second, " or ")}].push_back(a.labels.at(key));
    }
    for (const auto& [where, labels] : moved) {
      std::vector<std::string> examples;
      for (std::size_t i = 0; i < labels.size() && i < 3; ++i) examples.push_back(Span(labels[i]));
      changes.push_back(
          {"model per request",
           fmt::format("on {}, {} that {} sends to {} {} served by {} ({}{})", later,
                       Plural(labels.size(), "request", "requests"), base, where.first,
                       labels.size() == 1 ? "is" : "are", where.second, fmt::join(examples, ", "),
                       labels.size() > examples.size() ? ", ..." : ""),
           false});
    }
    if (moved.empty() && a.models != b.models) {
      changes.push_back({"models",
                         fmt::format("{} sends its requests to {}, {} to {}", base, Spans(a.models),
                                     later, Spans(b.models)),
                         false});
    }
    if (a.adapters != b.adapters) {
      changes.push_back({"prompt formats",
                         fmt::format("the prompt format is {} on {} but {} on {}",
                                     Spans(a.adapters), base, Spans(b.adapters), later),
                         false});
    }
    if (a.parameters != b.parameters) {
      std::vector<std::string> added, removed;
      std::set_difference(b.parameters.begin(), b.parameters.end(), a.parameters.begin(),
                          a.parameters.end(), std::back_inserter(added));
      std::set_difference(a.parameters.begin(), a.parameters.end(), b.parameters.begin(),
                          b.parameters.end(), std::back_inserter(removed));
      std::string text = fmt::format("on {}, requests", later);
      if (!added.empty()) text += fmt::format(" carry {}", Spans(added));
      if (!added.empty() && !removed.empty()) text += " and";
      if (!removed.empty()) text += fmt::format(" no longer carry {}", Spans(removed));
      changes.push_back({"request parameters", text + fmt::format(" (as on {})", base), false});
    }
    if (a.prompts != b.prompts && !a.prompts.empty() && !b.prompts.empty()) {
      changes.push_back({"prompts",
                         fmt::format("the prompts' text differs between {} and {}", base, later),
                         true});
    }
    if (a.system_prompts != b.system_prompts) {
      changes.push_back({"system prompts",
                         fmt::format("the system prompts differ between {} and {}", base, later),
                         true});
    }
  }
  if (!a.calls.empty() && !b.calls.empty() && a.calls != b.calls) {
    changes.push_back(
        {"LM calls per run",
         fmt::format("a passing run makes {} LM calls on {} but {} on {}",
                     fmt::join(a.calls, " or "), base, fmt::join(b.calls, " or "), later),
         false});
  }
  if (!a.settings.empty() && !b.settings.empty() &&
      SettingsTexts(a.settings) != SettingsTexts(b.settings)) {
    changes.push_back({"settings after the program", SettingsChange(a, b, base, later), false});
  }
  return changes;
}

}  // namespace

bool Verdict::PromptsChanged() const {
  return std::any_of(changes.begin(), changes.end(),
                     [](const BehaviourChange& c) { return c.prompt_text_only; });
}

Interval WilsonInterval(int successes, int trials, double z) {
  if (trials <= 0) return {0, 1};
  const double n = trials;
  const double p = successes / n;
  const double z2 = z * z;
  const double denominator = 1 + z2 / n;
  const double centre = (p + z2 / (2 * n)) / denominator;
  const double half = z / denominator * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  // At 0/n and n/n the bound is exactly 0 or 1; say so rather than 0.9999...
  return {successes <= 0 ? 0.0 : std::max(0.0, centre - half),
          successes >= trials ? 1.0 : std::min(1.0, centre + half)};
}

std::string ErrorSignature(const RunResult& run) {
  if (!IsFailure(run.status)) return "";
  if (run.error_type.empty()) return std::string(StatusName(run.status));
  std::string_view message = FirstLine(run.error_message);
  if (message.empty()) return run.error_type;
  return run.error_type + ": " + std::string(message);
}

std::string_view ClassificationName(Classification classification) {
  switch (classification) {
    case Classification::kNone:
      return "none";
    case Classification::kPass:
      return "pass";
    case Classification::kFail:
      return "fail";
    case Classification::kFlaky:
      return "flaky";
  }
  return "none";
}

Outcome ComputeOutcome(std::span<const RunResult> runs, std::string_view scenario_id,
                       std::string_view target_name) {
  Outcome outcome;
  outcome.scenario_id = scenario_id;
  outcome.target_name = target_name;
  std::map<std::string, int> signature_counts;
  std::vector<const RunResult*> failed;
  for (const RunResult& run : runs) {
    if (run.scenario_id != scenario_id || run.target_name != target_name) continue;
    ++outcome.total;
    ++outcome.status_counts[static_cast<std::size_t>(run.status)];
    if (run.lm_schedule) ++outcome.explored;
    if (!IsFailure(run.status)) {
      AddPassingRun(outcome.behaviour, run);
      continue;
    }
    ++outcome.failures;
    ++signature_counts[ErrorSignature(run)];
    failed.push_back(&run);
  }
  for (auto& [signature, count] : signature_counts)
    outcome.signatures.push_back({signature, count});
  std::stable_sort(
      outcome.signatures.begin(), outcome.signatures.end(),
      [](const SignatureCount& a, const SignatureCount& b) { return a.count > b.count; });

  if (outcome.total > 0) {
    outcome.failure_rate = static_cast<double>(outcome.failures) / outcome.total;
  }
  outcome.failure_interval = WilsonInterval(outcome.failures, outcome.total);
  if (outcome.total == 0) {
    outcome.classification = Classification::kNone;
  } else if (outcome.failures == 0) {
    outcome.classification = Classification::kPass;
  } else if (outcome.failures == outcome.total) {
    outcome.classification = Classification::kFail;
  } else {
    outcome.classification = Classification::kFlaky;
  }

  if (!outcome.signatures.empty()) {
    const std::string& top = outcome.signatures.front().signature;
    const RunResult* example = nullptr;
    for (const RunResult* run : failed) {
      if (ErrorSignature(*run) != top) continue;
      if (example == nullptr) example = run;
      if (!run->traceback.empty()) {
        example = run;
        break;
      }
    }
    outcome.example_run_id = example->run_id;
    outcome.example_traceback = example->traceback;
    outcome.example_output_tail = example->output_tail;
    outcome.example_explored = example->lm_schedule.has_value();
  }
  return outcome;
}

std::string_view VerdictName(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::kUnchanged:
      return "unchanged";
    case VerdictKind::kRegression:
      return "regression";
    case VerdictKind::kFixed:
      return "fixed";
    case VerdictKind::kFlaky:
      return "flaky";
    case VerdictKind::kIncomplete:
      return "incomplete";
    case VerdictKind::kBehaviourChange:
      return "behaviour-change";
    case VerdictKind::kUnresolved:
      return "unresolved";
  }
  return "incomplete";
}

Verdict CompareOutcomes(const Outcome& baseline, const Outcome& later) {
  using C = Classification;
  Verdict verdict;
  verdict.scenario_id = baseline.scenario_id;
  verdict.baseline_target = baseline.target_name;
  verdict.target_name = later.target_name;
  const C before = baseline.classification;
  const C after = later.classification;
  if (baseline.Count(Status::kUnresolved) > 0 || later.Count(Status::kUnresolved) > 0) {
    verdict.kind = VerdictKind::kUnresolved;
  } else if (before == C::kNone || after == C::kNone) {
    verdict.kind = VerdictKind::kIncomplete;
  } else if (before == C::kPass && after == C::kPass) {
    verdict.changes = CompareBehaviour(baseline.behaviour, later.behaviour, baseline.target_name,
                                       later.target_name);
    bool silent_change = std::any_of(verdict.changes.begin(), verdict.changes.end(),
                                     [](const BehaviourChange& c) { return !c.prompt_text_only; });
    verdict.kind = silent_change ? VerdictKind::kBehaviourChange : VerdictKind::kUnchanged;
  } else if (before == after && before != C::kFlaky) {
    verdict.kind = VerdictKind::kUnchanged;
  } else if (before == C::kPass) {
    verdict.kind = VerdictKind::kRegression;
    verdict.intermittent = after == C::kFlaky;
  } else if (after == C::kPass) {
    verdict.kind = VerdictKind::kFixed;
  } else {
    // flaky -> flaky, fail -> flaky, flaky -> fail: both sides fail at
    // least sometimes, and the rates alone do not settle which is worse.
    verdict.kind = VerdictKind::kFlaky;
  }
  if (verdict.kind == VerdictKind::kRegression || verdict.kind == VerdictKind::kFixed) {
    verdict.chance = OneSidedFisher(baseline.total, baseline.failures, later.total, later.failures);
    verdict.baseline_runs = baseline.total;
    verdict.later_runs = later.total;
  }
  return verdict;
}

Aggregate AggregateResults(const Results& results) {
  Aggregate aggregate;
  for (const TargetInfo& target : results.environment.targets) {
    AppendUnique(aggregate.targets, target.name);
  }
  std::vector<std::string> scenario_ids;
  for (const std::string& id : results.environment.scenarios) AppendUnique(scenario_ids, id);
  for (const RunResult& run : results.runs) {
    AppendUnique(aggregate.targets, run.target_name);
    AppendUnique(scenario_ids, run.scenario_id);
    ++aggregate.total_runs;
    if (IsFailure(run.status)) ++aggregate.failed_runs;
  }

  for (const std::string& id : scenario_ids) {
    ScenarioAggregate scenario;
    scenario.scenario_id = id;
    for (const std::string& target : aggregate.targets) {
      scenario.outcomes.push_back(ComputeOutcome(results.runs, id, target));
      Outcome& outcome = scenario.outcomes.back();
      if (auto info = results.environment.scenario_info.find(id);
          outcome.total == 0 && info != results.environment.scenario_info.end()) {
        const auto& excluded = info->second.unsupported;
        outcome.unsupported = std::find(excluded.begin(), excluded.end(), target) != excluded.end();
      }
    }
    for (std::size_t i = 1; i < scenario.outcomes.size(); ++i) {
      Verdict verdict = CompareOutcomes(scenario.outcomes.front(), scenario.outcomes[i]);
      ++aggregate.verdict_counts[static_cast<std::size_t>(verdict.kind)];
      if (verdict.intermittent) ++aggregate.intermittent_regressions;
      scenario.verdicts.push_back(std::move(verdict));
    }
    aggregate.scenarios.push_back(std::move(scenario));
  }
  return aggregate;
}

}  // namespace dspy_compat
