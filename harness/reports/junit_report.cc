#include "reports/junit_report.h"

#include <fmt/format.h>

#include <iterator>

#include "reports/escape.h"
#include "reports/report_content.h"

namespace dspy_compat {
namespace {

std::string E(std::string_view text) { return EscapeXml(text); }

// An XML comment may hold anything but "--" (and may not end in "-").
std::string CommentSafe(std::string_view text) {
  std::string out;
  for (char c : ValidUtf8(text)) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    if (c == '-' && !out.empty() && out.back() == '-') out += ' ';
    out += c;
  }
  if (!out.empty() && out.back() == '-') out += ' ';
  return out;
}

// Jenkins splits a classname at dots into package and class; dots in a
// target's version would make a package per component.
std::string ClassName(const std::string& target) {
  std::string out = "dspy_compat.";
  for (char c : target) out += c == '.' ? '_' : c;
  return out;
}

double SecondsOf(const Results& results, const Outcome& o) {
  double seconds = 0;
  for (const RunResult& run : results.runs) {
    if (run.scenario_id == o.scenario_id && run.target_name == o.target_name) {
      seconds += run.wall_seconds;
    }
  }
  return seconds;
}

std::string TopSignature(const Outcome& o) {
  return o.signatures.empty() ? std::string() : o.signatures.front().signature;
}

std::string Example(const Outcome& o) {
  return !o.example_traceback.empty() ? o.example_traceback : o.example_output_tail;
}

struct Counts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
};

// `verdict`: against the baseline; null for the baseline's own cases.
std::string RenderCase(const Results& results, const Outcome& o, const PairCheck& check,
                       const Verdict* verdict, Counts& counts) {
  const double seconds = SecondsOf(results, o);
  ++counts.tests;
  counts.seconds += seconds;
  // A team's test is named by its test id, as CI tools show pytest's own.
  auto info = results.environment.scenario_info.find(o.scenario_id);
  const std::string& name =
      info != results.environment.scenario_info.end() && !info->second.pytest_node.empty()
          ? info->second.pytest_node
          : o.scenario_id;
  std::string out = fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3f}\"",
                                E(name), E(ClassName(o.target_name)), seconds);
  std::string body;
  std::string system_out;
  const std::string rate = o.total == 0 ? "no runs"
                                        : fmt::format("{} of {} runs failed ({})", o.failures,
                                                      o.total, FailureRateText(o));
  switch (check.status) {
    case PairStatus::kRegression:
      ++counts.failures;
      body += fmt::format(
          "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
          // With its p, so CI shows whether the difference could be chance.
          E(fmt::format("{}: {}{}", check.reason, rate, verdict ? VerdictNote(*verdict) : "")),
          E(o.classification == Classification::kFlaky ? "intermittent regression" : "regression"),
          E(Example(o)));
      break;
    case PairStatus::kBehaviourChange:
      ++counts.failures;
      body += fmt::format("      <failure message=\"{}\" type=\"behaviour change\"/>\n",
                          E(check.reason));
      break;
    case PairStatus::kInfrastructure:
      ++counts.errors;
      body +=
          fmt::format("      <error message=\"{}\" type=\"infrastructure\"/>\n", E(check.reason));
      break;
    case PairStatus::kUnresolved:
      // lit's UNRESOLVED: not a failure of the code under test, not a pass.
      ++counts.errors;
      body += fmt::format("      <error message=\"{}\" type=\"unresolved\">{}</error>\n",
                          E(check.reason), E(Example(o)));
      break;
    case PairStatus::kNotRun:
      ++counts.skipped;
      body += "      <skipped message=\"no runs\"/>\n";
      break;
    case PairStatus::kUnsupported:
      ++counts.skipped;
      body += fmt::format("      <skipped message=\"{}\"/>\n", E("unsupported: " + check.reason));
      break;
    case PairStatus::kAsExpected:
      if (o.failures > 0) {
        ++counts.skipped;
        body += fmt::format("      <skipped message=\"{}\"/>\n",
                            E(fmt::format("known failure, not new: {}", check.reason)));
      }
      break;
    case PairStatus::kUnexpectedPass:
      system_out = "unexpected pass: " + check.reason;
      break;
  }
  if (o.classification == Classification::kFlaky && check.status != PairStatus::kInfrastructure) {
    for (const SignatureCount& s : o.signatures) {
      body += fmt::format(
          "      <flakyFailure message=\"{}\" "
          "type=\"{}\"><stackTrace>{}</stackTrace></flakyFailure>\n",
          E(fmt::format("{} of {} runs: {}", s.count, o.total, s.signature)),
          E(s.signature.substr(0, s.signature.find(':'))),
          E(s.signature == TopSignature(o) ? Example(o) : ""));
    }
  }
  for (const ChangedCode& code : results.changed_code) {
    if (code.scenario_id != o.scenario_id || code.target_name != o.target_name) continue;
    system_out += (system_out.empty() ? "" : "\n") + ChangedCodeText(code);
  }
  if (!system_out.empty()) {
    body += fmt::format("      <system-out>{}</system-out>\n", E(system_out));
  }
  if (body.empty()) return out + "/>\n";
  return out + ">\n" + body + "    </testcase>\n";
}

}  // namespace

std::string RenderJunit(const Results& results, const KnowledgeBase& knowledge) {
  const ReportContent content = BuildReportContent(results, knowledge);
  const Aggregate& aggregate = content.aggregate;
  const RunEnvironment& env = results.environment;
  std::string suites;
  Counts total;
  for (std::size_t t = 0; t < aggregate.targets.size(); ++t) {
    const std::string& target = aggregate.targets[t];
    Counts counts;
    std::string cases;
    for (std::size_t s = 0; s < aggregate.scenarios.size(); ++s) {
      const ScenarioAggregate& scenario = aggregate.scenarios[s];
      const PairCheck& check = content.gate.checks[s * aggregate.targets.size() + t];
      const Verdict* verdict =
          t > 0 && t - 1 < scenario.verdicts.size() ? &scenario.verdicts[t - 1] : nullptr;
      cases += RenderCase(results, scenario.outcomes[t], check, verdict, counts);
    }
    std::string properties = "    <properties>\n";
    auto property = [&](std::string_view name, std::string_view value) {
      properties += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", E(name), E(value));
    };
    property("dspy_version", TargetDspyVersion(results, target));
    for (const TargetInfo& info : env.targets) {
      if (info.name != target) continue;
      property("python_version", info.python_version);
      property("lock_hash", info.lock_hash);
    }
    property("baseline", t == 0 ? "true" : "false");
    property("seed", std::to_string(env.seed));
    properties += "    </properties>\n";
    fmt::format_to(
        std::back_inserter(suites),
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
        "skipped=\"{}\" time=\"{:.3f}\" timestamp=\"{}\" id=\"{}\">\n{}{}  </testsuite>\n",
        E(target), counts.tests, counts.failures, counts.errors, counts.skipped, counts.seconds,
        E(env.started_at), t, properties, cases);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.seconds += counts.seconds;
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!-- dspy-compat: {}. {} -->\n"
      "<testsuites name=\"dspy-compat\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "time=\"{:.3f}\">\n"
      "{}</testsuites>\n",
      CommentSafe(UpgradeVerdictTitle(content.verdict)), CommentSafe(content.verdict_reason),
      total.tests, total.failures, total.errors, total.seconds, suites);
}

}  // namespace dspy_compat
