#include "mock_server/responder.h"

#include <fmt/format.h>

#include <algorithm>

#include "mock_server/field_values.h"
#include "mock_server/prompt_fields.h"
#include "mock_server/stable_hash.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

// Fixed, so response bodies replay exactly; clients only need an integer.
constexpr std::int64_t kCreated = 1732406400;  // 2024-11-24T00:00:00Z
constexpr std::int64_t kMaxChoices = 16;

int WordCount(std::string_view text) {
  int words = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

bool AsksForJson(const json& request) {
  auto format = request.find("response_format");
  if (format == request.end() || !format->is_object()) return false;
  std::string type = format->value("type", "");
  return type == "json_object" || type == "json_schema";
}

std::uint64_t FieldHash(std::uint64_t base, const OutputField& field) {
  return StableHasher(base).Add(field.name).Finish();
}

// JSONAdapter: one JSON object, fields in prompt order.
std::string JsonContent(const PromptFields& fields, std::uint64_t base, std::string_view suffix) {
  if (fields.outputs.empty()) {
    return json{{"response", fmt::format("mock response {}{}", HashTag(base), suffix)}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
  }
  std::string content = "{";  // by hand: json objects would sort the keys
  for (const OutputField& field : fields.outputs) {
    if (content.size() > 1) content += ", ";
    content += json(field.name).dump(-1, ' ', false, json::error_handler_t::replace) + ": ";
    content += FieldValueJson(field, FieldHash(base, field), suffix)
                   .dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return content + "}";
}

std::string Content(const PromptFields& fields, std::uint64_t base, std::string_view suffix,
                    bool json_mode) {
  if (json_mode) return JsonContent(fields, base, suffix);
  if (!fields.has_markers || fields.outputs.empty()) {
    return fmt::format("mock response {}{}", HashTag(base), suffix);
  }
  std::string content;
  for (const OutputField& field : fields.outputs) {
    std::uint64_t hash = StableHasher(base).Add(field.name).Finish();
    content +=
        fmt::format("[[ ## {} ## ]]\n{}\n\n", field.name, FieldValueText(field, hash, suffix));
  }
  content += "[[ ## completed ## ]]";
  return content;
}

}  // namespace

std::optional<std::string> ValidateChatRequest(const json& request) {
  if (!request.is_object()) return "Request body must be a JSON object.";
  auto messages = request.find("messages");
  if (messages == request.end()) return "Missing required parameter: 'messages'.";
  if (!messages->is_array() || messages->empty()) {
    return "Invalid 'messages': expected a non-empty array.";
  }
  for (const json& m : *messages) {
    if (!m.is_object() || !m.contains("role")) {
      return "Invalid 'messages': every message must be an object with a 'role'.";
    }
  }
  if (auto model = request.find("model"); model != request.end() && !model->is_string()) {
    return "Invalid 'model': expected a string.";
  }
  if (auto stream = request.find("stream"); stream != request.end() && *stream == true) {
    return "stream=true is not supported by the dspy-compat mock server.";
  }
  return std::nullopt;
}

ChatCompletion Respond(const json& request, const ResponseContext& context) {
  ChatCompletion out;
  out.model = request.value("model", "");
  const json& messages = request.at("messages");
  PromptFields fields = ExtractPromptFields(messages);
  for (const OutputField& f : fields.outputs) out.output_fields.push_back(f.name);

  std::uint64_t request_hash = StableHasher(context.seed)
                                   .Add(context.run_id)
                                   .Add(static_cast<std::uint64_t>(context.seq))
                                   .Finish();
  bool json_mode = fields.wants_json || AsksForJson(request);
  std::string suffix = context.echo_model ? fmt::format(" [model={}]", out.model) : "";

  std::size_t n = 1;
  if (auto it = request.find("n"); it != request.end() && it->is_number_integer()) {
    auto wanted = std::clamp<std::int64_t>(it->get<std::int64_t>(), 1, kMaxChoices);
    n = static_cast<std::size_t>(wanted);
  }
  int prompt_tokens = 0;
  for (const json& m : messages) prompt_tokens += WordCount(MessageText(m));
  int completion_tokens = 0;

  json choices = json::array();
  for (std::size_t i = 0; i < n; ++i) {
    // Choice 0 keeps the plain request hash so n=1 and n>1 agree on the first answer.
    std::uint64_t base = i == 0 ? request_hash : StableHasher(request_hash).Add(i).Finish();
    std::string content = Content(fields, base, suffix, json_mode);
    completion_tokens += WordCount(content);
    choices.push_back({{"index", i},
                       {"message", {{"role", "assistant"}, {"content", std::move(content)}}},
                       {"logprobs", nullptr},
                       {"finish_reason", "stop"}});
  }

  out.body = {{"id", "chatcmpl-mock-" + fmt::format("{:016x}", request_hash)},
              {"object", "chat.completion"},
              {"created", kCreated},
              {"model", out.model},
              {"system_fingerprint", "dspy-compat-mock"},
              {"choices", std::move(choices)},
              {"usage",
               {{"prompt_tokens", prompt_tokens},
                {"completion_tokens", completion_tokens},
                {"total_tokens", prompt_tokens + completion_tokens}}}};
  return out;
}

}  // namespace dspy_compat::mock
