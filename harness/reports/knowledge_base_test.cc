#include "reports/knowledge_base.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace dspy_compat {
namespace {

TEST(KnowledgeBaseTest, NoLmOn2540IsTheThreadingLocalChange) {
  const KnownChange* change = Diagnose("AssertionError: No LM is loaded.", "2.5.40");
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->id, "context-threading-local");
  EXPECT_NE(change->change.find("#1860"), std::string_view::npos);
  EXPECT_NE(change->remediation.find("outermost"), std::string_view::npos);
  EXPECT_TRUE(change->regression);
  // Later 2.5 releases kept settings.py; 2.6.0 changed it again.
  EXPECT_NE(Diagnose("AssertionError: No LM is loaded.", "2.5.43"), nullptr);
  EXPECT_EQ(Diagnose("AssertionError: No LM is loaded.", "2.6.0"), nullptr);
}

TEST(KnowledgeBaseTest, NoLmOnAReleaseBeforeTheChangeIsNotExplainedByIt) {
  EXPECT_EQ(Diagnose("AssertionError: No LM is loaded.", "2.5.39"), nullptr);
  EXPECT_EQ(Diagnose("AssertionError: No LM is loaded.", ""), nullptr);
}

TEST(KnowledgeBaseTest, AsyncifyMainThreadAssertionIsInBothReleases) {
  for (const char* version : {"2.5.39", "2.5.40", ""}) {
    const KnownChange* change =
        Diagnose("AssertionError: asyncify can only be called from the main thread", version);
    ASSERT_NE(change, nullptr) << version;
    EXPECT_EQ(change->id, "asyncify-main-thread");
    EXPECT_FALSE(change->regression);
  }
}

TEST(KnowledgeBaseTest, SilentlyIgnoredOverride) {
  const KnownChange* change = Diagnose(
      "AssertionError: dspy.context(lm=...) was ignored: 15 calls went to openai/gpt-4o, 1 to "
      "the globally configured openai/gpt-4o-mini",
      "2.5.40");
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->id, "context-override-ignored");
}

TEST(KnowledgeBaseTest, UnknownSignatureHasNoDiagnosis) {
  EXPECT_EQ(Diagnose("ValueError: bad input", "2.5.40"), nullptr);
}

TEST(KnowledgeBaseTest, EveryEntryIsComplete) {
  std::set<std::string_view> ids;
  for (const KnownChange& change : KnownChanges()) {
    EXPECT_TRUE(ids.insert(change.id).second) << change.id;
    EXPECT_NO_THROW(std::regex(std::string(change.signature_pattern))) << change.id;
    EXPECT_FALSE(change.title.empty() || change.change.empty() || change.cause.empty() ||
                 change.root_cause.empty() || change.remediation.empty() ||
                 change.references.empty())
        << change.id;
    for (const Reference& r : change.references) {
      EXPECT_EQ(r.url.rfind("https://github.com/stanfordnlp/dspy/", 0), 0u) << r.url;
    }
  }
}

}  // namespace
}  // namespace dspy_compat
