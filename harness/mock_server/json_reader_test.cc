#include "mock_server/json_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "mock_server/test_data.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

// Parses with both parsers and expects the same verdict and value, typed the same way.
void ExpectSame(std::string_view text) {
  json ours = ParseJson(text);
  json theirs = json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_EQ(ours.is_discarded(), theirs.is_discarded()) << text;
  if (ours.is_discarded()) return;
  EXPECT_EQ(ours, theirs) << text;
  EXPECT_EQ(ours.type(), theirs.type()) << text;
  EXPECT_EQ(ours.dump(), theirs.dump()) << text;
}

TEST(JsonReaderTest, RealRequestBodies) {
  for (const char* name : {"cot_question_answer", "typed_outputs", "json_structured_outputs"}) {
    for (const char* release : {"dspy2540", "dspy341"}) {
      ExpectSame(testing::LoadPrompt(name, release).dump(2));
      ExpectSame(testing::LoadPrompt(name, release).dump());
    }
  }
}

TEST(JsonReaderTest, ScalarsAndNumbersTypedAsNlohmann) {
  for (std::string_view text : {"0",
                                "-0",
                                "7",
                                "-7",
                                "18446744073709551615",
                                "18446744073709551616",
                                "-9223372036854775808",
                                "-9223372036854775809",
                                "1.5",
                                "-0.0",
                                "1e5",
                                "1E-5",
                                "2.5e+3",
                                "1e-400",
                                "1e999",
                                "true",
                                "false",
                                "null",
                                " \t\n\r 3 \n",
                                "\"\"",
                                "01",
                                "1.",
                                ".5",
                                "-",
                                "+1",
                                "1e",
                                "0x10",
                                "tru",
                                "nul",
                                "NaN",
                                "Infinity"}) {
    ExpectSame(text);
  }
}

TEST(JsonReaderTest, Strings) {
  for (std::string_view text :
       {R"("plain")", R"("esc \" \\ \/ \b \f \n \r \t")", R"("\u00e9\u4e2d\ud834\udd1e")",
        R"("\ud834")", R"("\udd1e")", R"("\ud834\u0041")", R"("\u12")", R"("\x")",
        "\"caf\xc3\xa9\"", "\"caf\xc3\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "\"tab\there\"",
        "\"unterminated", "\"\x7f\""}) {
    ExpectSame(text);
  }
}

TEST(JsonReaderTest, Structures) {
  for (std::string_view text :
       {"{}", "[]", "[1, [2, [3]], {\"a\": {}}]", R"({"a": 1, "a": 2})", R"({"b": 1, "a": [true]})",
        "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{1: 2}", "[1 2]", "[", "{", "]", "[1] x",
        "\xEF\xBB\xBF[1]", "", "   "}) {
    ExpectSame(text);
  }
}

TEST(JsonReaderTest, NulIsNotTheEndOfInput) {
  // nlohmann stops reading at a NUL outside a string; a body with one is not JSON to us.
  std::string text("4\0garbage", 10);
  EXPECT_TRUE(ParseJson(text).is_discarded());
  EXPECT_FALSE(json::parse(text, nullptr, false).is_discarded());
}

TEST(JsonReaderTest, DeepNestingIsRejectedNotACrash) {
  std::string deep(100000, '[');
  EXPECT_TRUE(ParseJson(deep).is_discarded());
  std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_FALSE(ParseJson(ok).is_discarded());
  std::string too_deep = "[" + ok + "]";
  EXPECT_TRUE(ParseJson(too_deep).is_discarded());
}

}  // namespace
}  // namespace dspy_compat::mock
