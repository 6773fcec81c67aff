#include "runner/bisect.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>

namespace dspy_compat {

namespace {

bool Separated(const Interval& a, const Interval& b) { return a.low > b.high || a.high < b.low; }

int Percent(double x) { return static_cast<int>(std::lround(100 * x)); }

}  // namespace

std::string DescribeCounts(const Outcome& outcome) {
  const int passes = outcome.Passes();
  if (outcome.total == 0) return "has no runs";
  if (passes == outcome.total) return fmt::format("passes {}/{}", passes, outcome.total);
  if (outcome.failures == outcome.total) {
    return fmt::format("fails {}/{}", outcome.failures, outcome.total);
  }
  return fmt::format("fails {}/{} ({}%, 95% {}-{}%)", outcome.failures, outcome.total,
                     Percent(outcome.failure_rate), Percent(outcome.failure_interval.low),
                     Percent(outcome.failure_interval.high));
}

StepDecision DecideStep(const Outcome& good, const Outcome& step, const AdaptiveRepeat& policy) {
  if (step.total < policy.min_runs) {
    return {StepFinding::kUndecided, policy.min_runs - step.total, ""};
  }
  const Verdict verdict = CompareOutcomes(good, step);
  if (verdict.kind == VerdictKind::kUnresolved) {
    return {
        StepFinding::kUndecided, 0,
        "a run could not start (" +
            (step.signatures.empty() ? std::string("unresolved") : step.signatures[0].signature) +
            "): no outcome to compare"};
  }
  if (verdict.kind == VerdictKind::kBehaviourChange) {
    for (const BehaviourChange& change : verdict.changes) {
      if (change.prompt_text_only) continue;
      return {StepFinding::kChanged, 0,
              fmt::format("{}, as the good release does, but its {} differ: {}",
                          DescribeCounts(step), change.aspect, change.detail)};
    }
  }
  if (Separated(step.failure_interval, good.failure_interval)) {
    return {StepFinding::kChanged, 0,
            fmt::format("{}; the good release {}", DescribeCounts(step), DescribeCounts(good))};
  }
  int more = MoreRunsNeeded(policy, step.total, step.failures);
  const bool alike =
      verdict.kind == VerdictKind::kUnchanged || (good.classification == Classification::kFlaky &&
                                                  step.classification == Classification::kFlaky);
  if (more == 0 && alike) {
    return {StepFinding::kSameAsGood, 0,
            fmt::format("{}, as the good release {}", DescribeCounts(step), DescribeCounts(good))};
  }
  // Settled on its own, but unlike the good release without separating
  // from it: only more runs can tell.
  if (more == 0) more = std::min(policy.max_runs - step.total, policy.min_runs);
  if (more > 0) return {StepFinding::kUndecided, more, ""};
  return {StepFinding::kUndecided, 0,
          fmt::format("{} and the good release {} overlap after {} runs (the limit)",
                      DescribeCounts(step), DescribeCounts(good), step.total)};
}

Bisection::Bisection(std::vector<Candidate> candidates, AdaptiveRepeat policy, Measure measure,
                     OnStep on_step)
    : candidates_(std::move(candidates)),
      policy_(policy),
      measure_(std::move(measure)),
      on_step_(std::move(on_step)) {}

Outcome Bisection::OutcomeOf(std::size_t release) const {
  const std::string& name = candidates_[release].target_name;
  std::string scenario;
  for (const RunResult& run : runs_) {
    if (run.target_name == name) {
      scenario = run.scenario_id;
      break;
    }
  }
  return ComputeOutcome(runs_, scenario, name);
}

bool Bisection::MeasureMore(std::size_t release, int count, const std::atomic<bool>& cancel) {
  if (cancel.load()) {
    failure_ = "interrupted";
    return false;
  }
  const int first = OutcomeOf(release).total + 1;
  std::vector<RunResult> more;
  try {
    more = measure_(release, first, count);
  } catch (const std::exception& e) {
    failure_ = fmt::format("{}: {}", candidates_[release].label, e.what());
    return false;
  }
  const bool complete = static_cast<int>(more.size()) == count;
  runs_.insert(runs_.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  if (!complete || cancel.load()) {
    failure_ = "interrupted";
    return false;
  }
  return true;
}

StepFinding Bisection::Probe(std::size_t release, const std::atomic<bool>& cancel,
                             BisectAnswer& answer) {
  const Outcome good = OutcomeOf(0);
  while (true) {
    const Outcome step = OutcomeOf(release);
    StepDecision decision = DecideStep(good, step, policy_);
    if (decision.more_runs > 0) {
      if (!MeasureMore(release, decision.more_runs, cancel)) return StepFinding::kUndecided;
      continue;
    }
    BisectStep done{release, decision.finding, decision.reason};
    answer.steps.push_back(done);
    if (on_step_) on_step_(done, step);
    return decision.finding;
  }
}

BisectAnswer Bisection::Run(const std::atomic<bool>& cancel) {
  BisectAnswer answer;
  const std::size_t n = candidates_.size();
  auto stop = [&](BisectAnswer::Kind kind) {
    answer.kind = failure_.empty() ? kind : BisectAnswer::Kind::kInterrupted;
    Summarise(answer);
    return answer;
  };
  if (n < 2) {
    failure_ = "bisect needs a good and a later bad release";
    return stop(BisectAnswer::Kind::kInterrupted);
  }
  // The good release is measured until its own outcome is settled: every
  // step is compared with it.
  for (int more = policy_.min_runs; more > 0;) {
    if (!MeasureMore(0, more, cancel)) return stop(BisectAnswer::Kind::kInterrupted);
    const Outcome good = OutcomeOf(0);
    more = MoreRunsNeeded(policy_, good.total, good.failures);
  }
  const BisectStep first{0, StepFinding::kSameAsGood, DescribeCounts(OutcomeOf(0))};
  answer.steps.push_back(first);
  if (on_step_) on_step_(first, OutcomeOf(0));
  std::size_t lo = 0;  // behaves as the good release
  std::size_t hi = n - 1;
  StepFinding bad = Probe(n - 1, cancel, answer);
  if (!failure_.empty()) return stop(BisectAnswer::Kind::kInterrupted);
  if (bad == StepFinding::kUndecided) {
    answer.first_changed = n - 1;
    return stop(BisectAnswer::Kind::kUndecided);
  }
  if (bad == StepFinding::kSameAsGood) {
    // Exponential search from the good side: releases 1, 2, 4, 8, ...
    bool found = false;
    for (std::size_t i = 1; i < n - 1; i = std::min(2 * i, n - 1)) {
      StepFinding f = Probe(i, cancel, answer);
      if (!failure_.empty()) return stop(BisectAnswer::Kind::kInterrupted);
      if (f == StepFinding::kUndecided) {
        answer.last_same = lo;
        answer.first_changed = i;
        return stop(BisectAnswer::Kind::kUndecided);
      }
      if (f == StepFinding::kChanged) {
        hi = i;
        found = true;
        break;
      }
      lo = i;
      if (2 * i >= n - 1) break;
    }
    if (!found) {
      answer.last_same = n - 1;
      return stop(BisectAnswer::Kind::kNoChange);
    }
  }
  answer.changed_known = true;
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    StepFinding f = Probe(mid, cancel, answer);
    if (!failure_.empty()) break;
    if (f == StepFinding::kUndecided) {
      answer.last_same = lo;
      answer.first_changed = hi;
      return stop(BisectAnswer::Kind::kUndecided);
    }
    (f == StepFinding::kChanged ? hi : lo) = mid;
  }
  answer.last_same = lo;
  answer.first_changed = hi;
  return stop(BisectAnswer::Kind::kFound);
}

void Bisection::Summarise(BisectAnswer& answer) const {
  const auto label = [&](std::size_t i) { return candidates_[i].label; };
  const auto counts = [&](std::size_t i) { return DescribeCounts(OutcomeOf(i)); };
  switch (answer.kind) {
    case BisectAnswer::Kind::kFound:
      answer.summary = fmt::format("first changed in {}; {} {}, {} {}", label(answer.first_changed),
                                   label(answer.last_same), counts(answer.last_same),
                                   label(answer.first_changed), counts(answer.first_changed));
      break;
    case BisectAnswer::Kind::kNoChange: {
      std::string probed;
      for (const BisectStep& step : answer.steps) {
        probed += (probed.empty() ? "" : ", ") + label(step.release);
      }
      answer.summary = fmt::format(
          "no release probed behaves differently from {} ({}); probed {} of {} releases ({}), "
          "so a change undone before {} can still hide between them",
          label(0), counts(0), answer.steps.size(), candidates_.size(), probed,
          label(candidates_.size() - 1));
      break;
    }
    case BisectAnswer::Kind::kUndecided: {
      const BisectStep& last = answer.steps.back();  // the step that could not decide
      answer.summary = fmt::format(
          "cannot decide at {}: {}; the first change is after {}{}", label(last.release),
          last.reason, label(answer.last_same),
          answer.changed_known ? " and no later than " + label(answer.first_changed) : "");
      break;
    }
    case BisectAnswer::Kind::kInterrupted:
      answer.summary =
          fmt::format("stopped before an answer ({}); {} runs kept", failure_, runs_.size());
      break;
  }
}

}  // namespace dspy_compat
