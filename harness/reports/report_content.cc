#include "reports/report_content.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <dtl/dtl.hpp>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace dspy_compat {

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  return fmt::format("{}", fmt::join(parts, separator));
}

namespace {

template <typename T>
void AppendUnique(std::vector<T>& items, const T& item) {
  if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
}

std::string Plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// Targets the scenario's REQUIRES excluded (no runs, by design) are left
// out; at least one pair must have run. Other pairs without runs count
// against it: missing runs are not a pass.
bool PassesEverywhere(const ScenarioAggregate& scenario,
                      const std::vector<std::string>& unsupported = {}) {
  auto excluded = [&](const Outcome& o) {
    return o.total == 0 &&
           std::find(unsupported.begin(), unsupported.end(), o.target_name) != unsupported.end();
  };
  return std::any_of(scenario.outcomes.begin(), scenario.outcomes.end(),
                     [](const Outcome& o) { return o.total > 0; }) &&
         std::all_of(scenario.outcomes.begin(), scenario.outcomes.end(), [&](const Outcome& o) {
           return excluded(o) || o.classification == Classification::kPass;
         });
}

bool HasVerdict(const ScenarioAggregate& scenario, VerdictKind kind) {
  return std::any_of(scenario.verdicts.begin(), scenario.verdicts.end(),
                     [&](const Verdict& v) { return v.kind == kind; });
}

// Sections in the order a reviewer wants them: what broke first.
int Rank(const PatternSection& section) {
  const ScenarioAggregate& s = section.scenario;
  bool gate_regression =
      std::any_of(section.checks.begin(), section.checks.end(),
                  [](const PairCheck& c) { return c.status == PairStatus::kRegression; });
  if (HasVerdict(s, VerdictKind::kRegression) || HasVerdict(s, VerdictKind::kBehaviourChange) ||
      HasVerdict(s, VerdictKind::kUnresolved) || gate_regression) {
    return 0;
  }
  if (HasVerdict(s, VerdictKind::kFlaky)) return 1;
  if (!PassesEverywhere(s, section.info.unsupported) && !HasVerdict(s, VerdictKind::kFixed)) {
    return 2;
  }
  if (HasVerdict(s, VerdictKind::kFixed)) return 3;
  return 4;
}

std::string Headline(const ScenarioAggregate& scenario,
                     const std::vector<std::string>& unsupported) {
  if (scenario.outcomes.empty()) return "no runs";
  if (PassesEverywhere(scenario, unsupported) &&
      !HasVerdict(scenario, VerdictKind::kBehaviourChange)) {
    return "passes everywhere";
  }
  bool all_fail =
      std::all_of(scenario.outcomes.begin(), scenario.outcomes.end(),
                  [](const Outcome& o) { return o.classification == Classification::kFail; });
  if (scenario.verdicts.empty()) {
    return std::string(ClassificationName(scenario.outcomes.front().classification));
  }
  std::vector<std::string> parts;
  for (const Verdict& verdict : scenario.verdicts) {
    std::string text(VerdictName(verdict.kind));
    text += VerdictNote(verdict);
    if (verdict.kind == VerdictKind::kUnchanged && all_fail) text += " (fails on every target)";
    if (scenario.verdicts.size() > 1) text += " on " + verdict.target_name;
    parts.push_back(text);
  }
  return Join(parts, ", ");
}

std::vector<Diagnosis> DiagnoseScenario(const Results& results, const ScenarioAggregate& scenario,
                                        const KnowledgeBase& knowledge) {
  std::vector<Diagnosis> diagnoses;
  for (const Outcome& outcome : scenario.outcomes) {
    const std::string version = TargetDspyVersion(results, outcome.target_name);
    for (const SignatureCount& signature : outcome.signatures) {
      const KnownChange* change = knowledge.Diagnose(signature.signature, version);
      auto same = [&](const Diagnosis& d) {
        return change != nullptr
                   ? d.change == change
                   : d.change == nullptr && d.signatures.front() == signature.signature;
      };
      auto it = std::find_if(diagnoses.begin(), diagnoses.end(), same);
      if (it == diagnoses.end()) {
        diagnoses.push_back({change, {}, {}, 0});
        it = std::prev(diagnoses.end());
      }
      AppendUnique(it->signatures, signature.signature);
      AppendUnique(it->targets, outcome.target_name);
      it->count += signature.count;
    }
  }
  // Explained failures first: they carry a cause and a remedy.
  std::stable_sort(diagnoses.begin(), diagnoses.end(), [](const Diagnosis& a, const Diagnosis& b) {
    return (a.change != nullptr) > (b.change != nullptr);
  });
  return diagnoses;
}

// Per target, the distinct values of one aspect of the LM traffic.
using TrafficAspect = std::vector<std::string> (*)(const RunResult&);
constexpr std::string_view kCallsAspect = "LM calls per passing run";

std::vector<TrafficDifference> TrafficDifferences(const Results& results,
                                                  const Aggregate& aggregate) {
  struct Aspect {
    std::string_view name;
    TrafficAspect values;
  };
  const Aspect aspects[] = {
      {"models", [](const RunResult& r) { return r.models; }},
      {kCallsAspect,
       [](const RunResult& r) {
         // A failed run stops early; its call count says how far it got.
         return r.status == Status::kPass ? std::vector<std::string>{std::to_string(r.lm_requests)}
                                          : std::vector<std::string>{};
       }},
      {"prompt formats", [](const RunResult& r) { return r.lm_traffic->adapters; }},
      {"request parameters", [](const RunResult& r) { return r.lm_traffic->parameters; }},
      {"prompts", [](const RunResult& r) { return r.lm_traffic->prompts; }},
      {"system prompts",
       [](const RunResult& r) {
         std::vector<std::string> short_hashes;
         for (const std::string& h : r.lm_traffic->system_prompts) {
           short_hashes.push_back(h.substr(0, 8));
         }
         return short_hashes;
       }},
  };
  std::vector<TrafficDifference> differences;
  for (const ScenarioAggregate& scenario : aggregate.scenarios) {
    for (const Aspect& aspect : aspects) {
      std::vector<std::set<std::string>> seen(aggregate.targets.size());
      std::vector<bool> has(aggregate.targets.size(), false);
      for (const RunResult& run : results.runs) {
        // A run that failed before its first LM call says nothing about traffic.
        if (run.scenario_id != scenario.scenario_id || !run.lm_traffic ||
            run.status == Status::kError || run.lm_requests == 0) {
          continue;
        }
        auto t = static_cast<std::size_t>(
            std::find(aggregate.targets.begin(), aggregate.targets.end(), run.target_name) -
            aggregate.targets.begin());
        std::vector<std::string> values = aspect.values(run);
        // Call counts come from passing runs only: a target none of whose
        // runs passed has nothing to compare (its failure is reported above).
        if (values.empty() && aspect.name == kCallsAspect) continue;
        has[t] = true;
        for (const std::string& value : values) seen[t].insert(value);
      }
      std::vector<std::size_t> with_data;
      for (std::size_t t = 0; t < has.size(); ++t) {
        if (has[t]) with_data.push_back(t);
      }
      bool differ = std::any_of(with_data.begin(), with_data.end(),
                                [&](std::size_t t) { return seen[t] != seen[with_data.front()]; });
      if (!differ) continue;
      TrafficDifference difference{scenario.scenario_id, std::string(aspect.name), {}, {}};
      const bool prompts = aspect.name == "prompts";
      for (std::size_t t = 0; t < seen.size(); ++t) {
        std::vector<std::string> values(seen[t].begin(), seen[t].end());
        if (prompts) {
          // The texts go in the diffs; the table says how many there were.
          difference.per_target.push_back(has[t] ? fmt::format("{} distinct", values.size()) : "");
          std::vector<std::string> base(seen[with_data.front()].begin(),
                                        seen[with_data.front()].end());
          difference.diffs.push_back(has[t] && t != with_data.front()
                                         ? PromptDiff(base, values,
                                                      aggregate.targets[with_data.front()],
                                                      aggregate.targets[t])
                                         : "");
          continue;
        }
        difference.per_target.push_back(has[t] ? (values.empty() ? "none" : Join(values, ", "))
                                               : "");
      }
      differences.push_back(std::move(difference));
    }
  }
  return differences;
}

// The most frequent failure signature among the given pairs.
std::string TopSignature(const std::vector<const Outcome*>& outcomes) {
  std::map<std::string, int> counts;
  for (const Outcome* o : outcomes) {
    for (const SignatureCount& s : o->signatures) counts[s.signature] += s.count;
  }
  std::string top;
  int most = 0;
  for (const auto& [signature, count] : counts) {
    if (count > most) {
      top = signature;
      most = count;
    }
  }
  return top;
}

// A migrated variant counts only when it passes and behaves alike everywhere.
bool Verified(const ScenarioAggregate& scenario, const ScenarioInfo& info) {
  return PassesEverywhere(scenario, info.unsupported) &&
         !HasVerdict(scenario, VerdictKind::kBehaviourChange);
}

std::string TargetList(const std::vector<std::string>& targets) {
  if (targets.size() <= 1) return Join(targets, "");
  std::vector<std::string> head(targets.begin(), targets.end() - 1);
  return Join(head, ", ") + " and " + targets.back();
}

// Scenarios with a run that could not start, each with where, why, and the fix.
std::vector<std::string> UnresolvedClauses(const Aggregate& aggregate) {
  std::vector<std::string> clauses;
  for (const ScenarioAggregate& scenario : aggregate.scenarios) {
    std::vector<std::string> targets;
    std::string signature;
    for (const Outcome& o : scenario.outcomes) {
      if (o.Count(Status::kUnresolved) == 0) continue;
      targets.push_back(o.target_name);
      if (signature.empty()) signature = o.signatures.empty() ? "" : o.signatures.front().signature;
    }
    if (targets.empty()) continue;
    clauses.push_back(fmt::format("{} could not start on {} ({}): {}",
                                  CodeSpan(scenario.scenario_id), TargetList(targets),
                                  CodeSpan(signature), UnresolvedFix(signature)));
  }
  return clauses;
}

// Scenarios that fail on the baseline target (not for want of starting):
// whatever the later targets do, the upgrade's effect on them is unknown.
std::string FailingOnBaseline(const Aggregate& aggregate) {
  std::vector<std::string> names;
  std::string signature;
  for (const ScenarioAggregate& scenario : aggregate.scenarios) {
    if (scenario.outcomes.empty() || HasVerdict(scenario, VerdictKind::kUnresolved)) continue;
    const Outcome& base = scenario.outcomes.front();
    if (base.failures == 0 || base.total == 0) continue;
    bool everywhere = std::all_of(scenario.outcomes.begin(), scenario.outcomes.end(),
                                  [](const Outcome& o) { return o.failures > 0; });
    if (!everywhere) continue;  // fixed later: reported as such
    names.push_back(CodeSpan(scenario.scenario_id));
    if (signature.empty() && !base.signatures.empty())
      signature = base.signatures.front().signature;
  }
  if (names.empty()) return "";
  return fmt::format("{} {} on {} ({}{}): fix {} to learn what the upgrade does to {}",
                     Plural(names.size(), "scenario", "scenarios"),
                     names.size() == 1 ? "fails" : "fail",
                     aggregate.targets.size() == 2 ? "both releases" : "every target",
                     Join(names, ", "), signature.empty() ? "" : "; first " + CodeSpan(signature),
                     names.size() == 1 ? "it" : "them", names.size() == 1 ? "it" : "them");
}

void DecideVerdict(const Results& results, const KnowledgeBase& knowledge, ReportContent& content) {
  const Aggregate& aggregate = content.aggregate;
  if (aggregate.targets.size() < 2) {
    content.verdict = UpgradeVerdict::kNotCompared;
    content.verdict_reason =
        aggregate.targets.empty()
            ? "Nothing ran, so there is no upgrade to judge."
            : fmt::format("Only {} ran; give two or more targets to compare an upgrade.",
                          aggregate.targets.front());
    return;
  }
  const std::string& first = aggregate.targets.front();
  if (content.gate.outcome == GateOutcome::kInfrastructure) {
    content.verdict = UpgradeVerdict::kInconclusive;
    std::string why =
        !content.gate.incomplete.empty()
            ? content.gate.incomplete.front()
            : Plural(static_cast<std::size_t>(content.gate.Count(PairStatus::kInfrastructure)),
                     "scenario/target pair", "scenario/target pairs") +
                  " had runs the harness could not run";
    content.verdict_reason =
        fmt::format("The results are incomplete ({}), so no verdict is drawn from them.", why);
    return;
  }
  // A scenario that never started was not judged: "safe" would be a guess.
  if (std::vector<std::string> clauses = UnresolvedClauses(aggregate); !clauses.empty()) {
    content.verdict = UpgradeVerdict::kInconclusive;
    std::size_t shown = std::min<std::size_t>(clauses.size(), 3);
    std::vector<std::string> head(clauses.begin(), clauses.begin() + static_cast<long>(shown));
    content.verdict_reason = fmt::format(
        "{}{}. {} unresolved, neither a pass nor a failure: no verdict until {} run.",
        Join(head, "; "),
        clauses.size() > shown ? fmt::format("; and {} more", clauses.size() - shown) : "",
        clauses.size() == 1 ? "Its result is" : "Their results are",
        clauses.size() == 1 ? "it can" : "they can");
    return;
  }
  std::size_t regressed = 0, changed = 0;
  std::vector<const Outcome*> regressed_outcomes;
  std::vector<std::string> regressed_targets;
  std::vector<std::pair<std::string, const BehaviourChange*>> behaviour;  // scenario, first change
  std::set<const KnownChange*> causes;
  bool all_explained = true;
  std::size_t verified = 0;
  const auto& infos = results.environment.scenario_info;
  // Every scenario counts, a migrated variant too: a rewrite that regresses
  // is a pattern that breaks.
  for (const ScenarioAggregate& scenario : aggregate.scenarios) {
    const bool regresses = HasVerdict(scenario, VerdictKind::kRegression);
    const bool behaves = HasVerdict(scenario, VerdictKind::kBehaviourChange);
    if (!regresses && !behaves) continue;
    if (regresses) {
      ++regressed;
    } else {
      ++changed;
    }
    for (const Verdict& verdict : scenario.verdicts) {
      if (verdict.kind == VerdictKind::kBehaviourChange && !regresses) {
        for (const BehaviourChange& c : verdict.changes) {
          if (c.prompt_text_only) continue;
          if (behaviour.empty() || behaviour.back().first != scenario.scenario_id) {
            behaviour.emplace_back(scenario.scenario_id, &c);
          }
        }
      }
      if (verdict.kind != VerdictKind::kRegression) continue;
      AppendUnique(regressed_targets, verdict.target_name);
      for (const Outcome& o : scenario.outcomes) {
        if (o.target_name == verdict.target_name) regressed_outcomes.push_back(&o);
      }
    }
    if (regresses) {
      for (const Diagnosis& d : DiagnoseScenario(results, scenario, knowledge)) {
        if (d.targets.size() == 1 && d.targets.front() == first) continue;
        if (d.change == nullptr) {
          all_explained = false;
        } else {
          causes.insert(d.change);
        }
      }
    }
    bool has_verified_rewrite =
        std::any_of(aggregate.scenarios.begin(), aggregate.scenarios.end(),
                    [&](const ScenarioAggregate& other) {
                      auto it = infos.find(other.scenario_id);
                      return it != infos.end() && it->second.migration_of == scenario.scenario_id &&
                             Verified(other, it->second);
                    });
    if (has_verified_rewrite) ++verified;
  }
  const std::string baseline_failures = FailingOnBaseline(aggregate);
  const std::string also = baseline_failures.empty() ? "" : "; " + baseline_failures;
  if (regressed == 0 && changed == 0) {
    content.verdict = UpgradeVerdict::kSafe;
    std::vector<std::string> others(aggregate.targets.begin() + 1, aggregate.targets.end());
    content.verdict_reason = fmt::format(
        "No scenario does worse on {} than on {} ({}, {}){}{}.", Join(others, ", "), first,
        Plural(aggregate.scenarios.size(), "scenario", "scenarios"),
        Plural(static_cast<std::size_t>(aggregate.total_runs), "run", "runs"),
        aggregate.Count(VerdictKind::kFlaky) > 0
            ? fmt::format("; {} fail intermittently on both sides",
                          Plural(static_cast<std::size_t>(aggregate.Count(VerdictKind::kFlaky)),
                                 "scenario", "scenarios"))
            : "",
        also);
    return;
  }
  // What broke, in one sentence per kind: failures, then silent changes.
  std::vector<std::string> findings;
  if (regressed > 0) {
    // One sentence can name the cause when a single DSPy change explains all.
    std::set<std::string_view> cause_texts;
    for (const KnownChange* change : causes) cause_texts.insert(change->cause);
    std::string explained;
    if (all_explained && cause_texts.size() == 1) {
      explained =
          fmt::format(", {} by {}", regressed == 1 ? "caused" : "all caused", *cause_texts.begin());
    }
    // The cause is named when no verified rewrite makes the upgrade safe anyway.
    findings.push_back(
        fmt::format("{} that {} on {} {} on {} ({}){}", Plural(regressed, "pattern", "patterns"),
                    regressed == 1 ? "passes" : "pass", first, regressed == 1 ? "fails" : "fail",
                    Join(regressed_targets, ", "), CodeSpan(TopSignature(regressed_outcomes)),
                    verified == regressed + changed ? "" : explained));
  }
  if (changed > 0 && !behaviour.empty()) {
    const auto& [scenario, change] = behaviour.front();
    findings.push_back(changed == 1
                           ? fmt::format("{} passes everywhere but behaves differently: {}",
                                         CodeSpan(scenario), change->detail)
                           : fmt::format("{} pass everywhere but behave differently, e.g. {}: {}",
                                         Plural(changed, "pattern", "patterns"), CodeSpan(scenario),
                                         change->detail));
  }
  const std::size_t broken = regressed + changed;
  if (verified == broken) {
    content.verdict = UpgradeVerdict::kSafeWithChanges;
    content.verdict_reason = fmt::format(
        "{}, and {} a migrated variant that passes{} on every target: apply the remediation{} "
        "below{}.",
        Join(findings, "; "), broken == 1 ? "it has" : "each has",
        changed > 0 ? " and behaves alike" : "", broken == 1 ? "" : "s", also);
    return;
  }
  content.verdict = UpgradeVerdict::kUnsafe;
  content.verdict_reason =
      fmt::format("{}; {} of {} {} a verified migrated variant{}.", Join(findings, "; "), verified,
                  broken, verified == 1 ? "has" : "have", also);
}

}  // namespace

std::string VerdictNote(const Verdict& verdict) {
  // Below this a difference as large is unlikely by chance alone; the usual
  // level, and the one `run` separates the targets to (DefaultRunRepeat).
  constexpr double kChanceLevel = 0.05;
  std::vector<std::string> parts;
  if (verdict.intermittent) parts.emplace_back("intermittent");
  // A regression that fails every run is left as it is: at a few runs it
  // could be chance too, but such failures are as a rule deterministic.
  const bool shown =
      verdict.chance && (verdict.intermittent || verdict.kind == VerdictKind::kFixed);
  const bool could_be_chance = shown && *verdict.chance >= kChanceLevel;
  if (shown) {
    std::string digits = fmt::format("{:.2g}", *verdict.chance);
    // 0.0498 is not "0.05": a reader compares it with the level.
    if ((std::stod(digits) >= kChanceLevel) != could_be_chance) {
      digits = fmt::format("{:.3g}", *verdict.chance);
    }
    std::string p = *verdict.chance < 0.001 ? std::string("p < 0.001") : "p = " + digits;
    if (could_be_chance) {
      auto times = [](int n) { return n == 1 ? std::string("once") : fmt::format("{} times", n); };
      p += verdict.baseline_runs == verdict.later_runs
               ? fmt::format(": could be chance; both sides ran {}", times(verdict.later_runs))
               : fmt::format(": could be chance; the sides ran {} and {}", verdict.baseline_runs,
                             times(verdict.later_runs));
    }
    parts.push_back(std::move(p));
  }
  return parts.empty() ? "" : " (" + Join(parts, ", ") + ")";
}

std::string_view UpgradeVerdictName(UpgradeVerdict verdict) {
  switch (verdict) {
    case UpgradeVerdict::kSafe:
      return "safe";
    case UpgradeVerdict::kSafeWithChanges:
      return "safe-with-changes";
    case UpgradeVerdict::kUnsafe:
      return "unsafe";
    case UpgradeVerdict::kInconclusive:
      return "inconclusive";
    case UpgradeVerdict::kNotCompared:
      return "not-compared";
  }
  return "inconclusive";
}

std::string_view UpgradeVerdictTitle(UpgradeVerdict verdict) {
  switch (verdict) {
    case UpgradeVerdict::kSafe:
      return "Safe to upgrade";
    case UpgradeVerdict::kSafeWithChanges:
      return "Safe to upgrade with changes";
    case UpgradeVerdict::kUnsafe:
      return "Unsafe to upgrade as written";
    case UpgradeVerdict::kInconclusive:
      return "Inconclusive";
    case UpgradeVerdict::kNotCompared:
      return "No upgrade compared";
  }
  return "Inconclusive";
}

std::string CodeSpan(std::string_view text) {
  std::string span = "`";
  for (char c : text) span += c == '`' ? '\'' : c;
  return span + "`";
}

std::string FailureRateText(const Outcome& outcome) {
  return fmt::format("{:.0f}% fail, 95% CI {:.0f}–{:.0f}%", outcome.failure_rate * 100,
                     outcome.failure_interval.low * 100, outcome.failure_interval.high * 100);
}

std::string PassCountText(const Outcome& outcome) {
  if (outcome.total == 0) return "no runs";
  if (outcome.failures > 0) return fmt::format("{}/{} pass", outcome.Passes(), outcome.total);
  // What a pass is worth: runs without a failure, and how many of them tried
  // other LM response orders than the natural delays give.
  std::string explored = outcome.explored == 0 ? "none explored"
                         : outcome.explored == outcome.total
                             ? "all explored"
                             : fmt::format("{} explored", outcome.explored);
  return fmt::format("no failure in {} run{}, {}", outcome.total, outcome.total == 1 ? "" : "s",
                     explored);
}

std::string OutcomeSummary(const Outcome& outcome) {
  if (outcome.unsupported) return "unsupported (REQUIRES)";
  if (outcome.total == 0) return "no runs";
  std::string text = fmt::format("{}/{} pass", outcome.Passes(), outcome.total);
  // Failures that are not the program raising are named: they mean other things.
  for (Status s : {Status::kTimeout, Status::kCrash, Status::kError, Status::kUnresolved}) {
    if (int n = outcome.Count(s); n > 0) text += fmt::format(", {} {}", n, StatusName(s));
  }
  if (outcome.classification == Classification::kFlaky) {
    text += fmt::format(" ({})", FailureRateText(outcome));
  }
  return text;
}

std::string PromptDiff(const std::vector<std::string>& from, const std::vector<std::string>& to,
                       std::string_view from_name, std::string_view to_name) {
  if (from == to) return "";
  auto lines = [](const std::vector<std::string>& prompts) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      out.push_back(fmt::format("=== prompt {} ===", i + 1));
      std::istringstream in(prompts[i]);
      for (std::string line; std::getline(in, line);) out.push_back(line);
    }
    return out;
  };
  std::vector<std::string> a = lines(from), b = lines(to);
  dtl::Diff<std::string, std::vector<std::string>> diff(a, b);
  diff.compose();
  diff.composeUnifiedHunks();
  std::ostringstream out;
  out << "--- " << from_name << "\n+++ " << to_name << "\n";
  diff.printUnifiedFormat(out);
  return out.str();
}

std::string_view PairStatusText(PairStatus status) {
  switch (status) {
    case PairStatus::kAsExpected:
      return "as expected";
    case PairStatus::kRegression:
      return "regression";
    case PairStatus::kUnexpectedPass:
      return "unexpected pass";
    case PairStatus::kInfrastructure:
      return "infrastructure error";
    case PairStatus::kNotRun:
      return "not run";
    case PairStatus::kUnsupported:
      return "unsupported";
    case PairStatus::kBehaviourChange:
      return "behaviour change";
    case PairStatus::kUnresolved:
      return "unresolved";
  }
  return "not run";
}

std::string ExpectationText(const PairCheck& check) {
  if (check.status == PairStatus::kInfrastructure || check.status == PairStatus::kNotRun ||
      check.status == PairStatus::kUnsupported || check.status == PairStatus::kUnresolved) {
    return "";
  }
  std::string_view source = check.source == ExpectationSource::kHeader         ? "EXPECT"
                            : check.source == ExpectationSource::kBaselineFile ? "baseline file"
                                                                               : "default";
  return fmt::format("{} ({})", ExpectationName(check.expected), source);
}

std::string UnresolvedFix(std::string_view signature) {
  auto starts = [&](std::string_view prefix) { return signature.rfind(prefix, 0) == 0; };
  if (starts("SyntaxError") || starts("IndentationError") || starts("TabError")) {
    return "fix the syntax error, then run it again";
  }
  if (starts("ModuleNotFoundError") || starts("ImportError")) {
    // "No module named 'myapp'": name the module when the message does.
    std::string module;
    if (auto at = signature.find("named '"); at != std::string_view::npos) {
      auto name = signature.substr(at + 7);
      module = std::string(name.substr(0, name.find('\'')));
    }
    return fmt::format(
        "install {} in every target environment (its requirements, or a `python:` target that "
        "has it) or put it beside the scenario, then run it again",
        module.empty() ? std::string("what it imports") : CodeSpan(module));
  }
  if (starts("FileNotFoundError")) {
    return "each run starts in a fresh, empty working folder: open the file relative to the "
           "scenario (`Path(__file__).parent`) or by an absolute path, then run it again";
  }
  return "make it start on every target, then run it again";
}

std::string SandboxText(const Results& results) {
  std::map<std::string, int> runs_by_label;
  bool recorded = false;
  for (const RunResult& run : results.runs) {
    ++runs_by_label[run.sandbox];
    recorded = recorded || !run.sandbox.empty();
  }
  if (!recorded) return "";
  std::vector<std::pair<std::string, int>> labels(runs_by_label.begin(), runs_by_label.end());
  std::stable_sort(labels.begin(), labels.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  const std::size_t total = results.runs.size();
  std::vector<std::string> parts;
  bool no_namespaces = false, no_pidns = false, no_netns = false, home_visible = false;
  for (const auto& [label, count] : labels) {
    std::string name = label.empty() ? std::string("not recorded") : CodeSpan(label);
    parts.push_back(labels.size() > 1 ? fmt::format("{} ({} of {} runs)", name, count, total)
                    : total == 1      ? fmt::format("{} (the one run)", name)
                                      : fmt::format("{} (all {} runs)", name, count));
    if (label.empty()) continue;
    if (label == "process-group") {
      no_namespaces = true;
      continue;
    }
    no_pidns = no_pidns || label.starts_with("bwrap-no-pidns");
    no_netns = no_netns || label.find("+netns") == std::string::npos;
    home_visible = home_visible || label.find("+nohome") == std::string::npos;
  }
  // Why runs had less than the whole sandbox, as far as the file tells: the
  // command line says what was asked for, the labels what the machine gave.
  const std::string& command = results.environment.command_line;
  std::vector<std::string> why;
  if (no_namespaces) {
    why.push_back(command.find("--sandbox none") != std::string::npos ||
                          command.find("--sandbox=none") != std::string::npos
                      ? "`process-group`: `--sandbox none` was asked for"
                      : "`process-group`: bubblewrap or namespaces were missing here");
  }
  if (no_pidns) {
    why.push_back("`bwrap-no-pidns`: a warm interpreter could not give its runs PID namespaces");
  }
  if (no_netns) {
    why.push_back(
        "no `netns`: no loopback-only network namespace (it needs root); egress past loopback "
        "was refused by the runner's audit hook only");
  }
  if (home_visible) {
    why.push_back(command.find("--pass-home") != std::string::npos
                      ? "no `nohome`: `--pass-home` left the home visible"
                      : "no `nohome`: the home was left visible");
  }
  std::string text = Join(parts, ", ");
  if (!why.empty()) text += "; " + Join(why, "; ");
  return text;
}

std::string RepeatText(const RunEnvironment& env) {
  if (env.max_repeat > 0) return fmt::format("adaptive {}..{}", env.min_repeat, env.max_repeat);
  return std::to_string(env.repeat);
}

std::string TargetDspyVersion(const Results& results, const std::string& target) {
  for (const TargetInfo& t : results.environment.targets) {
    if (t.name == target && !t.dspy_version.empty()) return t.dspy_version;
  }
  std::map<std::string, int> imported;
  for (const RunResult& run : results.runs) {
    if (run.target_name == target && !run.dspy_version.empty()) ++imported[run.dspy_version];
  }
  std::string best;
  int most = 0;
  for (const auto& [version, count] : imported) {
    if (count > most) {
      best = version;
      most = count;
    }
  }
  return best;
}

ReportContent BuildReportContent(const Results& results, const KnowledgeBase& knowledge) {
  ReportContent content;
  content.aggregate = AggregateResults(results);
  content.gate = EvaluateGate(results);
  const auto& summaries = results.environment.scenario_summaries;
  const auto& infos = results.environment.scenario_info;
  auto summary_of = [&](const std::string& id) {
    auto it = summaries.find(id);
    return it == summaries.end() ? std::string() : it->second;
  };
  auto present = [&](const std::string& id) {
    return std::any_of(content.aggregate.scenarios.begin(), content.aggregate.scenarios.end(),
                       [&](const ScenarioAggregate& s) { return s.scenario_id == id; });
  };
  auto migration_of = [&](const std::string& id) {
    auto it = infos.find(id);
    return it == infos.end() ? std::string() : it->second.migration_of;
  };

  std::size_t check_index = 0;
  std::vector<std::vector<PairCheck>> checks_by_scenario;
  for (const ScenarioAggregate& scenario : content.aggregate.scenarios) {
    std::vector<PairCheck> checks;
    for (std::size_t i = 0; i < scenario.outcomes.size(); ++i) {
      checks.push_back(content.gate.checks[check_index++]);
    }
    checks_by_scenario.push_back(std::move(checks));
  }

  std::vector<PatternSection> sections;
  for (std::size_t i = 0; i < content.aggregate.scenarios.size(); ++i) {
    const ScenarioAggregate& scenario = content.aggregate.scenarios[i];
    // A migrated variant is shown with the pattern it rewrites.
    if (std::string of = migration_of(scenario.scenario_id); !of.empty() && present(of)) continue;
    PatternSection section;
    section.scenario = scenario;
    section.summary = summary_of(scenario.scenario_id);
    if (auto it = infos.find(scenario.scenario_id); it != infos.end()) section.info = it->second;
    section.checks = checks_by_scenario[i];
    section.headline = Headline(scenario, section.info.unsupported);
    section.changed = !PassesEverywhere(scenario, section.info.unsupported) ||
                      HasVerdict(scenario, VerdictKind::kBehaviourChange);
    for (const Outcome& o : scenario.outcomes) {
      if (o.Count(Status::kUnresolved) > 0 && section.unresolved.empty() && !o.signatures.empty()) {
        section.unresolved = UnresolvedFix(o.signatures.front().signature);
      }
    }
    section.diagnoses = DiagnoseScenario(results, scenario, knowledge);
    for (const ChangedCode& code : results.changed_code) {
      if (code.scenario_id == scenario.scenario_id) section.changed_code.push_back(code);
    }
    for (const ScenarioAggregate& other : content.aggregate.scenarios) {
      auto info = infos.find(other.scenario_id);
      bool migrates = info != infos.end() && info->second.migration_of == scenario.scenario_id;
      bool forces = info != infos.end() && info->second.forces == scenario.scenario_id;
      if (!migrates && !forces) continue;
      VariantResult variant;
      variant.scenario_id = other.scenario_id;
      variant.summary = summary_of(other.scenario_id);
      variant.excerpt = info->second.excerpt;
      variant.outcomes = other.outcomes;
      variant.verified = Verified(other, info->second);
      (forces ? section.forced : section.migrations).push_back(std::move(variant));
    }
    sections.push_back(std::move(section));
  }
  std::stable_sort(
      sections.begin(), sections.end(),
      [](const PatternSection& a, const PatternSection& b) { return Rank(a) < Rank(b); });
  content.patterns = std::move(sections);
  content.has_traffic = std::any_of(results.runs.begin(), results.runs.end(),
                                    [](const RunResult& r) { return r.lm_traffic.has_value(); });
  if (content.has_traffic) {
    content.traffic_differences = TrafficDifferences(results, content.aggregate);
  }
  DecideVerdict(results, knowledge, content);
  return content;
}

std::string ChangedCodeSummary(const ChangedCode& code) {
  const std::string pair =
      fmt::format("{} → {}", CodeSpan(code.baseline_target), CodeSpan(code.target_name));
  if (!code.error.empty()) return fmt::format("{}: not found: {}", pair, CodeSpan(code.error));
  if (code.hunks.empty()) {
    return fmt::format(
        "{}: none of the {} changed hunks (in {} of {} files) ran in a traced rerun on either "
        "side",
        pair, code.hunks_changed, code.files_changed, code.files_compared);
  }
  return fmt::format(
      "{}: {} of {} changed hunks (in {} of {} files) ran in a traced rerun on either side; "
      "those in files on the failing traceback first",
      pair, code.hunks.size(), code.hunks_changed, code.files_changed, code.files_compared);
}

std::string HunkHeader(const ChangedHunk& hunk) {
  return fmt::format("@@ -{},{} +{},{} @@", hunk.old_start, hunk.old_lines, hunk.new_start,
                     hunk.new_lines);
}

std::string HunkRan(const ChangedHunk& hunk, const ChangedCode& code) {
  auto side = [](const std::string& target, const std::vector<int>& lines) {
    std::vector<std::string> numbers;
    for (int n : lines) numbers.push_back(std::to_string(n));
    return fmt::format("{} (line{} {})", target, lines.size() == 1 ? "" : "s", Join(numbers, ", "));
  };
  std::vector<std::string> sides;
  if (!hunk.executed_old.empty()) sides.push_back(side(code.baseline_target, hunk.executed_old));
  if (!hunk.executed_new.empty()) sides.push_back(side(code.target_name, hunk.executed_new));
  return fmt::format("{}ran on {}", hunk.on_traceback ? "on the traceback; " : "",
                     Join(sides, " and "));
}

std::string ChangedCodeText(const ChangedCode& code) {
  std::string out = "Changed DSPy code it ran: " + ChangedCodeSummary(code) + "\n";
  for (std::size_t i = 0; i < code.hunks.size() && i < kChangedHunksShown; ++i) {
    const ChangedHunk& h = code.hunks[i];
    out += fmt::format("{} {} ({})\n", h.file, HunkHeader(h), HunkRan(h, code));
    for (const std::string& line : h.lines) out += "  " + line + "\n";
  }
  if (code.hunks.size() > kChangedHunksShown) {
    out += fmt::format("and {} more in results.json\n", code.hunks.size() - kChangedHunksShown);
  }
  return out;
}

}  // namespace dspy_compat
