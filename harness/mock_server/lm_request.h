// What an OpenAI-style request body asks of the mock LM, read once so that the responder, the
// fixture rules and the journal all see the same facts. litellm and the openai client send many
// more parameters (temperature, max_tokens, tools, seed, user, ...); those are accepted and
// ignored, as a mock should.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dspy_compat::mock {

enum class LmApi {
  kChat,         // POST /v1/chat/completions
  kCompletions,  // POST /v1/completions (legacy text completions; dspy.LM(model_type="text"))
};

struct LmRequest {
  LmApi api = LmApi::kChat;
  std::string model{};
  // Chat: the messages as sent. Completions: each prompt as a system and a user message, so that
  // DSPy's text-mode prompts (system and user joined into one) are read the same way.
  nlohmann::json messages = nlohmann::json::array();
  std::vector<std::string> prompts{};  // completions only; one choice set per prompt
  bool stream = false;
  bool include_usage = false;        // stream_options.include_usage
  int n = 1;                         // choices per prompt, clamped to [1, kMaxChoices]
  bool json_mode = false;            // response_format json_object or json_schema
  nlohmann::json response_schema{};  // response_format.json_schema.schema, when given
  std::string temperature{};         // as sent ("" when absent); part of the answer's identity
};

inline constexpr int kMaxChoices = 16;

// A body we cannot answer, with OpenAI's 400 wording. `model` is kept for the journal.
class LmRequestError : public std::runtime_error {
 public:
  LmRequestError(const std::string& message, std::string code, std::string model)
      : std::runtime_error(message), code_(std::move(code)), model_(std::move(model)) {}
  const std::string& code() const { return code_; }
  const std::string& model() const { return model_; }

 private:
  std::string code_;
  std::string model_;
};

// Throws LmRequestError for invalid JSON ("invalid_json") or a body that is not a request of
// `api` ("invalid_request").
LmRequest ParseLmRequest(LmApi api, std::string_view body);

// The request's text, all messages joined with newlines: what fixture regexes search.
std::string MessagesText(const nlohmann::json& messages);

}  // namespace dspy_compat::mock
