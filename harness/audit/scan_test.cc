#include "audit/scan.h"

#include <gtest/gtest.h>

#include <fstream>

#include "audit/patterns.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kScript =
    test_support::SourceRoot() / "harness" / "audit" / "scanner" / "dspy_compat_audit.py";

json ValidScan() {
  return json::parse(R"({"schema": "dspy-compat/audit-scan/v1", "python": "3.11.7",
    "files_scanned": 2, "seconds": 0.01, "patterns": ["context-around-asyncify"],
    "findings": [{"file": "qa.py", "line": 11, "column": 14, "end_line": 11,
      "pattern": "context-around-asyncify", "message": "m", "snippet": "with x:",
      "suppressed": true, "suppression": "ignore"}],
    "parse_errors": [{"file": "b.py", "line": 1, "message": "SyntaxError: x"}]})");
}

TEST(ScanFromJsonTest, ReadsFindingsAndParseErrors) {
  Scan scan = ScanFromJson(ValidScan());
  EXPECT_EQ(scan.files_scanned, 2);
  ASSERT_EQ(scan.findings.size(), 1u);
  EXPECT_EQ(scan.findings[0].column, 14);
  EXPECT_TRUE(scan.findings[0].suppressed);
  ASSERT_EQ(scan.parse_errors.size(), 1u);
  EXPECT_EQ(scan.parse_errors[0].file, "b.py");
}

TEST(ScanFromJsonTest, NamesTheBadField) {
  json doc = ValidScan();
  doc["findings"][0]["line"] = "11";
  try {
    ScanFromJson(doc);
    FAIL();
  } catch (const AuditInputError& e) {
    EXPECT_STREQ(e.what(), "scan findings[0].line: missing or of the wrong type");
  }
  doc = ValidScan();
  doc["schema"] = "other/v9";
  EXPECT_THROW(ScanFromJson(doc), AuditInputError);
}

class RunScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("scan-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "project");
  }
  fs::path dir_;
};

TEST_F(RunScannerTest, FindsThe1867PatternWithTheSystemPython) {
  std::ofstream(dir_ / "project" / "qa.py") << R"(import dspy

class AsyncQA(dspy.Module):
    def __init__(self):
        self.predictor = dspy.asyncify(dspy.Predict("q -> a"))

    async def forward(self, q):
        with dspy.context(lm=self.lm):  # dspy-compat: ignore[context-around-asyncify]
            return await self.predictor(q=q)
)";
  Scan scan = RunScanner({.script = kScript, .root = dir_ / "project", .work_dir = dir_ / "out"});
  EXPECT_EQ(scan.files_scanned, 1);
  ASSERT_EQ(scan.findings.size(), 2u);
  EXPECT_EQ(scan.findings[0].pattern, "asyncify-not-outermost");
  EXPECT_EQ(scan.findings[0].line, 5);
  EXPECT_FALSE(scan.findings[0].suppressed);
  EXPECT_EQ(scan.findings[1].line, 8);
  EXPECT_TRUE(scan.findings[1].suppressed);
  EXPECT_TRUE(fs::exists(dir_ / "out" / "scan.json"));
}

TEST_F(RunScannerTest, TheScannerAndThePatternsFileKnowTheSamePatterns) {
  Scan scan = RunScanner({.script = kScript, .root = dir_ / "project", .work_dir = dir_ / "out"});
  std::vector<std::string> described;
  for (const auto& p :
       ReadAuditPatterns(test_support::SourceRoot() / "fixtures" / "audit" / "patterns.toml")) {
    described.push_back(p.id);
  }
  std::sort(scan.patterns.begin(), scan.patterns.end());
  EXPECT_EQ(scan.patterns, described);
}

TEST_F(RunScannerTest, AMissingInterpreterIsAScannerError) {
  try {
    RunScanner({.python = dir_ / "no-python",
                .script = kScript,
                .root = dir_ / "project",
                .work_dir = dir_ / "out"});
    FAIL();
  } catch (const ScannerError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot start the scanner"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace dspy_compat
