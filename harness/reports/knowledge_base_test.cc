#include "reports/knowledge_base.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "core/sha256.h"
#include "reports/test_knowledge.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

const KnownChange* Diagnose(std::string_view signature, std::string_view version) {
  return BundledKnowledge().Diagnose(signature, version);
}

TEST(KnowledgeBaseTest, NoLmOn2540IsTheThreadingLocalChange) {
  const KnownChange* change = Diagnose("AssertionError: No LM is loaded.", "2.5.40");
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->id, "context-threading-local");
  EXPECT_NE(change->change.find("#1860"), std::string::npos);
  EXPECT_NE(change->remediation.find("outermost"), std::string::npos);
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
  EXPECT_EQ(KnowledgeBase().Diagnose("AssertionError: No LM is loaded.", "2.5.40"), nullptr);
}

TEST(KnowledgeBaseTest, EveryBundledEntryIsCompleteAndReferencesDspy) {
  std::set<std::string> ids;
  ASSERT_EQ(BundledKnowledge().changes().size(), 5u);
  for (const KnownChange& change : BundledKnowledge().changes()) {
    EXPECT_TRUE(ids.insert(change.id).second) << change.id;
    EXPECT_FALSE(change.references.empty()) << change.id;
    for (const Reference& r : change.references) {
      EXPECT_EQ(r.url.rfind("https://github.com/stanfordnlp/dspy/", 0), 0u) << r.url;
    }
  }
}

TEST(KnowledgeBaseTest, RecordsEachFileWithItsHash) {
  const fs::path bundled = BundledKnowledgeFile(test_support::SourceRoot());
  ASSERT_EQ(BundledKnowledge().files().size(), 1u);
  EXPECT_EQ(BundledKnowledge().files()[0].path, bundled.string());
  EXPECT_EQ(BundledKnowledge().files()[0].sha256, Sha256Hex(test_support::ReadText(bundled)));
}

// A team's file: entries of its own, in the same form.
class KnowledgeFileTest : public ::testing::Test {
 protected:
  fs::path Write(const std::string& text) {
    fs::path file = fs::temp_directory_path() / ("knowledge_test_" + std::to_string(::getpid()) +
                                                 "_" + std::to_string(files_.size()) + ".toml");
    std::ofstream(file, std::ios::binary) << text;
    files_.push_back(file);
    return file;
  }
  // The one-line error a malformed file gives, "" when it loads.
  std::string ErrorOf(const std::string& text) {
    fs::path file = Write(text);
    try {
      KnowledgeBase knowledge({file});
    } catch (const KnowledgeError& e) {
      std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      EXPECT_EQ(what.rfind(file.string() + ":", 0), 0u) << what;
      return what.substr(file.string().size() + 1);
    }
    return "";
  }
  void TearDown() override {
    for (const fs::path& file : files_) fs::remove(file);
  }
  std::vector<fs::path> files_;
};

constexpr const char* kTeamEntry = R"(schema = "dspy-compat/knowledge/v1"
[[change]]
id = "team-cache-key"
signature = 'KeyError: .cache_key.'
since = "2.5.40"
title = "Our cache wrapper reads a key DSPy 2.5.40 no longer sets"
change = "DSPy 2.5.40 stopped putting `cache_key` into LM kwargs."
cause = "the missing `cache_key` in DSPy 2.5.40"
root_cause = "acme/llm_cache.py reads kwargs['cache_key']."
remediation = "Use `kwargs.get('cache_key')` in acme/llm_cache.py."
references = [{ label = "ACME-123", url = "https://tracker.example/ACME-123" }]
)";

TEST_F(KnowledgeFileTest, ATeamsEntryExplainsItsSignatureAfterTheBundledOnes) {
  KnowledgeBase knowledge({Write(kTeamEntry), BundledKnowledgeFile(test_support::SourceRoot())});
  const KnownChange* change = knowledge.Diagnose("KeyError: 'cache_key'", "2.5.40");
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->id, "team-cache-key");
  EXPECT_TRUE(change->regression);  // the default
  EXPECT_EQ(knowledge.Diagnose("KeyError: 'cache_key'", "2.5.39"), nullptr);
  ASSERT_NE(knowledge.Diagnose("AssertionError: No LM is loaded.", "2.5.40"), nullptr);
  EXPECT_EQ(knowledge.files().size(), 2u);
}

TEST_F(KnowledgeFileTest, MalformedEntriesNameTheFileAndTheKey) {
  const std::string head = "schema = \"dspy-compat/knowledge/v1\"\n[[change]]\n";
  const std::string rest =
      "title = \"t\"\nchange = \"c\"\ncause = \"c\"\nroot_cause = \"r\"\nremediation = \"r\"\n";
  EXPECT_EQ(ErrorOf(head + "signature = 'x'\n" + rest),
            " change[0].id: missing (a non-empty string)");
  EXPECT_EQ(ErrorOf(head + "id = \"a\"\nsignature = '('\n" + rest)
                .rfind(" change[0] (id \"a\").signature: not a valid RE2 regular expression (", 0),
            0u);
  EXPECT_EQ(ErrorOf(head + "id = \"a\"\nsignature = 'x'\nsince = \"2.5.x\"\n" + rest),
            " change[0] (id \"a\").since: expected a release like \"2.5.40\", got \"2.5.x\"");
  EXPECT_EQ(
      ErrorOf(head + "id = \"a\"\nsignature = 'x'\nsince = \"2.6.0\"\nuntil = \"2.5.0\"\n" + rest),
      " change[0] (id \"a\").until: must be a later release than since");
  EXPECT_EQ(ErrorOf(head + "id = \"a\"\nsignature = 'x'\nregresion = true\n" + rest),
            " change[0].regresion: unknown key (known: id, signature, since, until, title, change, "
            "cause, root_cause, remediation, regression, references)");
  EXPECT_EQ(ErrorOf(head + "id = \"a\"\nsignature = 'x'\nregression = \"yes\"\n" + rest),
            " change[0] (id \"a\").regression: expected true or false");
  EXPECT_EQ(
      ErrorOf(head + "id = \"a\"\nsignature = 'x'\nreferences = [{ label = \"l\" }]\n" + rest),
      " change[0] (id \"a\").references[0].url: missing (a non-empty string)");
  EXPECT_EQ(ErrorOf(head + "id = \"a\"\nsignature = 'x'\n" + rest + "[[change]]\nid = \"a\"\n" +
                    "signature = 'y'\n" + rest),
            " change[1].id: \"a\" is defined already");
  EXPECT_EQ(ErrorOf("[[change]]\n"), " schema: expected \"dspy-compat/knowledge/v1\"");
  EXPECT_EQ(ErrorOf("schema = \"dspy-compat/knowledge/v1\"\nchanges = 1\n"),
            " changes: unknown key (known: schema, change)");
  EXPECT_EQ(ErrorOf("schema = \"dspy-compat/knowledge/v1\"\n"),
            " change: expected [[change]] tables");
  EXPECT_EQ(ErrorOf("schema = = 1\n").substr(0, 2), "1:");  // the TOML parser's line
  EXPECT_EQ(ErrorOf(kTeamEntry), "");
}

// A signature is a run's message, of any length: std::regex's recursion per
// character overflowed the stack on a long one (issue 16). RE2 is linear.
TEST_F(KnowledgeFileTest, PatternsMatchSignaturesOfAnyLength) {
  std::string entry = kTeamEntry;
  entry.replace(entry.find("'KeyError: .cache_key.'"), 23, "'^ValueError: (ab|cd)*!$'");
  KnowledgeBase knowledge({Write(entry)});
  std::string message = "ValueError: ";
  for (int i = 0; i < 100000; ++i) message += i % 2 ? "cd" : "ab";
  ASSERT_NE(knowledge.Diagnose(message + "!", "2.5.40"), nullptr);
  EXPECT_EQ(knowledge.Diagnose(message + "?", "2.5.40"), nullptr);
}

TEST_F(KnowledgeFileTest, AMissingFileIsAnError) {
  EXPECT_THROW(KnowledgeBase({fs::path("/nonexistent/knowledge.toml")}), KnowledgeError);
}

}  // namespace
}  // namespace dspy_compat
