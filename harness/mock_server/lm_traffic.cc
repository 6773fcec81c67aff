#include "mock_server/lm_traffic.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

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

std::string Label(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (text.size() > kMaxLabelBytes) {
    std::size_t cut = kMaxLabelBytes - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    text = text.substr(0, cut) + "...";
  }
  return text;
}

// "[[ ## name ## ]]" (trailing spaces allowed): the field's name, else empty.
// Plain scanning, not std::regex: a prompt line is the scenario's, of any
// length, and libstdc++'s matcher recursed per character until the stack ran out.
std::string_view MarkerName(std::string_view line) {
  auto end = line.find_last_not_of(" \t\r\n\v\f");
  line = line.substr(0, end == std::string_view::npos ? 0 : end + 1);
  if (!line.starts_with("[[ ## ") || !line.ends_with(" ## ]]")) return {};
  std::string_view name = line.substr(6, line.size() < 12 ? 0 : line.size() - 12);
  bool word = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  return word ? name : std::string_view();
}

// Each run of digits becomes one N.
std::string DigitsAsN(std::string_view line) {
  std::string out;
  bool in_number = false;
  for (char c : line) {
    bool digit = c >= '0' && c <= '9';
    if (!digit) out += c;
    if (digit && !in_number) out += 'N';
    in_number = digit;
  }
  return out;
}

// A message's role; a role that is not a string (the request is the
// scenario's) reads as otherwise, where json::value() would throw.
std::string Role(const nlohmann::json& message, const char* otherwise) {
  auto it = message.find("role");
  return it != message.end() && it->is_string() ? it->get<std::string>() : otherwise;
}

}  // namespace

std::string RequestKey(const nlohmann::json& messages, std::string* label) {
  mock::PromptFields fields = mock::ExtractPromptFields(messages);
  mock::StableHasher hasher(0);
  std::string quote;
  if (fields.has_markers && !fields.inputs.empty()) {
    for (const std::string& name : fields.inputs) {
      std::string value = mock::InputValue(messages, name);
      hasher.Add(name).Add(value);
      if (quote.empty() && !value.empty()) quote = name + ": " + value;
    }
    for (const mock::OutputField& output : fields.outputs) hasher.Add(output.name);
  } else {
    std::string last_user;
    for (const nlohmann::json& message : messages) {
      if (message.is_object() && Role(message, "") == "user") {
        last_user = mock::MessageText(message);
      }
    }
    hasher.Add(last_user);
    quote = last_user;
  }
  if (label != nullptr) *label = Label(quote);
  return fmt::format("{:016x}", hasher.Finish());
}

std::string NormalisePrompt(const nlohmann::json& messages) {
  std::string out;
  for (const nlohmann::json& message : messages) {
    if (!message.is_object()) continue;
    out += Role(message, "?") + ":\n";
    std::istringstream lines(mock::MessageText(message));
    std::string line;
    bool in_value = false;  // inside a field's value, until a blank line or the next marker
    while (std::getline(lines, line)) {
      if (std::string_view marker = MarkerName(line); !marker.empty()) {
        out += line + "\n";
        // "completed" ends an answer; it has no value.
        in_value = marker != "completed";
        if (in_value) out += fmt::format("<{}>\n", marker);
        continue;
      }
      if (in_value && !line.empty()) continue;
      in_value = false;
      out += DigitsAsN(line) + "\n";
    }
  }
  if (out.size() > kMaxPromptBytes) out = out.substr(0, kMaxPromptBytes) + "[cut]\n";
  return out;
}

LmTraffic SummariseTraffic(const std::vector<mock::JournalEntry>& entries) {
  std::set<std::string> adapters, parameters, system_prompts, prompts;
  std::map<std::string, LmTraffic::Route> routes;
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
    std::string label;
    std::string key = RequestKey(*messages, &label);
    if (auto it = routes.find(key); it != routes.end() || routes.size() < kMaxRoutes) {
      LmTraffic::Route& route = routes[key];
      route.key = key;
      route.label = label;
      ++route.count;
      std::string model = entry.model;
      if (auto m = body.find("model"); model.empty() && m != body.end() && m->is_string()) {
        model = m->get<std::string>();
      }
      if (std::find(route.models.begin(), route.models.end(), model) == route.models.end()) {
        route.models.insert(std::upper_bound(route.models.begin(), route.models.end(), model),
                            model);
      }
    }
    for (const nlohmann::json& message : *messages) {
      if (message.is_object() && Role(message, "") == "system") {
        system_prompts.insert(
            fmt::format("{:016x}", mock::StableHasher(0).Add(mock::MessageText(message)).Finish()));
      }
    }
  }
  LmTraffic traffic{
      Sorted(adapters), Sorted(parameters), Sorted(system_prompts), Sorted(prompts), {}};
  for (auto& [key, route] : routes) traffic.routes.push_back(std::move(route));
  return traffic;
}

}  // namespace dspy_compat
