#include "mock_server/byte_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace dspy_compat::mock {
namespace {

std::size_t NaiveRun(std::string_view text, bool& any_high) {
  any_high = false;
  std::size_t i = 0;
  for (; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\' || c < 0x20) break;
    any_high |= c >= 0x80;
  }
  return i;
}

int NaiveWords(std::string_view text) {
  int words = 0;
  bool after_space = true;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    words += static_cast<int>(after_space && !space);
    after_space = space;
  }
  return words;
}

// Random text biased towards the bytes that matter, every length up to a few words of 8.
TEST(ByteScanTest, AgreesWithTheObviousLoops) {
  std::mt19937 random(7);
  const std::string alphabet = std::string("ab \n\t\r\"\\\x01\x1f\x7f\xc3\xa9\xff", 15) + "xyz";
  for (int round = 0; round < 20000; ++round) {
    std::string text(random() % 40, ' ');
    for (char& c : text) c = alphabet[random() % alphabet.size()];
    bool fast_high = false;
    bool naive_high = false;
    ASSERT_EQ(PlainStringRun(text, fast_high), NaiveRun(text, naive_high)) << text;
    ASSERT_EQ(fast_high, naive_high) << text;
    ASSERT_EQ(CountWords(text), NaiveWords(text)) << text;
  }
}

TEST(ByteScanTest, Examples) {
  bool high = false;
  EXPECT_EQ(PlainStringRun("hello world, long enough\"rest", high), 24U);
  EXPECT_FALSE(high);
  EXPECT_EQ(PlainStringRun("caf\xc3\xa9 au lait\\n", high), 13U);
  EXPECT_TRUE(high);
  EXPECT_EQ(PlainStringRun("", high), 0U);
  EXPECT_EQ(CountWords("  [[ ## answer ## ]]\nmock answer 1a2b3c\n\n"), 8);
  EXPECT_EQ(CountWords(""), 0);
  EXPECT_EQ(CountWords("one"), 1);
}

}  // namespace
}  // namespace dspy_compat::mock
