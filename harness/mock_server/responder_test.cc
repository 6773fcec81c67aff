#include "mock_server/responder.h"

#include <gtest/gtest.h>

#include "mock_server/test_data.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;
using testing::LoadPrompt;

std::string ContentOf(const ChatCompletion& completion) {
  return completion.body["choices"][0]["message"]["content"];
}

// What follows the marker for `name`, up to the next blank line.
std::string Section(const std::string& content, const std::string& name) {
  std::string marker = "[[ ## " + name + " ## ]]\n";
  std::size_t at = content.find(marker);
  if (at == std::string::npos) return "<missing>";
  at += marker.size();
  return content.substr(at, content.find("\n\n", at) - at);
}

TEST(ResponderTest, AnswersEveryOutputFieldInDspyFormat) {
  ChatCompletion c = Respond(LoadPrompt("cot_question_answer"), {.seed = 1, .run_id = "r"});
  std::string content = ContentOf(c);
  EXPECT_TRUE(content.starts_with("[[ ## reasoning ## ]]\nmock reasoning ")) << content;
  EXPECT_TRUE(content.ends_with("\n\n[[ ## completed ## ]]")) << content;
  EXPECT_LT(content.find("[[ ## reasoning ## ]]"), content.find("[[ ## answer ## ]]"));
  EXPECT_TRUE(Section(content, "answer").starts_with("mock answer "));
  EXPECT_EQ(content.find("[[ ## question ## ]]"), std::string::npos);
  EXPECT_EQ(c.output_fields, (std::vector<std::string>{"reasoning", "answer"}));
}

TEST(ResponderTest, OpenAiChatCompletionShape) {
  ChatCompletion c = Respond(LoadPrompt("predict_context_question"), {});
  const json& body = c.body;
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(c.model, "gpt-4o-mini");
  EXPECT_TRUE(body["id"].get<std::string>().starts_with("chatcmpl-"));
  EXPECT_TRUE(body["created"].is_number_integer());
  ASSERT_EQ(body["choices"].size(), 1U);
  EXPECT_EQ(body["choices"][0]["index"], 0);
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  const json& usage = body["usage"];
  EXPECT_GT(usage["prompt_tokens"].get<int>(), 20);
  EXPECT_GT(usage["completion_tokens"].get<int>(), 3);
  EXPECT_EQ(usage["total_tokens"].get<int>(),
            usage["prompt_tokens"].get<int>() + usage["completion_tokens"].get<int>());
}

TEST(ResponderTest, DeterministicPerSeedRunAndSequence) {
  json request = LoadPrompt("cot_question_answer");
  ResponseContext base{.seed = 7, .run_id = "run-a", .seq = 3};
  std::string same = ContentOf(Respond(request, base));
  EXPECT_EQ(same, ContentOf(Respond(request, base)));
  EXPECT_EQ(Respond(request, base).body.dump(), Respond(request, base).body.dump());

  ResponseContext other_seed = base;
  other_seed.seed = 8;
  ResponseContext other_run = base;
  other_run.run_id = "run-b";
  ResponseContext other_seq = base;
  other_seq.seq = 4;
  EXPECT_NE(same, ContentOf(Respond(request, other_seed)));
  EXPECT_NE(same, ContentOf(Respond(request, other_run)));
  EXPECT_NE(same, ContentOf(Respond(request, other_seq)));
}

TEST(ResponderTest, TypedFieldsGetParseableValues) {
  std::string content = ContentOf(Respond(LoadPrompt("typed_outputs"), {.seed = 3}));
  EXPECT_NO_THROW((void)std::stoi(Section(content, "count")));
  std::string ok = Section(content, "ok");
  EXPECT_TRUE(ok == "True" || ok == "False") << ok;
  EXPECT_TRUE(json::parse(Section(content, "score")).is_number());
  EXPECT_TRUE(json::parse(Section(content, "tags")).is_array());
  std::string label = Section(content, "label");
  EXPECT_TRUE(label == "pos" || label == "neg" || label == "neutral") << label;

  std::string structured = ContentOf(Respond(LoadPrompt("structured_outputs"), {.seed = 3}));
  std::string sentiment = Section(structured, "sentiment");
  EXPECT_TRUE(sentiment == "POSITIVE" || sentiment == "NEGATIVE") << sentiment;
  EXPECT_TRUE(json::parse(Section(structured, "person"))["age"].is_number_integer());
  EXPECT_TRUE(json::parse(Section(structured, "maybe")).is_number_integer());
}

TEST(ResponderTest, JsonAdapterGetsAJsonObjectInFieldOrder) {
  std::string content =
      ContentOf(Respond(LoadPrompt("json_structured_outputs"), {.seed = 3, .echo_model = true}));
  EXPECT_TRUE(content.starts_with(R"({"sentiment": )")) << content;
  json value = json::parse(content);
  EXPECT_TRUE(value["sentiment"] == "POSITIVE" || value["sentiment"] == "NEGATIVE");
  EXPECT_TRUE(value["person"]["age"].is_number_integer());
  EXPECT_TRUE(value["scores"].is_object());
  EXPECT_TRUE(value["maybe"].is_number_integer());

  json cot = json::parse(ContentOf(Respond(LoadPrompt("json_cot_question_answer"), {})));
  EXPECT_TRUE(cot["reasoning"].get<std::string>().starts_with("mock reasoning "));

  json plain = {{"messages", {{{"role", "user"}, {"content", "hi"}}}},
                {"response_format", {{"type", "json_object"}}}};
  EXPECT_TRUE(json::parse(ContentOf(Respond(plain, {})))["response"].is_string());
}

TEST(ResponderTest, EchoModelMarksTextValuesOnly) {
  json request = LoadPrompt("typed_outputs");
  request["model"] = "gpt-4o";
  std::string typed = ContentOf(Respond(request, {.echo_model = true}));
  EXPECT_EQ(typed.find("[model="), std::string::npos);  // no str field to carry it

  request = LoadPrompt("cot_question_answer");
  request["model"] = "openai/other";
  std::string content = ContentOf(Respond(request, {.echo_model = true}));
  EXPECT_TRUE(Section(content, "reasoning").ends_with(" [model=openai/other]"));
  EXPECT_TRUE(Section(content, "answer").ends_with(" [model=openai/other]"));
  EXPECT_EQ(ContentOf(Respond(request, {})).find("[model="), std::string::npos);
}

TEST(ResponderTest, PlainTextWithoutMarkers) {
  json request = {{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "Say hi."}}}}};
  ChatCompletion c = Respond(request, {.echo_model = true});
  EXPECT_TRUE(ContentOf(c).starts_with("mock response ")) << ContentOf(c);
  EXPECT_TRUE(ContentOf(c).ends_with(" [model=m]"));
  EXPECT_TRUE(c.output_fields.empty());
}

TEST(ResponderTest, SeveralChoicesDifferAndTheFirstMatchesASingleChoice) {
  json request = LoadPrompt("cot_question_answer");
  std::string single = ContentOf(Respond(request, {}));
  request["n"] = 3;
  ChatCompletion c = Respond(request, {});
  ASSERT_EQ(c.body["choices"].size(), 3U);
  EXPECT_EQ(c.body["choices"][0]["message"]["content"], single);
  EXPECT_NE(c.body["choices"][1]["message"]["content"], single);
  EXPECT_EQ(c.body["choices"][2]["index"], 2);
}

TEST(ResponderTest, ValidatesRequests) {
  EXPECT_FALSE(ValidateChatRequest(LoadPrompt("cot_question_answer")));
  EXPECT_TRUE(ValidateChatRequest(json::array()));
  EXPECT_TRUE(ValidateChatRequest({{"model", "m"}}));
  EXPECT_TRUE(ValidateChatRequest({{"messages", json::array()}}));
  EXPECT_TRUE(ValidateChatRequest({{"messages", {1, 2}}}));
  EXPECT_TRUE(ValidateChatRequest({{"messages", {{{"role", "user"}}}}, {"model", 3}}));
  EXPECT_FALSE(ValidateChatRequest({{"messages", {{{"role", "user"}}}}}));
  EXPECT_TRUE(ValidateChatRequest({{"messages", {{{"role", "user"}}}}, {"stream", true}}));
  EXPECT_FALSE(ValidateChatRequest({{"messages", {{{"role", "user"}}}}, {"stream", false}}));
}

}  // namespace
}  // namespace dspy_compat::mock
