#include "audit/patterns.h"

#include <gtest/gtest.h>

#include <fstream>

#include "catalogue/discovery.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;

const fs::path kPatterns = test_support::SourceRoot() / "fixtures" / "audit" / "patterns.toml";

TEST(PatternsTest, EveryPatternIsMeasuredByACatalogueScenarioWithAMigratedVariant) {
  std::vector<AuditPattern> patterns = ReadAuditPatterns(kPatterns);
  std::vector<Scenario> catalogue = DiscoverScenarios({test_support::SourceRoot() / "scenarios"});
  ASSERT_GE(patterns.size(), 8u);
  for (const auto& pattern : patterns) {
    bool measured = false;
    bool migrated = false;
    for (const auto& scenario : catalogue) {
      measured |= scenario.id == pattern.scenario;
      migrated |= scenario.migration_of == pattern.scenario;
    }
    EXPECT_TRUE(measured) << pattern.id << ": no scenario " << pattern.scenario;
    EXPECT_TRUE(migrated) << pattern.id << ": " << pattern.scenario << " has no migrated variant";
    EXPECT_EQ(pattern.help_uri.rfind("https://", 0), 0u) << pattern.id;
  }
}

class BadPatternsTest : public ::testing::Test {
 protected:
  std::string ErrorOf(const std::string& text) {
    fs::path file = fs::path(::testing::TempDir()) / "patterns.toml";
    std::ofstream(file) << text;
    try {
      ReadAuditPatterns(file);
    } catch (const AuditInputError& e) {
      std::string message = e.what();
      return message.substr(message.find("patterns.toml"));
    }
    return "no error";
  }
};

TEST_F(BadPatternsTest, EachMistakeIsOneLineNamingTheFileAndLine) {
  const std::string good =
      "title = \"t\"\nscenario = \"s\"\nremediation = \"r\"\nhelp_uri = \"https://x\"\n";
  EXPECT_EQ(ErrorOf("[p]\nlevel = \"fatal\"\n" + good),
            "patterns.toml:1: [p] level must be error, warning or note, not 'fatal'");
  EXPECT_EQ(ErrorOf("\n[p]\nlevel = \"note\"\ntitle = \"\"\n"),
            "patterns.toml:2: [p] needs a non-empty string 'title'");
  EXPECT_EQ(ErrorOf("[p\n"),
            "patterns.toml:1: Error while parsing table header: expected ']', saw '\\n'");
  EXPECT_EQ(ErrorOf(""), "patterns.toml: no patterns");
}

}  // namespace
}  // namespace dspy_compat
