// Reads what a DSPy ChatAdapter (or JSONAdapter) prompt asks for: the output fields, in order, with
// the type and value constraints DSPy printed for them. Only prompt text is used, so any DSPy
// release whose ChatAdapter keeps the `[[ ## name ## ]]` convention works.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace dspy_compat::mock {

struct OutputField {
  std::string name{};
  std::string type = "str";            // as DSPy printed it: "int", "list[str]", "Literal[a, b]"
  std::vector<std::string> choices{};  // "must be one of: a; b" (Literal and Enum fields)
  std::string json_schema{};           // "... according to the following JSON schema: {...}"
};

struct PromptFields {
  bool has_markers = false;  // any `[[ ## ... ## ]]` in the prompt
  bool wants_json = false;   // JSONAdapter: "Respond with a JSON object ..."
  std::vector<std::string> inputs{};
  std::vector<OutputField> outputs{};
};

// The text of one chat message: its string content, or its text parts joined.
std::string MessageText(const nlohmann::json& message);
// The same without a copy when the content is a string; otherwise built in `scratch`.
std::string_view MessageTextView(const nlohmann::json& message, std::string& scratch);

// `messages` is the request's messages array. Outputs come from the last user message's
// "Respond with the corresponding output fields" sentence, else the system message's
// "Your output fields are:" list; input fields are never reported as outputs.
PromptFields ExtractPromptFields(const nlohmann::json& messages);

// A structured-outputs schema (response_format json_schema) names the outputs when the prompt
// did not, and gives typed fields the value shape the prompt left out.
void AddSchemaFields(const nlohmann::json& schema, PromptFields& fields);

// The value of input field `name` in the last user message ("[[ ## name ## ]]\nvalue"), or "".
std::string InputValue(const nlohmann::json& messages, std::string_view name);

}  // namespace dspy_compat::mock
