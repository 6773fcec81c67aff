#include "reports/markdown_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <map>
#include <string_view>
#include <vector>

#include "results/aggregate.h"

namespace dspy_compat {
namespace {

// How much of an example traceback a reader needs: the end, where the
// exception and the frames that raised it are.
constexpr std::size_t kTracebackLines = 15;
// Keeps one pathological line (a repr of a whole prompt) from swamping a PR
// comment, which GitHub caps at 65,536 characters.
constexpr std::size_t kLineChars = 200;
constexpr std::string_view kNone = "—";

std::string Flatten(std::string_view text) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  return out;
}

// Plain text (scenario summaries, names) must not turn into markup:
// `__init__` would otherwise render as a bold "init".
std::string Escape(std::string_view text) {
  std::string out;
  for (char c : Flatten(text)) {
    if (std::string_view("\\`*_[]<>~&").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::size_t LongestBacktickRun(std::string_view text) {
  std::size_t longest = 0;
  std::size_t run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// A code span that survives backticks in its content (CommonMark: a longer
// delimiter run, padded with spaces).
std::string Code(std::string_view text) {
  std::string flat = Flatten(text);
  if (flat.empty()) return std::string(kNone);
  std::size_t longest = LongestBacktickRun(flat);
  std::string fence(longest + 1, '`');
  bool pad = longest > 0 || flat.front() == '`' || flat.back() == '`';
  return pad ? fence + " " + flat + " " + fence : fence + flat + fence;
}

// GFM splits table rows on every pipe, even inside code spans, and turns
// each "\|" back into "|" before reading the cell's inline content; so
// every pipe gets one backslash, whatever precedes it.
std::string Cell(std::string_view markdown) {
  std::string out;
  for (char c : markdown) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string Html(std::string_view text) {
  std::string out;
  for (char c : Flatten(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Percent(double fraction) { return fmt::format("{:.0f}%", fraction * 100); }

std::string FailureRate(const Outcome& outcome) {
  return fmt::format("{} fail, 95% CI {:.0f}–{}", Percent(outcome.failure_rate),
                     outcome.failure_interval.low * 100, Percent(outcome.failure_interval.high));
}

std::string OutcomeCell(const Outcome& outcome) {
  if (outcome.total == 0) return "no runs";
  std::string cell = fmt::format("{}/{} pass", outcome.Passes(), outcome.total);
  if (outcome.classification == Classification::kFlaky) {
    cell += fmt::format(" ({})", FailureRate(outcome));
  }
  return cell;
}

// Bold only in the table, where a regression must stand out among rows;
// a heading is bold already.
std::string VerdictText(const Verdict& verdict, bool bold) {
  std::string name(VerdictName(verdict.kind));
  if (verdict.kind != VerdictKind::kRegression) return name;
  if (bold) name = "**" + name + "**";
  return verdict.intermittent ? name + " (intermittent)" : name;
}

bool PassesEverywhere(const ScenarioAggregate& scenario) {
  return std::all_of(scenario.outcomes.begin(), scenario.outcomes.end(),
                     [](const Outcome& o) { return o.classification == Classification::kPass; });
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// A fence longer than any backtick run in the text, so the text cannot close it.
std::string Fence(std::string_view text) {
  return std::string(std::max<std::size_t>(3, LongestBacktickRun(text) + 1), '`');
}

struct Tail {
  std::string text;
  std::size_t shown = 0;
  std::size_t total = 0;
};

Tail LastLines(std::string_view text, std::size_t count) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string_view::npos) {
    lines.pop_back();
  }
  Tail tail;
  tail.total = lines.size();
  std::size_t first = lines.size() > count ? lines.size() - count : 0;
  tail.shown = lines.size() - first;
  for (std::size_t i = first; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.size() > kLineChars) {
      tail.text += std::string(line.substr(0, kLineChars)) + " …";
    } else {
      tail.text += line;
    }
    tail.text += '\n';
  }
  return tail;
}

void RenderExample(std::string& out, const Outcome& outcome) {
  bool traceback = !outcome.example_traceback.empty();
  Tail tail = LastLines(traceback ? outcome.example_traceback : outcome.example_output_tail,
                        kTracebackLines);
  if (tail.total == 0) return;
  std::string what = traceback ? "Example traceback" : "Output tail";
  std::string extent;
  if (!traceback) {
    extent = " (no traceback)";
  } else if (tail.shown < tail.total) {
    extent = fmt::format(" (last {} of {} lines)", tail.shown, tail.total);
  }
  std::string fence = Fence(tail.text);
  fmt::format_to(std::back_inserter(out),
                 "<details><summary>{} from run <code>{}</code>{}</summary>\n\n{}{}\n{}{}\n\n"
                 "</details>\n\n",
                 what, Html(outcome.example_run_id), extent, fence, traceback ? "pytb" : "text",
                 tail.text, fence);
}

void RenderOutcomeDetails(std::string& out, const Outcome& outcome, bool baseline) {
  std::string name =
      fmt::format("**{}**{}", Escape(outcome.target_name), baseline ? " (baseline)" : "");
  if (outcome.total == 0) {
    fmt::format_to(std::back_inserter(out), "{}: no runs.\n\n", name);
    return;
  }
  std::vector<std::string> counts;
  for (Status status :
       {Status::kPass, Status::kFail, Status::kTimeout, Status::kCrash, Status::kError}) {
    if (outcome.Count(status) > 0) {
      counts.push_back(fmt::format("{} {}", outcome.Count(status), StatusName(status)));
    }
  }
  fmt::format_to(std::back_inserter(out), "{}, {} run{}: {}", name, outcome.total,
                 outcome.total == 1 ? "" : "s", Join(counts, ", "));
  if (outcome.classification == Classification::kFlaky) {
    fmt::format_to(std::back_inserter(out), " ({})", FailureRate(outcome));
  }
  out += ".\n\n";
  if (outcome.signatures.empty()) return;
  for (const SignatureCount& signature : outcome.signatures) {
    fmt::format_to(std::back_inserter(out), "- {} × {}\n", signature.count,
                   Code(signature.signature));
  }
  out += '\n';
  RenderExample(out, outcome);
}

std::string Title(const Aggregate& aggregate) {
  if (aggregate.targets.empty()) return "# DSPy migration report\n\n";
  std::vector<std::string> later;
  for (std::size_t i = 1; i < aggregate.targets.size(); ++i) {
    later.push_back(Escape(aggregate.targets[i]));
  }
  if (later.empty())
    return fmt::format("# DSPy migration report: {}\n\n", Escape(aggregate.targets[0]));
  return fmt::format("# DSPy migration report: {} → {}\n\n", Escape(aggregate.targets[0]),
                     Join(later, ", "));
}

std::string Overview(const Aggregate& aggregate) {
  std::vector<std::string> parts;
  if (aggregate.targets.size() > 1) {
    int regressions = aggregate.Count(VerdictKind::kRegression);
    std::string regression =
        fmt::format("{} regression{}", regressions, regressions == 1 ? "" : "s");
    if (regressions > 0) regression = "**" + regression + "**";
    if (aggregate.intermittent_regressions > 0) {
      regression += fmt::format(" ({} intermittent)", aggregate.intermittent_regressions);
    }
    parts.push_back(regression);
    for (VerdictKind kind : {VerdictKind::kFixed, VerdictKind::kFlaky, VerdictKind::kUnchanged,
                             VerdictKind::kIncomplete}) {
      parts.push_back(fmt::format("{} {}", aggregate.Count(kind), VerdictName(kind)));
    }
  }
  std::size_t scenarios = aggregate.scenarios.size();
  std::size_t targets = aggregate.targets.size();
  parts.push_back(fmt::format("{} scenario{} on {} target{}, {} run{} ({} failed)", scenarios,
                              scenarios == 1 ? "" : "s", targets, targets == 1 ? "" : "s",
                              aggregate.total_runs, aggregate.total_runs == 1 ? "" : "s",
                              aggregate.failed_runs));
  return Join(parts, " · ") + ".\n\n";
}

// A target that imported another DSPy than its pin makes every comparison
// involving it meaningless; say so before the table.
std::string VersionWarnings(const Results& results) {
  std::string out;
  for (const TargetInfo& target : results.environment.targets) {
    if (target.dspy_version.empty()) continue;
    std::map<std::string, int> imported;
    for (const RunResult& run : results.runs) {
      if (run.target_name == target.name && !run.dspy_version.empty() &&
          run.dspy_version != target.dspy_version) {
        ++imported[run.dspy_version];
      }
    }
    for (const auto& [version, count] : imported) {
      fmt::format_to(std::back_inserter(out),
                     "> **Warning:** {} run{} on {} imported DSPy {}, not the pinned {}.\n\n",
                     count, count == 1 ? "" : "s", Escape(target.name), Escape(version),
                     Escape(target.dspy_version));
    }
  }
  return out;
}

void RenderSummaryTable(std::string& out, const Results& results, const Aggregate& aggregate) {
  if (aggregate.scenarios.empty()) {
    out += "No scenarios were run.\n\n";
    return;
  }
  std::vector<std::string> header = {"Scenario", "Summary"};
  for (const std::string& target : aggregate.targets) header.push_back(Cell(Escape(target)));
  if (aggregate.targets.size() == 2) {
    header.push_back("Verdict");
  } else {
    for (std::size_t i = 1; i < aggregate.targets.size(); ++i) {
      header.push_back(Cell("Verdict vs " + Escape(aggregate.targets[0]) + " → " +
                            Escape(aggregate.targets[i])));
    }
  }
  out += "| " + Join(header, " | ") + " |\n";
  out += "|" + Join(std::vector<std::string>(header.size(), "---"), "|") + "|\n";

  const auto& summaries = results.environment.scenario_summaries;
  for (const ScenarioAggregate& scenario : aggregate.scenarios) {
    auto summary = summaries.find(scenario.scenario_id);
    std::vector<std::string> row = {
        Cell(Code(scenario.scenario_id)),
        summary == summaries.end() ? std::string(kNone) : Cell(Escape(summary->second))};
    for (const Outcome& outcome : scenario.outcomes) row.push_back(OutcomeCell(outcome));
    for (const Verdict& verdict : scenario.verdicts) row.push_back(VerdictText(verdict, true));
    out += "| " + Join(row, " | ") + " |\n";
  }
  out += fmt::format(
      "\nVerdicts compare each target with the baseline, {}. CI is the 95% Wilson interval of "
      "the failure rate: with few repeats an intermittent failure can hide, so read a pass as "
      "\"no failure seen in n runs\".\n\n",
      Escape(aggregate.targets.front()));
}

void RenderDetails(std::string& out, const Results& results, const Aggregate& aggregate) {
  std::vector<const ScenarioAggregate*> shown;
  for (const ScenarioAggregate& scenario : aggregate.scenarios) {
    if (!PassesEverywhere(scenario)) shown.push_back(&scenario);
  }
  if (shown.empty()) return;
  out += "## Details\n\n";
  const auto& summaries = results.environment.scenario_summaries;
  for (const ScenarioAggregate* scenario : shown) {
    std::vector<std::string> verdicts;
    for (const Verdict& verdict : scenario->verdicts) {
      std::string text = VerdictText(verdict, false);
      if (scenario->verdicts.size() > 1) text += " on " + Escape(verdict.target_name);
      verdicts.push_back(text);
    }
    fmt::format_to(std::back_inserter(out), "### {}{}\n\n", Code(scenario->scenario_id),
                   verdicts.empty() ? "" : ": " + Join(verdicts, ", "));
    if (auto summary = summaries.find(scenario->scenario_id); summary != summaries.end()) {
      fmt::format_to(std::back_inserter(out), "*{}*\n\n", Escape(summary->second));
    }
    for (std::size_t i = 0; i < scenario->outcomes.size(); ++i) {
      RenderOutcomeDetails(out, scenario->outcomes[i], i == 0);
    }
  }
}

std::string OrNone(const std::string& text) {
  return text.empty() ? std::string(kNone) : Escape(text);
}

void RenderEnvironment(std::string& out, const Results& results) {
  const RunEnvironment& env = results.environment;
  out += "## Environment\n\n";
  if (!env.targets.empty()) {
    out += "| Target | DSPy | Python | Lock hash | Interpreter |\n|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < env.targets.size(); ++i) {
      const TargetInfo& t = env.targets[i];
      std::string lock =
          t.lock_hash.empty()
              ? (t.kind == "python" ? std::string("— (user interpreter)") : std::string(kNone))
              : Code(t.lock_hash.substr(0, 12));
      fmt::format_to(std::back_inserter(out), "| {}{} | {} | {} | {} | {} |\n",
                     Cell(Escape(t.name)), i == 0 ? " (baseline)" : "",
                     Cell(OrNone(t.dspy_version)), Cell(OrNone(t.python_version)), Cell(lock),
                     Cell(Code(t.interpreter)));
    }
    out += '\n';
  }
  fmt::format_to(std::back_inserter(out), "- Harness version: {}\n", OrNone(env.harness_version));
  fmt::format_to(std::back_inserter(out), "- Seed: {}\n", env.seed);
  fmt::format_to(std::back_inserter(out), "- Jobs: {}, repeat: {}; {} of {} planned runs {}\n",
                 env.jobs, env.repeat, results.runs.size(), env.planned_runs,
                 env.interrupted ? "completed before the interruption" : "completed");
  fmt::format_to(std::back_inserter(out), "- LM cache: {}\n", OrNone(env.cache_policy));
  fmt::format_to(std::back_inserter(out), "- Command: {}\n", Code(env.command_line));
  fmt::format_to(std::back_inserter(out), "- Started: {}, finished: {}\n", OrNone(env.started_at),
                 OrNone(env.finished_at));
}

}  // namespace

std::string RenderMarkdown(const Results& results) {
  const Aggregate aggregate = AggregateResults(results);
  std::string out = Title(aggregate);
  if (results.environment.interrupted) {
    fmt::format_to(std::back_inserter(out),
                   "> **Interrupted:** this session was stopped before it finished; {} of {} "
                   "planned runs completed. Counts cover the completed runs only.\n\n",
                   results.runs.size(), results.environment.planned_runs);
  }
  out += Overview(aggregate);
  out += VersionWarnings(results);
  RenderSummaryTable(out, results, aggregate);
  RenderDetails(out, results, aggregate);
  RenderEnvironment(out, results);
  return out;
}

}  // namespace dspy_compat
