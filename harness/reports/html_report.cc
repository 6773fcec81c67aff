#include "reports/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <string_view>

#include "reports/escape.h"
#include "reports/report_content.h"

namespace dspy_compat {
namespace {

constexpr std::string_view kNone = "—";

std::string E(std::string_view text) { return EscapeXml(text); }

// Report texts: plain text with `code` spans (see CodeSpan).
std::string Inline(std::string_view text) {
  std::string out;
  bool code = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '`') continue;
    std::string part = E(text.substr(start, i - start));
    if (!part.empty()) out += code ? "<code>" + part + "</code>" : part;
    code = !code;
    start = i + 1;
  }
  return out;
}

// Ids for anchors: scenario ids are file stems, so already close to safe.
std::string Anchor(std::string_view id) {
  std::string out = "p-";
  for (char c : id) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_';
    out += safe ? c : '-';
  }
  return out;
}

constexpr std::string_view kStyle = R"(
:root { --pass: #2e7d32; --fail: #c62828; --timeout: #ef6c00; --crash: #6a1b9a; --error: #616161; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .3em; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2em; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
code { background: #f2f4f6; padding: 0 .25em; border-radius: 3px; }
pre { background: #f6f8fa; padding: .8em; overflow-x: auto; border-radius: 6px; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: .6em 0 1.2em; }
th, td { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.verdict { padding: .8em 1em; border-radius: 6px; border-left: 6px solid; margin: 1em 0; }
.verdict.safe { background: #e8f5e9; border-color: var(--pass); }
.verdict.safe-with-changes { background: #fff8e1; border-color: #f9a825; }
.verdict.unsafe { background: #ffebee; border-color: var(--fail); }
.verdict.inconclusive, .verdict.not-compared { background: #eceff1; border-color: var(--error); }
.warning { background: #fff3e0; padding: .5em 1em; border-radius: 6px; }
.regression { color: var(--fail); font-weight: 600; }
.chart text { font-size: 12px; } .chart .id { font-family: ui-monospace, Menlo, monospace; }
.muted { color: #57606a; }
section.pattern { margin-bottom: 2em; }
body.only-changed section.pattern.passes { display: none; }
)";

// Records what a reviewer of the page (or a headless test) must know went
// wrong: script errors, failed resource loads, policy violations.
constexpr std::string_view kErrorRecorder = R"(
(function () {
  var errors = [];
  function record(message) {
    errors.push(String(message));
    document.documentElement.setAttribute('data-errors', errors.join(' | '));
  }
  window.addEventListener('error', function (e) { record(e.message || 'failed to load ' + (e.target && (e.target.src || e.target.href))); }, true);
  window.addEventListener('unhandledrejection', function (e) { record('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) { record('blocked by policy: ' + e.blockedURI); });
  var original = console.error;
  console.error = function () { record(Array.prototype.join.call(arguments, ' ')); return original.apply(console, arguments); };
})();
)";

constexpr std::string_view kPageScript = R"(
(function () {
  var box = document.getElementById('only-changed');
  if (box) box.addEventListener('change', function () { document.body.classList.toggle('only-changed', box.checked); });
  document.body.setAttribute('data-ready', 'yes');
})();
)";

struct Segment {
  Status status;
  std::string_view colour;
};
// The same colours as the stylesheet's; SVG presentation attributes take no var().
constexpr Segment kSegments[] = {{Status::kPass, "#2e7d32"},    {Status::kFail, "#c62828"},
                                 {Status::kTimeout, "#ef6c00"}, {Status::kCrash, "#6a1b9a"},
                                 {Status::kError, "#616161"},   {Status::kUnresolved, "#9e9d24"}};

void RenderChart(std::string& out, const Aggregate& aggregate) {
  if (aggregate.scenarios.empty() || aggregate.targets.empty()) return;
  constexpr int kRow = 24, kBar = 160, kGap = 70, kTop = 28, kLegend = 30;
  std::size_t longest = 0;
  for (const ScenarioAggregate& s : aggregate.scenarios) {
    longest = std::max(longest, s.scenario_id.size());
  }
  const int label = static_cast<int>(std::min<std::size_t>(longest, 48)) * 7 + 16;
  const int columns = static_cast<int>(aggregate.targets.size());
  const int width = label + columns * (kBar + kGap);
  const int height = kTop + static_cast<int>(aggregate.scenarios.size()) * kRow + kLegend;
  fmt::format_to(std::back_inserter(out),
                 "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" "
                 "height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Outcome of every "
                 "run, per scenario and target\">\n",
                 width, height, width, height);
  for (int t = 0; t < columns; ++t) {
    fmt::format_to(std::back_inserter(out),
                   "<text x=\"{}\" y=\"16\" font-weight=\"600\">{}{}</text>\n",
                   label + t * (kBar + kGap), E(aggregate.targets[static_cast<std::size_t>(t)]),
                   t == 0 && columns > 1 ? " (baseline)" : "");
  }
  for (std::size_t row = 0; row < aggregate.scenarios.size(); ++row) {
    const ScenarioAggregate& s = aggregate.scenarios[row];
    const int y = kTop + static_cast<int>(row) * kRow;
    std::string id =
        s.scenario_id.size() > 48 ? s.scenario_id.substr(0, 45) + "..." : s.scenario_id;
    fmt::format_to(std::back_inserter(out),
                   "<a href=\"#{}\"><text class=\"id\" x=\"0\" y=\"{}\">{}</text></a>\n",
                   Anchor(s.scenario_id), y + 14, E(id));
    for (std::size_t t = 0; t < s.outcomes.size(); ++t) {
      const Outcome& o = s.outcomes[t];
      const int x0 = label + static_cast<int>(t) * (kBar + kGap);
      if (o.total == 0) {
        fmt::format_to(std::back_inserter(out),
                       "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"none\" "
                       "stroke=\"#d0d7de\"/><text x=\"{}\" y=\"{}\">no runs</text>\n",
                       x0, y + 2, kBar, x0 + kBar + 6, y + 14);
        continue;
      }
      int x = x0;
      int used = 0;
      int seen = 0;
      for (const Segment& segment : kSegments) {
        int count = o.Count(segment.status);
        if (count == 0) continue;
        seen += count;
        // The last segment takes what rounding left, so the bar is always full.
        int w = seen == o.total ? kBar - used : kBar * count / o.total;
        fmt::format_to(std::back_inserter(out),
                       "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{}\"><title>{} "
                       "on {}: {} of {} {}</title></rect>\n",
                       x, y + 2, w, segment.colour, E(s.scenario_id), E(o.target_name), count,
                       o.total, StatusName(segment.status));
        x += w;
        used += w;
      }
      fmt::format_to(std::back_inserter(out), "<text x=\"{}\" y=\"{}\">{}/{}</text>\n",
                     x0 + kBar + 6, y + 14, o.Passes(), o.total);
    }
  }
  int x = 0;
  const int y = kTop + static_cast<int>(aggregate.scenarios.size()) * kRow + 8;
  for (const Segment& segment : kSegments) {
    fmt::format_to(std::back_inserter(out),
                   "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" "
                   "y=\"{}\">{}</text>\n",
                   x, y, segment.colour, x + 16, y + 11, StatusName(segment.status));
    x += 90;
  }
  out += "</svg>\n";
}

std::string PairStatusCell(const PairCheck& check) {
  std::string text(PairStatusText(check.status));
  bool bad = check.status == PairStatus::kRegression ||
             check.status == PairStatus::kBehaviourChange ||
             check.status == PairStatus::kUnresolved;
  return bad ? "<span class=\"regression\">" + text + "</span>" : E(text);
}

void RenderSummaryTable(std::string& out, const ReportContent& content) {
  const Aggregate& aggregate = content.aggregate;
  if (aggregate.scenarios.empty()) {
    out += "<p>No scenarios were run.</p>\n";
    return;
  }
  out += "<table>\n<tr><th>Scenario</th>";
  for (const std::string& t : aggregate.targets)
    fmt::format_to(std::back_inserter(out), "<th>{}</th>", E(t));
  for (std::size_t i = 1; i < aggregate.targets.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "<th>Verdict{}</th>",
                   aggregate.targets.size() == 2 ? "" : " on " + E(aggregate.targets[i]));
  }
  out += "</tr>\n";
  for (const ScenarioAggregate& s : aggregate.scenarios) {
    fmt::format_to(std::back_inserter(out), "<tr><td><a href=\"#{}\"><code>{}</code></a></td>",
                   Anchor(s.scenario_id), E(s.scenario_id));
    for (const Outcome& o : s.outcomes) {
      fmt::format_to(std::back_inserter(out), "<td>{}</td>", E(OutcomeSummary(o)));
    }
    for (const Verdict& v : s.verdicts) {
      std::string text = std::string(VerdictName(v.kind)) + VerdictNote(v);
      fmt::format_to(std::back_inserter(out), "<td{}>{}</td>",
                     v.kind == VerdictKind::kRegression ||
                             v.kind == VerdictKind::kBehaviourChange ||
                             v.kind == VerdictKind::kUnresolved
                         ? " class=\"regression\""
                         : "",
                     E(text));
    }
    out += "</tr>\n";
  }
  out += "</table>\n";
}

// The last lines of a traceback (or output tail), like the Markdown report.
std::string LastLines(std::string_view text, std::size_t count) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  while (!lines.empty() && lines.back().find_first_not_of(" \t\r") == std::string_view::npos) {
    lines.pop_back();
  }
  std::size_t first = lines.size() > count ? lines.size() - count : 0;
  std::string out;
  for (std::size_t i = first; i < lines.size(); ++i) out += std::string(lines[i]) + "\n";
  return out;
}

void RenderExample(std::string& out, const Outcome& o) {
  bool traceback = !o.example_traceback.empty();
  std::string text = LastLines(traceback ? o.example_traceback : o.example_output_tail, 25);
  if (text.empty()) return;
  fmt::format_to(std::back_inserter(out),
                 "<details><summary>{} from run <code>{}</code> on {}</summary>\n<pre>{}</pre>\n"
                 "</details>\n",
                 traceback ? "Traceback" : "Output tail (no traceback)", E(o.example_run_id),
                 E(o.target_name), E(text));
  if (o.example_explored) {
    fmt::format_to(std::back_inserter(out),
                   "<p>Found by exploring LM response orders; to replay its order: "
                   "<code>dspy-compat run --replay results.json:{}</code> (beside this "
                   "report).</p>\n",
                   E(o.example_run_id));
  }
}

void RenderCode(std::string& out, std::string_view code) {
  if (!code.empty())
    fmt::format_to(std::back_inserter(out), "<pre><code>{}</code></pre>\n", E(code));
}

std::string OutcomesInline(const std::vector<Outcome>& outcomes) {
  std::vector<std::string> parts;
  for (const Outcome& o : outcomes) {
    parts.push_back(fmt::format("{} on {}", E(OutcomeSummary(o)), E(o.target_name)));
  }
  return Join(parts, ", ");
}

// Which pattern first explained each known change; later ones link to it.
using Explained = std::map<std::string_view, std::string>;

void RenderPattern(std::string& out, const PatternSection& section, Explained& explained) {
  const ScenarioAggregate& s = section.scenario;
  fmt::format_to(std::back_inserter(out),
                 "<section class=\"pattern{}\" id=\"{}\">\n<h3><code>{}</code>: {}</h3>\n",
                 section.changed ? "" : " passes", Anchor(s.scenario_id), E(s.scenario_id),
                 E(section.headline));
  if (!section.summary.empty() && section.summary != section.info.pytest_node) {
    fmt::format_to(std::back_inserter(out), "<p><em>{}</em></p>\n", E(section.summary));
  }
  if (!section.info.pytest_node.empty()) {
    fmt::format_to(std::back_inserter(out), "<p><strong>Test:</strong> <code>{}</code></p>\n",
                   E(section.info.pytest_node));
  }
  if (!section.info.exercises.empty()) {
    fmt::format_to(std::back_inserter(out), "<p><strong>Pattern:</strong> {}</p>\n",
                   E(section.info.exercises));
  }
  RenderCode(out, section.info.excerpt);
  for (const PairCheck& check : section.checks) {
    if (check.status != PairStatus::kUnexpectedPass) continue;
    fmt::format_to(std::back_inserter(out),
                   "<p>Unexpected pass on {}: expected {}; an intermittent failure may not show "
                   "in every session.</p>\n",
                   E(check.target_name), E(ExpectationText(check)));
  }
  out +=
      "<table>\n<tr><th>Target</th><th>Runs</th><th>Outcome</th><th>Failure rate</th>"
      "<th>Expected</th><th>Gate</th></tr>\n";
  for (std::size_t i = 0; i < s.outcomes.size(); ++i) {
    const Outcome& o = s.outcomes[i];
    std::string expected = ExpectationText(section.checks[i]);
    fmt::format_to(
        std::back_inserter(out),
        "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        E(o.target_name), i == 0 && s.outcomes.size() > 1 ? " (baseline)" : "", o.total,
        E(PassCountText(o)), o.total == 0 ? std::string(kNone) : E(FailureRateText(o)),
        expected.empty() ? std::string(kNone) : E(expected), PairStatusCell(section.checks[i]));
  }
  out += "</table>\n";
  for (const Verdict& verdict : s.verdicts) {
    for (const BehaviourChange& change : verdict.changes) {
      if (change.prompt_text_only) continue;
      fmt::format_to(std::back_inserter(out),
                     "<p><strong>Behaviour change</strong> ({}): {}.</p>\n", E(change.aspect),
                     Inline(change.detail));
    }
  }
  if (!section.unresolved.empty()) {
    fmt::format_to(std::back_inserter(out),
                   "<p><strong>Unresolved</strong> (the program could not start): {}.</p>\n",
                   Inline(section.unresolved));
  }
  bool any_failure = false;
  for (const Outcome& o : s.outcomes) any_failure = any_failure || !o.signatures.empty();
  if (any_failure) {
    out += "<p><strong>Error signatures</strong></p>\n<ul>\n";
    for (const Outcome& o : s.outcomes) {
      for (const SignatureCount& sig : o.signatures) {
        fmt::format_to(std::back_inserter(out), "<li>{}: {} × <code>{}</code></li>\n",
                       E(o.target_name), sig.count, E(sig.signature));
      }
    }
    out += "</ul>\n";
    for (const Outcome& o : s.outcomes) RenderExample(out, o);
  }
  for (const Diagnosis& d : section.diagnoses) {
    if (d.change == nullptr) {
      fmt::format_to(std::back_inserter(out),
                     "<p><strong>Not explained</strong> by a known DSPy change: <code>{}</code> on "
                     "{}; read the traceback.</p>\n",
                     E(d.signatures.front()), E(Join(d.targets, ", ")));
      continue;
    }
    const KnownChange& c = *d.change;
    auto [first, inserted] = explained.emplace(c.id, s.scenario_id);
    if (!inserted) {
      fmt::format_to(
          std::back_inserter(out),
          "<p><strong>Root cause{}:</strong> {}; see <a href=\"#{}\"><code>{}</code></a> "
          "above for the DSPy change and the remediation.</p>\n",
          c.regression ? "" : " (not an upgrade regression)", Inline(c.title),
          Anchor(first->second), E(first->second));
      continue;
    }
    std::vector<std::string> links;
    for (const Reference& r : c.references) {
      links.push_back(fmt::format("<a href=\"{}\">{}</a>", E(r.url), E(r.label)));
    }
    fmt::format_to(std::back_inserter(out),
                   "<p><strong>Root cause{}:</strong> {}. {}</p>\n<p><strong>DSPy change:</strong> "
                   "{}{}</p>\n<p><strong>Remediation:</strong> {}</p>\n",
                   c.regression ? "" : " (not an upgrade regression)", Inline(c.title),
                   Inline(c.root_cause), Inline(c.change),
                   links.empty() ? "" : " (" + Join(links, ", ") + ")", Inline(c.remediation));
  }
  for (const ChangedCode& code : section.changed_code) {
    fmt::format_to(std::back_inserter(out),
                   "<p><strong>Changed DSPy code it ran:</strong> {}.</p>\n",
                   Inline(ChangedCodeSummary(code)));
    if (code.hunks.empty()) continue;
    out += "<ul class=\"changed-code\">\n";
    for (std::size_t i = 0; i < code.hunks.size() && i < kChangedHunksShown; ++i) {
      const ChangedHunk& h = code.hunks[i];
      std::string diff;
      for (const std::string& line : h.lines) diff += line + "\n";
      fmt::format_to(std::back_inserter(out),
                     "<li><code>{}</code> <code>{}</code> ({})<pre><code>{}</code></pre></li>\n",
                     E(h.file), E(HunkHeader(h)), E(HunkRan(h, code)), E(diff));
    }
    out += "</ul>\n";
    if (code.hunks.size() > kChangedHunksShown) {
      fmt::format_to(std::back_inserter(out),
                     "<p>And {} more hunks in <code>results.json</code>.</p>\n",
                     code.hunks.size() - kChangedHunksShown);
    }
  }
  for (const VariantResult& f : section.forced) {
    fmt::format_to(std::back_inserter(out),
                   "<p><strong>Forced race</strong> <code>{}</code> (the mock LM holds responses "
                   "to force the losing interleaving): {}.</p>\n",
                   E(f.scenario_id), OutcomesInline(f.outcomes));
  }
  for (const VariantResult& m : section.migrations) {
    fmt::format_to(std::back_inserter(out),
                   "<p><strong>Migrated variant</strong> <code>{}</code>{}: {}: {}.</p>\n",
                   E(m.scenario_id), m.summary.empty() ? "" : " (" + E(m.summary) + ")",
                   m.verified ? "verified, passes everywhere"
                              : "<span class=\"regression\">does not pass everywhere</span>",
                   OutcomesInline(m.outcomes));
    RenderCode(out, m.excerpt);
  }
  out += "</section>\n";
}

void RenderBehaviourChanges(std::string& out, const ReportContent& content) {
  if (!content.has_traffic) return;
  out += "<h2>Behaviour changes and prompt diffs</h2>\n";
  if (content.traffic_differences.empty()) {
    out +=
        "<p>The mock LM saw the same models, prompt formats, request parameters and system "
        "prompts from every target, scenario by scenario.</p>\n";
    return;
  }
  out +=
      "<p>What the mock LM saw differs between targets (system prompts compared by "
      "hash):</p>\n<table>\n<tr><th>Scenario</th><th>What</th>";
  for (const std::string& t : content.aggregate.targets) {
    fmt::format_to(std::back_inserter(out), "<th>{}</th>", E(t));
  }
  out += "</tr>\n";
  for (const TrafficDifference& d : content.traffic_differences) {
    fmt::format_to(std::back_inserter(out), "<tr><td><code>{}</code></td><td>{}</td>",
                   E(d.scenario_id), E(d.aspect));
    for (const std::string& v : d.per_target) {
      fmt::format_to(std::back_inserter(out), "<td>{}</td>",
                     v.empty() ? std::string(kNone) : "<code>" + E(v) + "</code>");
    }
    out += "</tr>\n";
  }
  out += "</table>\n";
  for (const TrafficDifference& d : content.traffic_differences) {
    for (std::size_t i = 0; i < d.diffs.size(); ++i) {
      if (d.diffs[i].empty()) continue;
      fmt::format_to(std::back_inserter(out),
                     "<details><summary>Prompt diff: <code>{}</code>, {} &rarr; {}</summary>\n"
                     "<pre>{}</pre>\n</details>\n",
                     E(d.scenario_id), E(content.aggregate.targets.front()),
                     E(content.aggregate.targets[i]), E(d.diffs[i]));
    }
  }
}

void RenderEnvironment(std::string& out, const Results& results) {
  const RunEnvironment& env = results.environment;
  out += "<h2>Environment</h2>\n";
  if (!env.targets.empty()) {
    out +=
        "<table>\n<tr><th>Target</th><th>DSPy</th><th>Python</th><th>Lock hash</th>"
        "<th>Interpreter</th></tr>\n";
    for (std::size_t i = 0; i < env.targets.size(); ++i) {
      const TargetInfo& t = env.targets[i];
      fmt::format_to(std::back_inserter(out),
                     "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td>"
                     "</tr>\n",
                     E(t.name), i == 0 ? " (baseline)" : "",
                     t.dspy_version.empty() ? std::string(kNone) : E(t.dspy_version),
                     t.python_version.empty() ? std::string(kNone) : E(t.python_version),
                     t.lock_hash.empty() ? std::string(kNone)
                                         : "<code>" + E(t.lock_hash.substr(0, 12)) + "</code>",
                     E(t.interpreter));
    }
    out += "</table>\n";
    for (const TargetInfo& t : env.targets) {
      for (const Substitution& s : t.substitutions) {
        fmt::format_to(std::back_inserter(out),
                       "<p><strong>Substitution</strong> in {}: <code>{}=={}</code> instead of "
                       "<code>{}=={}</code> ({})</p>\n",
                       E(t.name), E(s.package), E(s.used), E(s.package), E(s.requested),
                       E(s.reason));
      }
    }
    // run --project: what each target's environment holds of the team's project.
    for (const TargetInfo& t : env.targets) {
      if (!t.project) continue;
      const ProjectEnvironmentInfo& p = *t.project;
      if (!p.note.empty()) {
        fmt::format_to(std::back_inserter(out),
                       "<p><strong>Project</strong> <code>{}</code> in {}: {}</p>\n", E(p.root),
                       E(t.name), E(p.note));
        continue;
      }
      std::vector<std::string> installed, added;
      for (const std::string& i : p.installed) installed.push_back("<code>" + E(i) + "</code>");
      for (const std::string& a : p.added) added.push_back("<code>" + E(a) + "</code>");
      fmt::format_to(std::back_inserter(out),
                     "<p><strong>Project</strong> <code>{}</code> in {} (environment "
                     "<code>{}</code>): installed beyond the lock: {}{}</p>\n",
                     E(p.root), E(t.name), E(p.input_hash.substr(0, 12)),
                     installed.empty() ? std::string(kNone) : Join(installed, ", "),
                     added.empty() ? std::string()
                                   : "; added (the project declares none): " + Join(added, ", "));
    }
  }
  const std::string sandbox = SandboxText(results);
  std::vector<std::string> shards;
  for (const ShardInfo& s : env.merged_shards)
    shards.push_back(fmt::format("{}/{}", s.index, s.count));
  fmt::format_to(
      std::back_inserter(out),
      "<ul>\n<li>Harness version: {}</li>\n<li>Seed: {}</li>\n<li>Jobs: {}, repeat: {}; "
      "{} of {} planned runs {}</li>\n<li>LM cache: {}</li>\n{}<li>Command: "
      "<code>{}</code></li>\n<li>Started: {}, finished: {}</li>\n{}{}</ul>\n",
      E(env.harness_version), env.seed, env.jobs, RepeatText(env), results.runs.size(),
      env.planned_runs, env.interrupted ? "completed before the interruption" : "completed",
      E(env.cache_policy), sandbox.empty() ? "" : "<li>Sandbox: " + Inline(sandbox) + "</li>\n",
      E(env.command_line), E(env.started_at), E(env.finished_at),
      env.shard ? fmt::format("<li>Shard: {}/{} (a slice of the matrix)</li>\n", env.shard->index,
                              env.shard->count)
                : "",
      shards.empty() ? "" : "<li>Merged from shards: " + Join(shards, ", ") + "</li>\n");
}

std::string Title(const Aggregate& aggregate) {
  if (aggregate.targets.empty()) return "DSPy migration report";
  std::vector<std::string> later(aggregate.targets.begin() + 1, aggregate.targets.end());
  if (later.empty()) return "DSPy migration report: " + aggregate.targets.front();
  return "DSPy migration report: " + aggregate.targets.front() + " → " + Join(later, ", ");
}

}  // namespace

std::string RenderHtml(const Results& results, const KnowledgeBase& knowledge) {
  const ReportContent content = BuildReportContent(results, knowledge);
  const Aggregate& aggregate = content.aggregate;
  const std::string title = Title(aggregate);
  std::string out;
  fmt::format_to(std::back_inserter(out),
                 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                 "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<link rel=\"icon\" href=\"data:,\">\n<title>{}</title>\n<script>{}</script>\n"
                 "<style>{}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
                 E(title), kErrorRecorder, kStyle, E(title));
  fmt::format_to(std::back_inserter(out),
                 "<div class=\"verdict {}\"><strong>{}.</strong> {}</div>\n",
                 UpgradeVerdictName(content.verdict), E(UpgradeVerdictTitle(content.verdict)),
                 Inline(content.verdict_reason));
  if (results.environment.interrupted) {
    fmt::format_to(std::back_inserter(out),
                   "<p class=\"warning\"><strong>Interrupted:</strong> {} of {} planned runs "
                   "completed; counts cover those only.</p>\n",
                   results.runs.size(), results.environment.planned_runs);
  }
  for (const std::string& reason : content.gate.incomplete) {
    fmt::format_to(std::back_inserter(out), "<p class=\"warning\">Incomplete: {}.</p>\n",
                   E(reason));
  }
  fmt::format_to(std::back_inserter(out),
                 "<p class=\"muted\">{} scenarios on {} targets, {} runs ({} failed). Verdicts "
                 "compare each target with the baseline, {}; intervals are 95% Wilson intervals "
                 "of the failure rate.</p>\n",
                 aggregate.scenarios.size(), aggregate.targets.size(), aggregate.total_runs,
                 aggregate.failed_runs, aggregate.targets.empty() ? "" : E(aggregate.targets[0]));
  out += "<h2>Outcomes</h2>\n";
  RenderChart(out, aggregate);
  RenderSummaryTable(out, content);
  if (!content.patterns.empty()) {
    out +=
        "<h2>Patterns</h2>\n<p><label><input type=\"checkbox\" id=\"only-changed\"> Show only "
        "patterns that do not pass everywhere</label></p>\n";
    Explained explained;
    for (const PatternSection& section : content.patterns) RenderPattern(out, section, explained);
  }
  RenderBehaviourChanges(out, content);
  RenderEnvironment(out, results);
  fmt::format_to(std::back_inserter(out), "<script>{}</script>\n</body>\n</html>\n", kPageScript);
  return out;
}

}  // namespace dspy_compat
