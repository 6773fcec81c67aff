#include "mock_server/lm_request.h"

#include <algorithm>

#include "mock_server/json_reader.h"
#include "mock_server/prompt_fields.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

[[noreturn]] void Fail(const std::string& message, const std::string& model) {
  throw LmRequestError(message, "invalid_request", model);
}

void ReadCommon(json& body, LmRequest& request) {
  if (auto stream = body.find("stream"); stream != body.end() && !stream->is_null()) {
    if (!stream->is_boolean()) Fail("Invalid 'stream': expected a boolean.", request.model);
    request.stream = stream->get<bool>();
  }
  if (auto options = body.find("stream_options"); options != body.end() && options->is_object()) {
    auto usage = options->find("include_usage");
    request.include_usage = usage != options->end() && *usage == true;
  }
  if (auto n = body.find("n"); n != body.end() && !n->is_null()) {
    if (!n->is_number_integer()) Fail("Invalid 'n': expected an integer.", request.model);
    request.n = static_cast<int>(std::clamp<std::int64_t>(n->get<std::int64_t>(), 1, kMaxChoices));
  }
  if (auto t = body.find("temperature"); t != body.end() && t->is_number()) {
    request.temperature = t->dump();
  }
  auto format = body.find("response_format");
  if (format == body.end() || !format->is_object()) return;
  auto type = format->find("type");
  if (type == format->end() || !type->is_string()) return;
  if (*type == "json_object") request.json_mode = true;
  if (*type == "json_schema") {
    request.json_mode = true;
    auto spec = format->find("json_schema");
    if (spec != format->end() && spec->is_object()) {
      if (auto schema = spec->find("schema"); schema != spec->end() && schema->is_object()) {
        request.response_schema = std::move(*schema);
      }
    }
  }
}

void ReadChat(json& body, LmRequest& request) {
  auto messages = body.find("messages");
  if (messages == body.end()) Fail("Missing required parameter: 'messages'.", request.model);
  if (!messages->is_array() || messages->empty()) {
    Fail("Invalid 'messages': expected a non-empty array.", request.model);
  }
  for (const json& m : *messages) {
    if (!m.is_object() || !m.contains("role")) {
      Fail("Invalid 'messages': every message must be an object with a 'role'.", request.model);
    }
  }
  request.messages = std::move(*messages);
}

void ReadCompletions(json& body, LmRequest& request) {
  auto prompt = body.find("prompt");
  if (prompt == body.end()) Fail("Missing required parameter: 'prompt'.", request.model);
  if (prompt->is_string()) {
    request.prompts.push_back(prompt->get<std::string>());
  } else if (prompt->is_array() && !prompt->empty() &&
             std::all_of(prompt->begin(), prompt->end(),
                         [](const json& p) { return p.is_string(); })) {
    for (const json& p : *prompt) request.prompts.push_back(p.get<std::string>());
  } else {
    Fail("Invalid 'prompt': expected a string or a non-empty array of strings.", request.model);
  }
  // The first prompt decides the fields; DSPy sends one.
  request.messages = json::array({{{"role", "system"}, {"content", request.prompts[0]}},
                                  {{"role", "user"}, {"content", request.prompts[0]}}});
}

}  // namespace

LmRequest ParseLmRequest(LmApi api, std::string_view body_text) {
  json body = ParseJson(body_text);
  if (body.is_discarded()) {
    throw LmRequestError("We could not parse the JSON body of your request.", "invalid_json", "");
  }
  LmRequest request;
  request.api = api;
  if (!body.is_object()) Fail("Request body must be a JSON object.", "");
  if (auto model = body.find("model"); model != body.end()) {
    if (!model->is_string()) Fail("Invalid 'model': expected a string.", "");
    request.model = model->get<std::string>();
  }
  if (api == LmApi::kChat) {
    ReadChat(body, request);
  } else {
    ReadCompletions(body, request);
  }
  ReadCommon(body, request);
  return request;
}

std::string MessagesText(const json& messages) {
  std::string text;
  if (!messages.is_array()) return text;
  std::string scratch;
  for (const json& m : messages) {
    if (!text.empty()) text += '\n';
    text += MessageTextView(m, scratch);
  }
  return text;
}

}  // namespace dspy_compat::mock
