// The mock LM itself: an OpenAI chat-completions request in, a chat.completion out. Pure, so the
// same (seed, run, seq, request) always gives the same bytes and tests need no server.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dspy_compat::mock {

struct ResponseContext {
  std::uint64_t seed = 0;
  std::string_view run_id{};  // "" when unattributed
  int seq = 1;                // 1-based position of the request within its run
  bool echo_model = false;    // append " [model=<requested model>]" to every text value
};

struct ChatCompletion {
  nlohmann::json body{};                     // the chat.completion object
  std::string model{};                       // as requested
  std::vector<std::string> output_fields{};  // the DSPy output fields answered, in order
};

// Why `request` is not a chat-completions request we can answer (OpenAI's 400 message), or
// nullopt when it is.
std::optional<std::string> ValidateChatRequest(const nlohmann::json& request);

// `request` must pass ValidateChatRequest. A ChatAdapter prompt gets every output field, each
// under its `[[ ## name ## ]]` marker, then `[[ ## completed ## ]]`; a JSONAdapter prompt (or a
// response_format of json_object/json_schema) gets one JSON object of the fields; anything else
// gets one line of plain text.
ChatCompletion Respond(const nlohmann::json& request, const ResponseContext& context);

}  // namespace dspy_compat::mock
