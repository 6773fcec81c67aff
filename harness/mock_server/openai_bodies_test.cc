#include "mock_server/openai_bodies.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

Answer Sample(std::vector<std::string> choices) {
  Answer a;
  a.model = "gpt-4o-mini";
  a.choices = std::move(choices);
  a.hash = 0xabcdef;
  a.prompt_tokens = 10;
  a.completion_tokens = 4;
  return a;
}

// The JSON of each "data: {...}" event, and whether the stream ended with [DONE].
std::vector<json> Parse(const std::vector<std::string>& events, bool& done) {
  std::vector<json> out;
  done = false;
  for (const std::string& e : events) {
    EXPECT_TRUE(e.starts_with("data: ") && e.ends_with("\n\n")) << e;
    std::string data = e.substr(6, e.size() - 8);
    if (data == "[DONE]") {
      done = true;
      continue;
    }
    EXPECT_FALSE(done) << "event after [DONE]";
    out.push_back(json::parse(data));
  }
  return out;
}

TEST(OpenAiBodiesTest, ChatCompletion) {
  json body = json::parse(ChatCompletionBody(Sample({"one \"two\"\n", "three"})));
  EXPECT_EQ(body["id"], "chatcmpl-mock-0000000000abcdef");
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["created"], kCreated);
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  ASSERT_EQ(body["choices"].size(), 2U);
  EXPECT_EQ(body["choices"][0]["message"]["content"], "one \"two\"\n");
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(body["choices"][1]["index"], 1);
  EXPECT_EQ(body["choices"][1]["finish_reason"], "stop");
  EXPECT_EQ(body["usage"],
            json({{"prompt_tokens", 10}, {"completion_tokens", 4}, {"total_tokens", 14}}));
}

TEST(OpenAiBodiesTest, ChatCompletionStreamReassembles) {
  Answer a = Sample({"[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"});
  bool done = false;
  std::vector<json> chunks = Parse(ChatCompletionEvents(a, /*include_usage=*/true), done);
  EXPECT_TRUE(done);
  std::string content;
  for (const json& c : chunks) {
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    EXPECT_EQ(c["id"], "chatcmpl-mock-0000000000abcdef");
    if (c["choices"].empty()) continue;
    const json& delta = c["choices"][0]["delta"];
    if (delta.contains("content")) content += delta["content"].get<std::string>();
  }
  EXPECT_EQ(content, a.choices[0]);
  EXPECT_EQ(chunks.front()["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(chunks[chunks.size() - 2]["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(chunks.back()["usage"]["total_tokens"], 14);  // the usage chunk comes last
  EXPECT_TRUE(chunks.back()["choices"].empty());
  Parse(ChatCompletionEvents(a, false), done);
  EXPECT_FALSE(Parse(ChatCompletionEvents(a, false), done).back().contains("usage"));
}

TEST(OpenAiBodiesTest, TextCompletion) {
  json body = json::parse(TextCompletionBody(Sample({"hello there"})));
  EXPECT_EQ(body["object"], "text_completion");
  EXPECT_EQ(body["id"], "cmpl-mock-0000000000abcdef");
  EXPECT_EQ(body["choices"][0]["text"], "hello there");
  bool done = false;
  std::string text;
  for (const json& c : Parse(TextCompletionEvents(Sample({"hello there"}), false), done)) {
    text += c["choices"][0]["text"].get<std::string>();
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(text, "hello there");
}

TEST(OpenAiBodiesTest, ModelsAndErrors) {
  json models = json::parse(ModelsBody({"a", "b/c"}));
  EXPECT_EQ(models["object"], "list");
  EXPECT_EQ(models["data"][1]["id"], "b/c");
  EXPECT_EQ(models["data"][1]["object"], "model");
  EXPECT_EQ(json::parse(ModelBody("x"))["owned_by"], "dspy-compat-mock");
  json error = json::parse(ErrorBody("bad \"thing\"", "invalid_request_error", "oops"));
  EXPECT_EQ(error["error"]["message"], "bad \"thing\"");
  EXPECT_TRUE(error["error"]["param"].is_null());
  EXPECT_EQ(error["error"]["code"], "oops");
}

TEST(OpenAiBodiesTest, StreamPiecesJoinBack) {
  std::string text = "  a b\n\nc  d ";
  std::string joined;
  std::vector<std::string_view> pieces = StreamPieces(text);
  for (std::string_view p : pieces) joined += p;
  EXPECT_EQ(joined, text);
  EXPECT_EQ(pieces.size(), 5U);  // "  ", "a ", "b\n\n", "c  ", "d "
  EXPECT_TRUE(StreamPieces("").empty());
}

}  // namespace
}  // namespace dspy_compat::mock
