#include "mock_server/responder.h"

#include <gtest/gtest.h>

#include "mock_server/test_data.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;
using testing::LoadPrompt;

Answer RespondTo(const json& body, const ResponseContext& context = {}, LmApi api = LmApi::kChat) {
  return Respond(ParseLmRequest(api, body.dump()), context);
}

std::string ContentOf(const json& body, const ResponseContext& context = {}) {
  return RespondTo(body, context).choices.at(0);
}

// What follows the marker for `name`, up to the next blank line.
std::string Section(const std::string& content, const std::string& name) {
  std::string marker = "[[ ## " + name + " ## ]]\n";
  std::size_t at = content.find(marker);
  if (at == std::string::npos) return "<missing>";
  at += marker.size();
  return content.substr(at, content.find("\n\n", at) - at);
}

std::shared_ptr<const Rule> RuleFrom(std::string_view text) {
  return ParseFixtures(text).rules.at(0);
}

TEST(ResponderTest, AnswersEveryOutputFieldInDspyFormat) {
  for (const char* release : {"dspy2540", "dspy341"}) {
    Answer a = RespondTo(LoadPrompt("cot_question_answer", release), {.seed = 1, .run_id = "r"});
    const std::string& content = a.choices.at(0);
    EXPECT_TRUE(content.starts_with("[[ ## reasoning ## ]]\nmock reasoning ")) << content;
    EXPECT_TRUE(content.ends_with("\n\n[[ ## completed ## ]]")) << content;
    EXPECT_LT(content.find("[[ ## reasoning ## ]]"), content.find("[[ ## answer ## ]]"));
    EXPECT_TRUE(Section(content, "answer").starts_with("mock answer "));
    EXPECT_EQ(content.find("[[ ## question ## ]]"), std::string::npos);
    EXPECT_EQ(a.output_fields, (std::vector<std::string>{"reasoning", "answer"})) << release;
  }
}

TEST(ResponderTest, ModelUsageAndHash) {
  Answer a = RespondTo(LoadPrompt("predict_context_question"));
  EXPECT_EQ(a.model, "gpt-4o-mini");
  EXPECT_EQ(a.finish_reason, "stop");
  EXPECT_GT(a.prompt_tokens, 20);
  EXPECT_GT(a.completion_tokens, 3);
  EXPECT_NE(a.hash, 0U);
}

TEST(ResponderTest, DeterministicFromSeedRunAndRequest) {
  json request = LoadPrompt("cot_question_answer");
  ResponseContext base{.seed = 7, .run_id = "run-a", .seq = 3};
  std::string same = ContentOf(request, base);
  EXPECT_EQ(same, ContentOf(request, base));
  // The arrival position does not matter: concurrent requests replay whatever their order.
  ResponseContext later = base;
  later.seq = 9;
  EXPECT_EQ(same, ContentOf(request, later));

  ResponseContext other_seed = base;
  other_seed.seed = 8;
  ResponseContext other_run = base;
  other_run.run_id = "run-b";
  EXPECT_NE(same, ContentOf(request, other_seed));
  EXPECT_NE(same, ContentOf(request, other_run));
  json other_question = request;
  other_question["messages"][1]["content"] = "[[ ## question ## ]]\nAnother?";
  EXPECT_NE(same, ContentOf(other_question, base));
  json other_model = request;
  other_model["model"] = "gpt-4o";
  EXPECT_NE(same, ContentOf(other_model, base));
}

TEST(ResponderTest, TypedFieldsGetParseableValues) {
  for (const char* release : {"dspy2540", "dspy341"}) {
    std::string content = ContentOf(LoadPrompt("typed_outputs", release), {.seed = 3});
    EXPECT_NO_THROW((void)std::stoi(Section(content, "count"))) << content;
    std::string ok = Section(content, "ok");
    EXPECT_TRUE(ok == "True" || ok == "False") << ok;
    EXPECT_TRUE(json::parse(Section(content, "score")).is_number());
    EXPECT_TRUE(json::parse(Section(content, "tags")).is_array());
    std::string label = Section(content, "label");
    EXPECT_TRUE(label == "pos" || label == "neg" || label == "neutral") << label;

    std::string structured = ContentOf(LoadPrompt("structured_outputs", release), {.seed = 3});
    std::string sentiment = Section(structured, "sentiment");
    EXPECT_TRUE(sentiment == "POSITIVE" || sentiment == "NEGATIVE" || sentiment == "positive" ||
                sentiment == "negative")
        << sentiment;
    EXPECT_TRUE(json::parse(Section(structured, "person"))["age"].is_number_integer());
    EXPECT_TRUE(json::parse(Section(structured, "maybe")).is_number_integer());
  }
}

TEST(ResponderTest, JsonAdapterGetsAJsonObjectInFieldOrder) {
  for (const char* release : {"dspy2540", "dspy341"}) {
    std::string content =
        ContentOf(LoadPrompt("json_structured_outputs", release), {.seed = 3, .echo_model = true});
    EXPECT_TRUE(content.starts_with(R"({"sentiment": )")) << content;
    json value = json::parse(content);
    EXPECT_TRUE(value["person"]["age"].is_number_integer());
    EXPECT_TRUE(value["scores"].is_object());
    EXPECT_TRUE(value["maybe"].is_number_integer());

    json cot = json::parse(ContentOf(LoadPrompt("json_cot_question_answer", release)));
    EXPECT_TRUE(cot["reasoning"].get<std::string>().starts_with("mock reasoning ")) << release;
    EXPECT_TRUE(cot["answer"].is_string());
  }
  json plain = {{"messages", {{{"role", "user"}, {"content", "hi"}}}},
                {"response_format", {{"type", "json_object"}}}};
  EXPECT_TRUE(json::parse(ContentOf(plain))["response"].is_string());
}

TEST(ResponderTest, StructuredOutputsSchemaNamesTheFieldsWhenThePromptDoesNot) {
  json request = {
      {"model", "m"},
      {"messages", {{{"role", "user"}, {"content", "free-form"}}}},
      {"response_format",
       {{"type", "json_schema"},
        {"json_schema",
         {{"name", "out"},
          {"schema",
           {{"type", "object"},
            {"properties", {{"answer", {{"type", "string"}}}, {"n", {{"type", "integer"}}}}}}}}}}}};
  Answer a = RespondTo(request);
  json value = json::parse(a.choices.at(0));
  EXPECT_TRUE(value["answer"].is_string());
  EXPECT_TRUE(value["n"].is_number_integer());
  EXPECT_EQ(a.output_fields, (std::vector<std::string>{"answer", "n"}));
}

TEST(ResponderTest, EchoModelMarksTextValuesOnly) {
  json request = LoadPrompt("typed_outputs");
  request["model"] = "gpt-4o";
  EXPECT_EQ(ContentOf(request, {.echo_model = true}).find("[model="), std::string::npos);

  request = LoadPrompt("cot_question_answer");
  request["model"] = "openai/other";
  std::string content = ContentOf(request, {.echo_model = true});
  EXPECT_TRUE(Section(content, "reasoning").ends_with(" [model=openai/other]"));
  EXPECT_TRUE(Section(content, "answer").ends_with(" [model=openai/other]"));
  EXPECT_EQ(ContentOf(request, {}).find("[model="), std::string::npos);
}

TEST(ResponderTest, PlainTextWithoutMarkers) {
  json request = {{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "Say hi."}}}}};
  Answer a = RespondTo(request, {.echo_model = true});
  EXPECT_TRUE(a.choices[0].starts_with("mock response ")) << a.choices[0];
  EXPECT_TRUE(a.choices[0].ends_with(" [model=m]"));
  EXPECT_TRUE(a.output_fields.empty());
}

TEST(ResponderTest, SeveralChoicesDifferAndTheFirstMatchesASingleChoice) {
  json request = LoadPrompt("cot_question_answer");
  std::string single = ContentOf(request);
  request["n"] = 3;
  Answer a = RespondTo(request);
  ASSERT_EQ(a.choices.size(), 3U);
  EXPECT_EQ(a.choices[0], single);
  EXPECT_NE(a.choices[1], single);
  EXPECT_NE(a.choices[1], a.choices[2]);
}

TEST(ResponderTest, TextCompletionsReadDspyTextModePrompts) {
  // dspy.LM(model_type="text") joins the messages into one prompt.
  json chat = LoadPrompt("cot_question_answer");
  std::string prompt = chat["messages"][0]["content"].get<std::string>() + "\n\n" +
                       chat["messages"][1]["content"].get<std::string>() + "\n\nBEGIN RESPONSE:";
  Answer a =
      RespondTo({{"model", "gpt-3.5-turbo-instruct"}, {"prompt", prompt}}, {}, LmApi::kCompletions);
  EXPECT_EQ(a.output_fields, (std::vector<std::string>{"reasoning", "answer"}));
  EXPECT_TRUE(a.choices[0].starts_with("[[ ## reasoning ## ]]"));
  Answer two = RespondTo({{"prompt", {"a", "b"}}, {"n", 2}}, {}, LmApi::kCompletions);
  EXPECT_EQ(two.choices.size(), 4U);
}

TEST(ResponderTest, RuleFieldsReplaceValuesAndKeepTheLayout) {
  auto rule = RuleFrom(R"js({"name": "paris", "respond": {"fields": {
      "answer": "Paris ({{model}}, {{input.question}})", "confidence": 0.9}}})js");
  json request = LoadPrompt("cot_question_answer");
  std::string content = ContentOf(request, {.rule = rule.get(), .nth = 1});
  EXPECT_TRUE(Section(content, "reasoning").starts_with("mock reasoning "));
  EXPECT_EQ(Section(content, "answer"), "Paris (gpt-4o-mini, What is the capital of France?)");
  EXPECT_EQ(Section(content, "confidence"), "0.9");  // asked for or not, it is sent
  EXPECT_TRUE(content.ends_with("[[ ## completed ## ]]"));

  json value = json::parse(ContentOf(LoadPrompt("json_cot_question_answer"), {.rule = rule.get()}));
  EXPECT_EQ(value["answer"], "Paris (gpt-4o-mini, What is the capital of France?)");
  EXPECT_EQ(value["confidence"], 0.9);
}

TEST(ResponderTest, QuotableValuesAreTheFieldValuesAFollowUpWouldQuote) {
  EXPECT_TRUE(RespondTo(LoadPrompt("cot_question_answer")).quotable.empty());  // not asked for
  Answer a =
      RespondTo(LoadPrompt("cot_question_answer"), {.seed = 1, .run_id = "r", .quotable = true});
  const std::string& content = a.choices.at(0);
  ASSERT_EQ(a.quotable.size(), 2U);
  EXPECT_EQ(a.quotable[0], Section(content, "reasoning"));
  EXPECT_EQ(a.quotable[1], Section(content, "answer"));

  // A rule's replaced value is not what went out: the schedule keeps only what the content holds.
  auto rule = RuleFrom(R"({"name": "paris", "respond": {"fields": {"answer": "Paris"}}})");
  Answer ruled =
      RespondTo(LoadPrompt("cot_question_answer"), {.rule = rule.get(), .quotable = true});
  EXPECT_EQ(Section(ruled.choices.at(0), "answer"), "Paris");
  EXPECT_EQ(ruled.choices.at(0).find(ruled.quotable.at(1)), std::string::npos);
}

TEST(ResponderTest, RuleContentTemplates) {
  auto rule = RuleFrom(R"({"name": "raw", "respond": {"content":
      "{{rule}} {{run}} #{{seq}}/{{nth}} {{hash}} <{{field.answer}}> {{answer}}",
      "finish_reason": "length", "echo_model": true}})");
  Answer a = RespondTo(LoadPrompt("cot_question_answer"),
                       {.run_id = "r9", .seq = 4, .rule = rule.get(), .nth = 2});
  const std::string& content = a.choices[0];
  EXPECT_TRUE(content.starts_with("raw r9 #4/2 ")) << content;
  EXPECT_NE(content.find("<mock answer "), std::string::npos);
  EXPECT_NE(content.find("[model=gpt-4o-mini]>"), std::string::npos);  // the rule echoes
  EXPECT_NE(content.find("[[ ## reasoning ## ]]"), std::string::npos);
  EXPECT_EQ(a.finish_reason, "length");
}

}  // namespace
}  // namespace dspy_compat::mock
