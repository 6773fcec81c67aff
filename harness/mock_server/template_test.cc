#include "mock_server/template.h"

#include <gtest/gtest.h>

namespace dspy_compat::mock {
namespace {

TEST(TemplateTest, RendersEveryPlaceholder) {
  Template t = Template::Compile(
      "{{model}}|{{run}}|{{seq}}|{{nth}}|{{rule}}|{{hash}}|{{ field.answer }}|{{input.question}}|"
      "{{answer}}");
  TemplateValues v{.model = "gpt-4o",
                   .run = "r1",
                   .seq = 3,
                   .nth = 2,
                   .rule = "slow",
                   .hash = "abc123",
                   .answer = [] { return std::string("ANSWER"); },
                   .field = [](std::string_view name) { return "F:" + std::string(name); },
                   .input = [](std::string_view name) { return "I:" + std::string(name); }};
  EXPECT_EQ(t.Render(v), "gpt-4o|r1|3|2|slow|abc123|F:answer|I:question|ANSWER");
  EXPECT_FALSE(t.constant());
}

TEST(TemplateTest, LiteralsStayAsWritten) {
  Template t = Template::Compile("Paris { not a placeholder } }}");
  EXPECT_TRUE(t.constant());
  EXPECT_EQ(t.Render({}), "Paris { not a placeholder } }}");
  EXPECT_EQ(Template::Compile("").Render({}), "");
  EXPECT_EQ(t.source(), "Paris { not a placeholder } }}");
}

TEST(TemplateTest, MistakesFailAtCompileTime) {
  EXPECT_THROW(Template::Compile("{{modle}}"), TemplateError);
  EXPECT_THROW(Template::Compile("{{field.}}"), TemplateError);
  EXPECT_THROW(Template::Compile("open {{model"), TemplateError);
  try {
    Template::Compile("{{nope}}");
  } catch (const TemplateError& e) {
    EXPECT_NE(std::string(e.what()).find("known: model"), std::string::npos) << e.what();
  }
}

TEST(TemplateTest, MissingCallbacksRenderEmpty) {
  EXPECT_EQ(Template::Compile("[{{answer}}{{field.x}}{{input.y}}]").Render({}), "[]");
}

}  // namespace
}  // namespace dspy_compat::mock
