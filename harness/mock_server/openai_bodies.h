// An Answer in OpenAI's wire formats: chat.completion, its server-sent-event chunks,
// text_completion and its chunks, and the models list. Written by hand (see json_text.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mock_server/responder.h"

namespace dspy_compat::mock {

// Fixed, so response bodies replay exactly; clients only need an integer.
inline constexpr long long kCreated = 1732406400;  // 2024-11-24T00:00:00Z

std::string ChatCompletionBody(const Answer& answer);
std::string TextCompletionBody(const Answer& answer);

// Server-sent events, each "data: {...}\n\n", the last "data: [DONE]\n\n". Content arrives a word
// at a time, as a model streams tokens; the final chunk carries finish_reason, and a usage chunk
// (with empty choices) follows when the client asked for it.
std::vector<std::string> ChatCompletionEvents(const Answer& answer, bool include_usage);
std::vector<std::string> TextCompletionEvents(const Answer& answer, bool include_usage);

// GET /v1/models and /v1/models/<id>.
std::string ModelsBody(const std::vector<std::string>& ids);
std::string ModelBody(std::string_view id);

// {"error": {"message", "type", "param": null, "code"}}, as the OpenAI API sends.
std::string ErrorBody(std::string_view message, std::string_view type, std::string_view code);

// Splits text after each run of whitespace: "a b\nc" -> "a ", "b\n", "c". Joined, the pieces
// give the text back.
std::vector<std::string_view> StreamPieces(std::string_view text);

}  // namespace dspy_compat::mock
