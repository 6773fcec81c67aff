#include "cli/lm_traffic.h"

#include <fmt/format.h>

#include <set>

#include "mock_server/prompt_fields.h"
#include "mock_server/stable_hash.h"

namespace dspy_compat {
namespace {

// Keys that identify the request rather than how it asks: the model is
// recorded on its own, the messages are hashed.
bool IsParameter(const std::string& key) { return key != "model" && key != "messages"; }

std::string ParameterValue(const nlohmann::json& value) {
  std::string text = value.dump();
  // A JSON schema in response_format can be long; its start says enough.
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::vector<std::string> Sorted(const std::set<std::string>& values) {
  return {values.begin(), values.end()};
}

}  // namespace

LmTraffic SummariseTraffic(const std::vector<mock::JournalEntry>& entries) {
  std::set<std::string> adapters, parameters, system_prompts;
  for (const mock::JournalEntry& entry : entries) {
    if (entry.request_truncated) continue;
    nlohmann::json body = nlohmann::json::parse(entry.request_body, nullptr, false);
    if (!body.is_object()) continue;
    for (const auto& [key, value] : body.items()) {
      if (IsParameter(key)) parameters.insert(fmt::format("{}={}", key, ParameterValue(value)));
    }
    auto messages = body.find("messages");
    if (messages == body.end() || !messages->is_array()) continue;
    mock::PromptFields fields = mock::ExtractPromptFields(*messages);
    adapters.insert(fields.wants_json ? "json" : fields.has_markers ? "chat" : "text");
    for (const nlohmann::json& message : *messages) {
      if (message.is_object() && message.value("role", "") == "system") {
        system_prompts.insert(
            fmt::format("{:016x}", mock::StableHasher(0).Add(mock::MessageText(message)).Finish()));
      }
    }
  }
  return {Sorted(adapters), Sorted(parameters), Sorted(system_prompts)};
}

}  // namespace dspy_compat
