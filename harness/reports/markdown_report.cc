#include "reports/markdown_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <map>
#include <string_view>
#include <vector>

#include "reports/escape.h"
#include "reports/report_content.h"
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

// Text inside the raw HTML a Markdown report uses (<details> summaries): the
// HTML report's escaping, on one line.
std::string Html(std::string_view text) { return EscapeXml(Flatten(text)); }

// Bold only in the table, where a regression must stand out among rows;
// a heading is bold already.
std::string VerdictText(const Verdict& verdict, bool bold) {
  std::string name(VerdictName(verdict.kind));
  if (verdict.kind == VerdictKind::kBehaviourChange || verdict.kind == VerdictKind::kUnresolved) {
    return bold ? "**" + name + "**" : name;
  }
  if (verdict.kind == VerdictKind::kFixed) return name + VerdictNote(verdict);
  if (verdict.kind != VerdictKind::kRegression) return name;
  if (bold) name = "**" + name + "**";
  return name + VerdictNote(verdict);
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
  if (outcome.example_explored) {
    fmt::format_to(std::back_inserter(out),
                   "Found by exploring LM response orders; to replay its order: `dspy-compat run "
                   "--replay results.json:{}` (beside this report).\n\n",
                   outcome.example_run_id);
  }
}

std::string Title(const Aggregate& aggregate) {
  if (aggregate.targets.empty()) return "# DSPy migration report\n\n";
  std::vector<std::string> later;
  for (std::size_t i = 1; i < aggregate.targets.size(); ++i) {
    later.push_back(EscapeMarkdown(aggregate.targets[i]));
  }
  if (later.empty())
    return fmt::format("# DSPy migration report: {}\n\n", EscapeMarkdown(aggregate.targets[0]));
  return fmt::format("# DSPy migration report: {} → {}\n\n", EscapeMarkdown(aggregate.targets[0]),
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
    // Named only when present: reports of sessions without them read as before.
    if (int changes = aggregate.Count(VerdictKind::kBehaviourChange); changes > 0) {
      parts.push_back(fmt::format("**{} behaviour change{}**", changes, changes == 1 ? "" : "s"));
    }
    if (int unresolved = aggregate.Count(VerdictKind::kUnresolved); unresolved > 0) {
      parts.push_back(fmt::format("**{} unresolved**", unresolved));
    }
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
                     count, count == 1 ? "" : "s", EscapeMarkdown(target.name),
                     EscapeMarkdown(version), EscapeMarkdown(target.dspy_version));
    }
  }
  return out;
}

// Past this many targets (a version range), one column per target with its
// verdict in the same cell, so that ten releases still fit a PR comment.
constexpr std::size_t kWideTargets = 3;

void RenderCompactTable(std::string& out, const Aggregate& aggregate) {
  std::vector<std::string> header = {"Scenario"};
  for (std::size_t i = 0; i < aggregate.targets.size(); ++i) {
    header.push_back(MarkdownCell(EscapeMarkdown(aggregate.targets[i])) +
                     (i == 0 ? " (baseline)" : ""));
  }
  out += "| " + Join(header, " | ") + " |\n";
  out += "|" + Join(std::vector<std::string>(header.size(), "---"), "|") + "|\n";
  for (const ScenarioAggregate& scenario : aggregate.scenarios) {
    std::vector<std::string> row = {MarkdownCell(Code(scenario.scenario_id))};
    for (std::size_t i = 0; i < scenario.outcomes.size(); ++i) {
      const Outcome& o = scenario.outcomes[i];
      std::string cell = o.unsupported  ? std::string("n/a")
                         : o.total == 0 ? std::string("no runs")
                                        : fmt::format("{}/{}", o.Passes(), o.total);
      if (i > 0 && i - 1 < scenario.verdicts.size() &&
          scenario.verdicts[i - 1].kind != VerdictKind::kUnchanged) {
        cell += " " + VerdictText(scenario.verdicts[i - 1], true);
      }
      row.push_back(cell);
    }
    out += "| " + Join(row, " | ") + " |\n";
  }
  fmt::format_to(std::back_inserter(out),
                 "\nCells: passing runs / runs on each target (n/a: its REQUIRES excludes the "
                 "target), and the verdict against the baseline, {}, where it is not unchanged. "
                 "Each pattern's section below has the failure rates and their 95% intervals.\n\n",
                 EscapeMarkdown(aggregate.targets.front()));
}

void RenderSummaryTable(std::string& out, const Results& results, const Aggregate& aggregate) {
  if (aggregate.scenarios.empty()) {
    out += "No scenarios were run.\n\n";
    return;
  }
  if (aggregate.targets.size() > kWideTargets) {
    RenderCompactTable(out, aggregate);
    return;
  }
  std::vector<std::string> header = {"Scenario", "Summary"};
  for (const std::string& target : aggregate.targets)
    header.push_back(MarkdownCell(EscapeMarkdown(target)));
  if (aggregate.targets.size() == 2) {
    header.push_back("Verdict");
  } else {
    for (std::size_t i = 1; i < aggregate.targets.size(); ++i) {
      header.push_back(MarkdownCell("Verdict vs " + EscapeMarkdown(aggregate.targets[0]) + " → " +
                                    EscapeMarkdown(aggregate.targets[i])));
    }
  }
  out += "| " + Join(header, " | ") + " |\n";
  out += "|" + Join(std::vector<std::string>(header.size(), "---"), "|") + "|\n";

  const auto& summaries = results.environment.scenario_summaries;
  for (const ScenarioAggregate& scenario : aggregate.scenarios) {
    auto summary = summaries.find(scenario.scenario_id);
    std::vector<std::string> row = {MarkdownCell(Code(scenario.scenario_id)),
                                    summary == summaries.end()
                                        ? std::string(kNone)
                                        : MarkdownCell(EscapeMarkdown(summary->second))};
    for (const Outcome& outcome : scenario.outcomes) row.push_back(OutcomeSummary(outcome));
    for (const Verdict& verdict : scenario.verdicts) row.push_back(VerdictText(verdict, true));
    out += "| " + Join(row, " | ") + " |\n";
  }
  out += fmt::format(
      "\nVerdicts compare each target with the baseline, {}. CI is the 95% Wilson interval of "
      "the failure rate: with few repeats an intermittent failure can hide, so read a pass as "
      "\"no failure seen in n runs\".\n\n",
      EscapeMarkdown(aggregate.targets.front()));
}

// Report texts: plain text with `code` spans (see CodeSpan).
std::string Inline(std::string_view text) {
  std::string out;
  std::string part;
  bool code = false;
  auto flush = [&] {
    if (!part.empty()) out += code ? Code(part) : EscapeMarkdown(part);
    part.clear();
  };
  for (char c : text) {
    if (c != '`') {
      part += c;
      continue;
    }
    flush();
    code = !code;
  }
  flush();
  return out;
}

void RenderCode(std::string& out, std::string_view code) {
  if (code.empty()) return;
  std::string fence = Fence(code);
  fmt::format_to(std::back_inserter(out), "{}python\n{}{}{}\n\n", fence, code,
                 code.back() == '\n' ? "" : "\n", fence);
}

std::string TargetLabel(const std::string& target, std::size_t index) {
  return EscapeMarkdown(target) + (index == 0 ? " (baseline)" : "");
}

void RenderOutcomeTable(std::string& out, const PatternSection& section) {
  out +=
      "| Target | Runs | Outcome | Failure rate | Expected | Gate |\n|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < section.scenario.outcomes.size(); ++i) {
    const Outcome& o = section.scenario.outcomes[i];
    const PairCheck& check = section.checks[i];
    std::string gate(PairStatusText(check.status));
    if (check.status == PairStatus::kRegression || check.status == PairStatus::kBehaviourChange ||
        check.status == PairStatus::kUnresolved) {
      gate = "**" + gate + "**";
    }
    std::string expected = ExpectationText(check);
    fmt::format_to(std::back_inserter(out), "| {} | {} | {} | {} | {} | {} |\n",
                   MarkdownCell(TargetLabel(o.target_name, i)), o.total, PassCountText(o),
                   o.total == 0 ? std::string(kNone) : MarkdownCell(FailureRateText(o)),
                   expected.empty() ? std::string(kNone) : MarkdownCell(EscapeMarkdown(expected)),
                   gate);
  }
  out += '\n';
}

void RenderSignatures(std::string& out, const PatternSection& section) {
  bool any = false;
  for (const Outcome& o : section.scenario.outcomes) any = any || !o.signatures.empty();
  if (!any) return;
  out += "**Error signatures**\n\n";
  for (const Outcome& o : section.scenario.outcomes) {
    for (const SignatureCount& s : o.signatures) {
      fmt::format_to(std::back_inserter(out), "- {}: {} × {}\n", EscapeMarkdown(o.target_name),
                     s.count, Code(s.signature));
    }
  }
  out += '\n';
  for (const Outcome& o : section.scenario.outcomes) RenderExample(out, o);
}

// " (link, link)"; "" for an entry without references (a team's own may have none).
std::string References(const KnownChange& change) {
  std::vector<std::string> links;
  for (const Reference& r : change.references) {
    links.push_back(fmt::format("[{}]({})", r.label, r.url));
  }
  return links.empty() ? "" : " (" + Join(links, ", ") + ")";
}

// Which pattern first explained each known change: a PR comment says it once.
using Explained = std::map<std::string_view, std::string>;

void RenderDiagnoses(std::string& out, const PatternSection& section, Explained& explained) {
  for (const Diagnosis& d : section.diagnoses) {
    std::vector<std::string> targets;
    for (const std::string& t : d.targets) targets.push_back(EscapeMarkdown(t));
    if (d.change == nullptr) {
      fmt::format_to(std::back_inserter(out),
                     "**Not explained** by a known DSPy change: {} on {}; read the traceback.\n\n",
                     Code(d.signatures.front()), Join(targets, ", "));
      continue;
    }
    const KnownChange& c = *d.change;
    auto [first, inserted] = explained.emplace(c.id, section.scenario.scenario_id);
    if (!inserted) {
      fmt::format_to(std::back_inserter(out),
                     "**Root cause{}:** {}; see {} above for the DSPy change and the "
                     "remediation.\n\n",
                     c.regression ? "" : " (not an upgrade regression)", Inline(c.title),
                     Code(first->second));
      continue;
    }
    fmt::format_to(std::back_inserter(out), "**Root cause{}:** {}. {}\n\n",
                   c.regression ? "" : " (not an upgrade regression)", Inline(c.title),
                   Inline(c.root_cause));
    fmt::format_to(std::back_inserter(out), "**DSPy change:** {}{}\n\n", Inline(c.change),
                   References(c));
    fmt::format_to(std::back_inserter(out), "**Remediation:** {}\n\n", Inline(c.remediation));
  }
}

// The changed DSPy code a regression ran, found by tracing reruns (no
// knowledge file needed): each shown hunk as a small diff.
void RenderChangedCode(std::string& out, const PatternSection& section) {
  for (const ChangedCode& code : section.changed_code) {
    fmt::format_to(std::back_inserter(out), "**Changed DSPy code it ran:** {}.\n\n",
                   Inline(ChangedCodeSummary(code)));
    for (std::size_t i = 0; i < code.hunks.size() && i < kChangedHunksShown; ++i) {
      const ChangedHunk& h = code.hunks[i];
      std::string diff;
      for (const std::string& line : h.lines) diff += line + "\n";
      const std::string fence = Fence(diff);
      fmt::format_to(std::back_inserter(out), "- {} {} ({})\n\n  {}diff\n", Code(h.file),
                     Code(HunkHeader(h)), EscapeMarkdown(HunkRan(h, code)), fence);
      for (const std::string& line : h.lines)
        fmt::format_to(std::back_inserter(out), "  {}\n", line);
      fmt::format_to(std::back_inserter(out), "  {}\n\n", fence);
    }
    if (code.hunks.size() > kChangedHunksShown) {
      fmt::format_to(std::back_inserter(out), "And {} more hunks in `results.json`.\n\n",
                     code.hunks.size() - kChangedHunksShown);
    }
  }
}

std::string OutcomesInline(const std::vector<Outcome>& outcomes) {
  std::vector<std::string> parts;
  for (const Outcome& o : outcomes) {
    parts.push_back(fmt::format("{} on {}", OutcomeSummary(o), EscapeMarkdown(o.target_name)));
  }
  return Join(parts, ", ");
}

// The forced result next to the natural rate: no excerpt, the forced
// scenario's own section shows its program.
void RenderForced(std::string& out, const PatternSection& section) {
  for (const VariantResult& f : section.forced) {
    fmt::format_to(std::back_inserter(out),
                   "**Forced race** {} (the mock LM holds responses to force the losing "
                   "interleaving): {}.\n\n",
                   Code(f.scenario_id), OutcomesInline(f.outcomes));
  }
}

void RenderMigrations(std::string& out, const PatternSection& section) {
  for (const VariantResult& m : section.migrations) {
    fmt::format_to(std::back_inserter(out), "**Migrated variant** {}{}: {}: {}.\n\n",
                   Code(m.scenario_id),
                   m.summary.empty() ? "" : " (" + EscapeMarkdown(m.summary) + ")",
                   m.verified ? "verified, passes everywhere" : "**does not pass everywhere**",
                   OutcomesInline(m.outcomes));
    RenderCode(out, m.excerpt);
  }
}

// Both pass, yet the later target behaves differently: what the mock LM or
// the settings showed, one line each (prompt wording is in the diffs below).
void RenderSilentChanges(std::string& out, const PatternSection& section) {
  for (const Verdict& verdict : section.scenario.verdicts) {
    for (const BehaviourChange& change : verdict.changes) {
      if (change.prompt_text_only) continue;
      fmt::format_to(std::back_inserter(out), "**Behaviour change** ({}): {}.\n\n",
                     EscapeMarkdown(change.aspect), Inline(change.detail));
    }
  }
}

// Passing where EXPECT (or a baseline) said it fails: worth a line, since
// either the bug is fixed or it did not show in these runs.
void RenderUnexpectedPasses(std::string& out, const PatternSection& section) {
  for (const PairCheck& check : section.checks) {
    if (check.status != PairStatus::kUnexpectedPass) continue;
    fmt::format_to(std::back_inserter(out),
                   "Unexpected pass on {}: expected {}; an intermittent failure may not show in "
                   "every session.\n\n",
                   EscapeMarkdown(check.target_name), EscapeMarkdown(ExpectationText(check)));
  }
}

void RenderPattern(std::string& out, const PatternSection& section, Explained& explained) {
  fmt::format_to(std::back_inserter(out), "### {}: {}\n\n", Code(section.scenario.scenario_id),
                 EscapeMarkdown(section.headline));
  if (!section.summary.empty() && section.summary != section.info.pytest_node) {
    fmt::format_to(std::back_inserter(out), "*{}*\n\n", EscapeMarkdown(section.summary));
  }
  if (!section.info.pytest_node.empty()) {
    fmt::format_to(std::back_inserter(out), "**Test:** {}\n\n", Code(section.info.pytest_node));
  }
  if (!section.changed) {
    fmt::format_to(std::back_inserter(out), "{}.\n\n", OutcomesInline(section.scenario.outcomes));
    RenderUnexpectedPasses(out, section);
    if (!section.info.excerpt.empty()) {
      out += "<details><summary>Code</summary>\n\n";
      RenderCode(out, section.info.excerpt);
      out += "</details>\n\n";
    }
    RenderForced(out, section);
    RenderMigrations(out, section);
    return;
  }
  if (!section.info.exercises.empty()) {
    fmt::format_to(std::back_inserter(out), "**Pattern:** {}\n\n",
                   EscapeMarkdown(section.info.exercises));
  }
  RenderCode(out, section.info.excerpt);
  RenderOutcomeTable(out, section);
  RenderSilentChanges(out, section);
  if (!section.unresolved.empty()) {
    fmt::format_to(std::back_inserter(out), "**Unresolved** (the program could not start): {}.\n\n",
                   Inline(section.unresolved));
  }
  RenderForced(out, section);
  RenderSignatures(out, section);
  RenderDiagnoses(out, section, explained);
  RenderChangedCode(out, section);
  RenderMigrations(out, section);
}

void RenderPatterns(std::string& out, const ReportContent& content) {
  if (content.patterns.empty()) return;
  out += "## Patterns\n\n";
  Explained explained;
  for (const PatternSection& section : content.patterns) RenderPattern(out, section, explained);
}

void RenderBehaviourChanges(std::string& out, const ReportContent& content) {
  if (!content.has_traffic) return;
  out += "## Behaviour changes and prompt diffs\n\n";
  if (content.traffic_differences.empty()) {
    out +=
        "The mock LM saw the same models, prompt formats, request parameters and system "
        "prompts from every target, scenario by scenario.\n\n";
    return;
  }
  out += "What the mock LM saw differs between targets (system prompts compared by hash):\n\n";
  std::vector<std::string> header = {"Scenario", "What"};
  for (const std::string& t : content.aggregate.targets)
    header.push_back(MarkdownCell(EscapeMarkdown(t)));
  out += "| " + Join(header, " | ") + " |\n";
  out += "|" + Join(std::vector<std::string>(header.size(), "---"), "|") + "|\n";
  for (const TrafficDifference& d : content.traffic_differences) {
    std::vector<std::string> row = {MarkdownCell(Code(d.scenario_id)), d.aspect};
    for (const std::string& v : d.per_target)
      row.push_back(v.empty() ? std::string(kNone) : MarkdownCell(Code(v)));
    out += "| " + Join(row, " | ") + " |\n";
  }
  out += '\n';
  for (const TrafficDifference& d : content.traffic_differences) {
    for (std::size_t i = 0; i < d.diffs.size(); ++i) {
      if (d.diffs[i].empty()) continue;
      // A fence longer than any backtick run in the diff keeps it verbatim.
      std::string fence = "```";
      while (d.diffs[i].find(fence) != std::string::npos) fence += '`';
      out += fmt::format(
          "<details><summary>Prompt diff: {}, {} → {} (normalised: field values and numbers "
          "masked)</summary>\n\n{}diff\n{}{}\n\n</details>\n\n",
          EscapeMarkdown(d.scenario_id), EscapeMarkdown(content.aggregate.targets.front()),
          EscapeMarkdown(content.aggregate.targets[i]), fence, d.diffs[i], fence);
    }
  }
}

std::string VerdictBlock(const ReportContent& content) {
  return fmt::format("> **{}.** {}\n\n", UpgradeVerdictTitle(content.verdict),
                     Inline(content.verdict_reason));
}

std::string OrNone(const std::string& text) {
  return text.empty() ? std::string(kNone) : EscapeMarkdown(text);
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
                     MarkdownCell(EscapeMarkdown(t.name)), i == 0 ? " (baseline)" : "",
                     MarkdownCell(OrNone(t.dspy_version)), MarkdownCell(OrNone(t.python_version)),
                     MarkdownCell(lock), MarkdownCell(Code(t.interpreter)));
    }
    out += '\n';
    // Never silent: a lock that deviates from its release-day resolution says so.
    for (const TargetInfo& t : env.targets) {
      for (const Substitution& s : t.substitutions) {
        fmt::format_to(std::back_inserter(out), "- **Substitution** in {}: {} instead of {} ({})\n",
                       EscapeMarkdown(t.name), Code(s.package + "==" + s.used),
                       Code(s.package + "==" + s.requested), EscapeMarkdown(s.reason));
      }
    }
    // run --project: what each target's environment holds of the team's project.
    for (const TargetInfo& t : env.targets) {
      if (!t.project) continue;
      const ProjectEnvironmentInfo& p = *t.project;
      if (!p.note.empty()) {
        fmt::format_to(std::back_inserter(out), "- **Project** {} in {}: {}\n", Code(p.root),
                       EscapeMarkdown(t.name), EscapeMarkdown(p.note));
        continue;
      }
      std::vector<std::string> installed, added;
      for (const std::string& i : p.installed) installed.push_back(Code(i));
      for (const std::string& a : p.added) added.push_back(Code(a));
      fmt::format_to(std::back_inserter(out),
                     "- **Project** {} in {} (environment {}): installed beyond the lock: {}{}\n",
                     Code(p.root), EscapeMarkdown(t.name), Code(p.input_hash.substr(0, 12)),
                     installed.empty() ? std::string(kNone) : Join(installed, ", "),
                     added.empty() ? std::string()
                                   : "; added (the project declares none): " + Join(added, ", "));
    }
  }
  fmt::format_to(std::back_inserter(out), "- Harness version: {}\n", OrNone(env.harness_version));
  fmt::format_to(std::back_inserter(out), "- Seed: {}\n", env.seed);
  fmt::format_to(std::back_inserter(out), "- Jobs: {}, repeat: {}; {} of {} planned runs {}\n",
                 env.jobs, RepeatText(env), results.runs.size(), env.planned_runs,
                 env.interrupted ? "completed before the interruption" : "completed");
  fmt::format_to(std::back_inserter(out), "- LM cache: {}\n", OrNone(env.cache_policy));
  if (std::string sandbox = SandboxText(results); !sandbox.empty()) {
    fmt::format_to(std::back_inserter(out), "- Sandbox: {}\n", Inline(sandbox));
  }
  fmt::format_to(std::back_inserter(out), "- Command: {}\n", Code(env.command_line));
  fmt::format_to(std::back_inserter(out), "- Started: {}, finished: {}\n", OrNone(env.started_at),
                 OrNone(env.finished_at));
  if (env.shard) {
    fmt::format_to(std::back_inserter(out),
                   "- Shard: {}/{} (a slice of the matrix; merge the shards for the whole)\n",
                   env.shard->index, env.shard->count);
  }
  if (!env.merged_shards.empty()) {
    std::vector<std::string> shards;
    for (const ShardInfo& s : env.merged_shards) {
      shards.push_back(fmt::format("{}/{}", s.index, s.count));
    }
    fmt::format_to(std::back_inserter(out), "- Merged from shards: {}\n", Join(shards, ", "));
  }
}

}  // namespace

std::string RenderMarkdown(const Results& results, const KnowledgeBase& knowledge) {
  const ReportContent content = BuildReportContent(results, knowledge);
  const Aggregate& aggregate = content.aggregate;
  std::string out = Title(aggregate);
  out += VerdictBlock(content);
  if (results.environment.interrupted) {
    fmt::format_to(std::back_inserter(out),
                   "> **Interrupted:** this session was stopped before it finished; {} of {} "
                   "planned runs completed. Counts cover the completed runs only.\n\n",
                   results.runs.size(), results.environment.planned_runs);
  }
  out += Overview(aggregate);
  out += VersionWarnings(results);
  RenderSummaryTable(out, results, aggregate);
  RenderPatterns(out, content);
  RenderBehaviourChanges(out, content);
  RenderEnvironment(out, results);
  return out;
}

}  // namespace dspy_compat
