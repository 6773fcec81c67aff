#include "mock_server/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

TEST(JsonTextTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c\n\t\r\b\f"), R"("a\"b\\c\n\t\r\b\f")");
  EXPECT_EQ(JsonString(std::string_view("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(JsonString(""), "\"\"");
}

TEST(JsonTextTest, RoundTripsThroughAParser) {
  for (std::string_view text : {"[[ ## answer ## ]]\nmock answer 1a2b3c\n\n", "ünïcödé ✓ 𝄞",
                                "{\"nested\": \"json\"}", "tab\there"}) {
    EXPECT_EQ(json::parse(JsonString(text)).get<std::string>(), text);
  }
}

TEST(JsonTextTest, InvalidUtf8BecomesReplacementCharacters) {
  for (std::string_view bad : {std::string_view("caf\xc3"), std::string_view("\xff\xfe"),
                               std::string_view("\xc0\xaf"),             // overlong '/'
                               std::string_view("\xed\xa0\x80"),         // a surrogate
                               std::string_view("\xf4\x90\x80\x80")}) {  // past U+10FFFF
    EXPECT_FALSE(IsValidUtf8(bad));
    std::string out = JsonString(bad);
    json parsed;
    ASSERT_NO_THROW(parsed = json::parse(out)) << out;
    EXPECT_NE(parsed.get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
  }
  EXPECT_TRUE(IsValidUtf8("ünï 𝄞"));
  EXPECT_EQ(json::parse(JsonString("a\xff"
                                   "b"))
                .get<std::string>(),
            "a\xEF\xBF\xBD"
            "b");
}

}  // namespace
}  // namespace dspy_compat::mock
