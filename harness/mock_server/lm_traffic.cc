#include "mock_server/lm_traffic.h"

#include <fmt/format.h>

#include <regex>
#include <set>
#include <sstream>

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

std::string NormalisePrompt(const nlohmann::json& messages) {
  static const std::regex kMarker(R"(^\[\[ ## (\w+) ## \]\]\s*$)");
  static const std::regex kDigits(R"(\d+)");
  std::string out;
  for (const nlohmann::json& message : messages) {
    if (!message.is_object()) continue;
    out += message.value("role", "?") + ":\n";
    std::istringstream lines(mock::MessageText(message));
    std::string line;
    bool in_value = false;  // inside a field's value, until a blank line or the next marker
    while (std::getline(lines, line)) {
      std::smatch marker;
      if (std::regex_match(line, marker, kMarker)) {
        out += line + "\n";
        // "completed" ends an answer; it has no value.
        in_value = marker[1] != "completed";
        if (in_value) out += "<" + marker[1].str() + ">\n";
        continue;
      }
      if (in_value && !line.empty()) continue;
      in_value = false;
      out += std::regex_replace(line, kDigits, "N") + "\n";
    }
  }
  if (out.size() > kMaxPromptBytes) out = out.substr(0, kMaxPromptBytes) + "[cut]\n";
  return out;
}

LmTraffic SummariseTraffic(const std::vector<mock::JournalEntry>& entries) {
  std::set<std::string> adapters, parameters, system_prompts, prompts;
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
    if (prompts.size() < kMaxPrompts) prompts.insert(NormalisePrompt(*messages));
    for (const nlohmann::json& message : *messages) {
      if (message.is_object() && message.value("role", "") == "system") {
        system_prompts.insert(
            fmt::format("{:016x}", mock::StableHasher(0).Add(mock::MessageText(message)).Finish()));
      }
    }
  }
  return {Sorted(adapters), Sorted(parameters), Sorted(system_prompts), Sorted(prompts)};
}

}  // namespace dspy_compat
