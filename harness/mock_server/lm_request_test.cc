#include "mock_server/lm_request.h"

#include <gtest/gtest.h>

#include "mock_server/test_data.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;
using testing::LoadPrompt;

std::string ErrorCode(LmApi api, std::string_view body) {
  try {
    ParseLmRequest(api, body);
  } catch (const LmRequestError& e) {
    return e.code();
  }
  return "ok";
}

TEST(LmRequestTest, ReadsWhatLitellmAndTheOpenAiClientSend) {
  json body = LoadPrompt("cot_question_answer");
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  body["n"] = 3;
  body["temperature"] = 0.7;
  body["max_tokens"] = 1000;
  body["tools"] = json::array();
  body["user"] = "u";
  LmRequest r = ParseLmRequest(LmApi::kChat, body.dump());
  EXPECT_EQ(r.model, "gpt-4o-mini");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
  EXPECT_EQ(r.n, 3);
  EXPECT_EQ(r.temperature, "0.7");
  EXPECT_FALSE(r.json_mode);
  EXPECT_EQ(r.messages.size(), 2U);
}

TEST(LmRequestTest, ResponseFormats) {
  json body = LoadPrompt("cot_question_answer");
  body["response_format"] = {{"type", "json_object"}};
  EXPECT_TRUE(ParseLmRequest(LmApi::kChat, body.dump()).json_mode);
  LmRequest schema =
      ParseLmRequest(LmApi::kChat, LoadPrompt("json_cot_question_answer", "dspy341").dump());
  EXPECT_TRUE(schema.json_mode);
  EXPECT_TRUE(schema.response_schema["properties"].contains("reasoning"));
  body["response_format"] = {{"type", "text"}};
  EXPECT_FALSE(ParseLmRequest(LmApi::kChat, body.dump()).json_mode);
}

TEST(LmRequestTest, NIsClamped) {
  json body = LoadPrompt("cot_question_answer");
  body["n"] = 1000;
  EXPECT_EQ(ParseLmRequest(LmApi::kChat, body.dump()).n, kMaxChoices);
  body["n"] = -1;
  EXPECT_EQ(ParseLmRequest(LmApi::kChat, body.dump()).n, 1);
  body["n"] = nullptr;
  EXPECT_EQ(ParseLmRequest(LmApi::kChat, body.dump()).n, 1);
}

TEST(LmRequestTest, Completions) {
  LmRequest r = ParseLmRequest(LmApi::kCompletions,
                               R"({"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi."})");
  EXPECT_EQ(r.prompts, (std::vector<std::string>{"Say hi."}));
  ASSERT_EQ(r.messages.size(), 2U);
  EXPECT_EQ(r.messages[1]["content"], "Say hi.");
  EXPECT_EQ(ParseLmRequest(LmApi::kCompletions, R"({"prompt": ["a", "b"]})").prompts.size(), 2U);
  EXPECT_EQ(ErrorCode(LmApi::kCompletions, R"({"prompt": 3})"), "invalid_request");
  EXPECT_EQ(ErrorCode(LmApi::kCompletions, R"({"prompt": []})"), "invalid_request");
  EXPECT_EQ(ErrorCode(LmApi::kCompletions, R"({"model": "m"})"), "invalid_request");
}

TEST(LmRequestTest, RejectsWhatOpenAiRejects) {
  EXPECT_EQ(ErrorCode(LmApi::kChat, "{not json"), "invalid_json");
  EXPECT_EQ(ErrorCode(LmApi::kChat, "[]"), "invalid_request");
  EXPECT_EQ(ErrorCode(LmApi::kChat, R"({"model": "m"})"), "invalid_request");
  EXPECT_EQ(ErrorCode(LmApi::kChat, R"({"messages": []})"), "invalid_request");
  EXPECT_EQ(ErrorCode(LmApi::kChat, R"({"messages": [1, 2]})"), "invalid_request");
  EXPECT_EQ(ErrorCode(LmApi::kChat, R"({"messages": [{"role": "user"}], "model": 3})"),
            "invalid_request");
  EXPECT_EQ(ErrorCode(LmApi::kChat, R"({"messages": [{"role": "user"}], "stream": "yes"})"),
            "invalid_request");
  EXPECT_EQ(ErrorCode(LmApi::kChat, R"({"messages": [{"role": "user"}], "n": 1.5})"),
            "invalid_request");
  EXPECT_EQ(ErrorCode(LmApi::kChat, R"({"messages": [{"role": "user"}]})"), "ok");
  try {
    ParseLmRequest(LmApi::kChat, R"({"model": "kept", "messages": []})");
  } catch (const LmRequestError& e) {
    EXPECT_EQ(e.model(), "kept");  // the journal still says which model was asked for
  }
}

TEST(LmRequestTest, MessagesTextJoinsAllMessages) {
  json messages = json::array({{{"role", "system"}, {"content", "sys"}},
                               {{"role", "user"},
                                {"content", json::array({{{"type", "text"}, {"text", "a"}},
                                                         {{"type", "text"}, {"text", "b"}}})}}});
  EXPECT_EQ(MessagesText(messages), "sys\nab");
  EXPECT_EQ(MessagesText(json::object()), "");
}

}  // namespace
}  // namespace dspy_compat::mock
