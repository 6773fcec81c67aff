// What each subcommand's --help says is a feature: its description, its
// options, and the exit codes where they are documented (as CLI11's own
// HelpTest does). Lists shown in help (report formats, always-scrubbed
// variables) come from their one home, so these tests compare against it.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/exit_codes.h"
#include "reports/report_formats.h"
#include "runner/containment.h"

namespace dspy_compat {
namespace {

struct Printed {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `dspy-compat ARGS...` in-process, as main() does.
Printed Invoke(std::vector<const char*> args) {
  args.insert(args.begin(), "dspy-compat");
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  CommandLine command_line;
  int code = command_line.Main(static_cast<int>(args.size()), args.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {code, out.str(), err.str()};
}

// CLI11 wraps long help texts; compare with whitespace runs as one space.
std::string Flat(const std::string& text) {
  std::string flat;
  for (char c : text) {
    bool space = c == ' ' || c == '\n';
    if (space && !flat.empty() && flat.back() == ' ') continue;
    flat += space ? ' ' : c;
  }
  return flat;
}

void ExpectMentions(const std::string& help, const std::vector<std::string>& parts) {
  for (const std::string& part : parts) {
    EXPECT_NE(Flat(help).find(part), std::string::npos) << "missing: " << part << "\n" << help;
  }
}

TEST(HelpTest, TopLevelListsSubcommandsAndExitCodes) {
  Printed p = Invoke({"--help"});
  EXPECT_EQ(p.exit_code, kExitOk);
  ExpectMentions(p.out, {"run", "report", "gate", "merge", "bisect", "envs", "mock-server",
                         "--version", "Exit codes:", "0 done", "1 the gate found a regression",
                         "2 usage or input error", "knowledge file", "3 infrastructure error",
                         "130 interrupted", "DSPY_COMPAT_CACHE", "DSPY_COMPAT_ROOT"});
}

TEST(HelpTest, RunSaysWhatItWritesAndEveryOption) {
  Printed p = Invoke({"run", "--help"});
  EXPECT_EQ(p.exit_code, kExitOk);
  ExpectMentions(p.out, {"Run scenarios on targets, write DIR/results.json, DIR/report.md",
                         "--targets",
                         "`default = true`",
                         "--scenarios",
                         "FILE::NAME is your tests",
                         "through pytest in the target",
                         "--project",
                         "Your project in every target",
                         "the target's lock winning for DSPy and what DSPy pins",
                         "exit 3",
                         "project = \".\"",
                         "--repeat",
                         "'adaptive'",
                         "-j,--jobs",
                         "--timeout",
                         "--lm-delay-ms",
                         "-o,--out",
                         "--seed",
                         "--cache-dir",
                         "--keep-work",
                         "--memory-limit-mb",
                         "--output-limit-mb",
                         "--cold",
                         "--no-changed-code",
                         "--pass-env",
                         "--scrub",
                         "--sandbox",
                         "auto (bubblewrap when it works here",
                         "--pass-home",
                         "--shard",
                         "--gate",
                         "--baseline",
                         "--update-baseline",
                         "--knowledge",
                         "results.json records each file and its SHA-256",
                         "--resume"});
}

TEST(HelpTest, RunListsEveryAlwaysScrubbedPattern) {
  std::string help = Flat(Invoke({"run", "--help"}).out);
  std::string list;
  for (const char* pattern : kDefaultScrubPatterns)
    list += (list.empty() ? "" : ", ") + std::string(pattern);
  EXPECT_NE(help.find("Always scrubbed: " + list), std::string::npos) << help;
}

TEST(HelpTest, ReportListsEveryFormatFromTheTable) {
  Printed p = Invoke({"report", "--help"});
  EXPECT_EQ(p.exit_code, kExitOk);
  ExpectMentions(p.out, {"Render a report from a results.json", "--format", "-o,--output",
                         "--knowledge", "results.json"});
  for (const ReportFormat& format : ReportFormats()) {
    ExpectMentions(p.out, {std::string(format.name) + " (" + std::string(format.help) + ")"});
  }
}

TEST(HelpTest, GateDocumentsItsExitCodes) {
  Printed p = Invoke({"gate", "--help"});
  EXPECT_EQ(p.exit_code, kExitOk);
  ExpectMentions(p.out, {"exit 0 if nothing is worse than expected, 1 on a regression or "
                         "behaviour change, 3 when inconclusive",
                         "--baseline", "--update-baseline", "--strict-prompts",
                         "Harness errors, missing runs and scenarios that could not start "
                         "give exit 3."});
}

TEST(HelpTest, MergeEnvsAndMockServer) {
  Printed merge = Invoke({"merge", "--help"});
  EXPECT_EQ(merge.exit_code, kExitOk);
  ExpectMentions(merge.out, {"Combine shard results (run --shard I/N)", "-o,--out", "--knowledge"});
  Printed bisect = Invoke({"bisect", "--help"});
  EXPECT_EQ(bisect.exit_code, kExitOk);
  ExpectMentions(bisect.out, {"first DSPy release after --good", "--good", "--bad", "--repeat",
                              "--schedule", "Exit 0: the first changed release was found"});
  Printed envs = Invoke({"envs", "--help"});
  EXPECT_EQ(envs.exit_code, kExitOk);
  ExpectMentions(envs.out, {"Provision and list target environments", "sync", "list"});
  Printed sync = Invoke({"envs", "sync", "--help"});
  ExpectMentions(sync.out, {"Install targets into the cache", "--cache-dir"});
  Printed list = Invoke({"envs", "list", "--help"});
  ExpectMentions(list.out, {"Show provisioned environments", "--cache-dir"});
  Printed mock = Invoke({"mock-server", "--help"});
  EXPECT_EQ(mock.exit_code, kExitOk);
  ExpectMentions(mock.out, {"OpenAI-compatible mock LM server", "--port", "--bind", "--delay-ms",
                            "--seed", "--echo-model", "--threads", "--fixtures", "--max-body-kb"});
}

TEST(HelpTest, AuditDocumentsItsTargetsRunAndExitCodes) {
  Printed p = Invoke({"audit", "--help"});
  EXPECT_EQ(p.exit_code, kExitOk);
  ExpectMentions(
      p.out,
      {"--out", "--results", "--python", "--annotations", "--targets", "--scenarios", "--repeat",
       "--jobs", "--seed", "--cache-dir",
       "the test_*.py and *_test.py files under DIR/tests and DIR/test",
       "its files (results.json, report.md, ...) in OUT/run/",
       "OUT/audit.md then starts with the verdict",
       "0 no unsuppressed finding of level error or warning (notes do not fail); with "
       "--targets: and nothing regresses or changes behaviour",
       "1 at least one unsuppressed error or warning; with --targets: or a finding's "
       "scenario or a project's scenario or test regresses or changes behaviour on a "
       "target",
       "3 the scanner could not run", "never a pass, even with no finding", "130 interrupted"});
}

TEST(HelpTest, AuditRunFlagsNeedTargetsAndRepeatIsChecked) {
  for (const std::vector<const char*>& args :
       std::vector<std::vector<const char*>>{{"audit", ".", "--scenarios", "tests"},
                                             {"audit", ".", "--repeat", "3"},
                                             {"audit", ".", "--jobs", "2"},
                                             {"audit", ".", "--seed", "1"},
                                             {"audit", ".", "--cache-dir", "/tmp/c"}}) {
    Printed printed = Invoke(args);
    EXPECT_EQ(printed.exit_code, kExitUsage) << args[2];
    EXPECT_NE(printed.err.find("requires --targets"), std::string::npos) << printed.err;
  }
  for (const char* repeat : {"0", "100001", "sometimes", "9..3"}) {
    Printed printed = Invoke({"audit", ".", "--targets", "dspy-2.5.40", "--repeat", repeat});
    EXPECT_EQ(printed.exit_code, kExitUsage) << repeat;
  }
}

TEST(HelpTest, VersionAndUsageErrors) {
  Printed version = Invoke({"--version"});
  EXPECT_EQ(version.exit_code, kExitOk);
  EXPECT_NE(version.out.find(DSPY_COMPAT_VERSION), std::string::npos) << version.out;
  EXPECT_EQ(Invoke({}).exit_code, kExitUsage);  // a subcommand is required
  EXPECT_EQ(Invoke({"run", "--no-such-flag"}).exit_code, kExitUsage);
  EXPECT_EQ(Invoke({"report", "r.json", "--format", "pdf"}).exit_code, kExitUsage);
  EXPECT_EQ(Invoke({"run", "--repeat", "sometimes"}).exit_code, kExitUsage);
}

// Issue 16: --lm-delay-ms 99999999999 aborted in std::stoi (out_of_range is
// no runtime_error, so nothing caught it). Every number out of range is a
// usage error naming the range, before anything is installed or run.
TEST(HelpTest, NumbersOutOfRangeAreUsageErrors) {
  Printed delay = Invoke({"run", "--targets", "dspy-2.5.40", "--scenarios", "issue1867_single",
                          "--lm-delay-ms", "99999999999", "--cache-dir", "/nonexistent/cache"});
  EXPECT_EQ(delay.exit_code, kExitUsage);
  EXPECT_NE(delay.err.find("0..600000, not '99999999999'"), std::string::npos) << delay.err;
  for (const char* repeat : {"99999999999", "100001", "0", "18446744073709551616"}) {
    Printed printed = Invoke({"run", "--repeat", repeat});
    EXPECT_EQ(printed.exit_code, kExitUsage) << repeat;
  }
  for (const char* flag : {"--timeout", "--jobs", "--memory-limit-mb", "--output-limit-mb"}) {
    Printed printed = Invoke({"run", flag, "99999999999999999999"});
    EXPECT_EQ(printed.exit_code, kExitUsage) << flag;
  }
}

}  // namespace
}  // namespace dspy_compat
