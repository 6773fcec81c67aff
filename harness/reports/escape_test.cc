#include "reports/escape.h"

#include <gtest/gtest.h>

namespace dspy_compat {
namespace {

TEST(EscapeTest, ValidUtf8PassesThrough) {
  EXPECT_EQ(ValidUtf8("caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x98\x80");
}

TEST(EscapeTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(ValidUtf8("cut \xC3"), "cut \xEF\xBF\xBD");          // truncated sequence
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(ValidUtf8("\xFF"), "\xEF\xBF\xBD");
}

TEST(EscapeTest, XmlEscapesMarkupAndDropsControlCharacters) {
  EXPECT_EQ(EscapeXml("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(EscapeXml("a\x01\x1b[31mb\tc\n"), "a[31mb\tc\n");
}

TEST(EscapeTest, MarkdownPlainTextStaysPlainOnOneLine) {
  EXPECT_EQ(EscapeMarkdown("__init__ *a* [b](c) <d> ~e~ & `f` \\"),
            "\\_\\_init\\_\\_ \\*a\\* \\[b\\](c) \\<d\\> \\~e\\~ \\& \\`f\\` \\\\");
  EXPECT_EQ(EscapeMarkdown("one\ntwo\r\tthree"), "one two  three");
  EXPECT_EQ(EscapeMarkdown("a | b"), "a | b");  // a pipe is the cell's business
}

TEST(EscapeTest, AMarkdownCellEscapesEveryPipeAndStaysOnItsRow) {
  EXPECT_EQ(MarkdownCell("`a|b` | c\\|d"), "`a\\|b` \\| c\\\\|d");
  EXPECT_EQ(MarkdownCell("one\ntwo"), "one two");
  EXPECT_EQ(MarkdownCell(EscapeMarkdown("x_y|z")), "x\\_y\\|z");
}

}  // namespace
}  // namespace dspy_compat
