// A run's LM traffic as the mock server journaled it, reduced to what tells
// two DSPy releases apart without keeping the prompts themselves: prompt
// formats, request parameters, hashes of the system messages, and which model
// served each distinct request.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/model.h"
#include "mock_server/journal.h"

namespace dspy_compat {

// Requests whose body was truncated or is not JSON add nothing.
LmTraffic SummariseTraffic(const std::vector<mock::JournalEntry>& entries);

// A request's messages as "role: text" lines, with what varies from call to
// call masked, so that one program's calls give one prompt per step and two
// releases' prompts can be diffed: the value under each DSPy field marker
// ("[[ ## question ## ]]") becomes "<question>", and every run of digits "N".
std::string NormalisePrompt(const nlohmann::json& messages);

// What a request asks, without its model or its prompt wording: a stable
// hash (16 hex) of its DSPy input field values and output field names (or,
// without field markers, of its last user message), so that the same request
// matches across releases whose prompt text differs. `label` gets a short
// quote of it ("question: Draft a reply ...") for a reader.
std::string RequestKey(const nlohmann::json& messages, std::string* label = nullptr);

// At most this many distinct prompts are kept per run, each cut at this size.
inline constexpr std::size_t kMaxPrompts = 8;
inline constexpr std::size_t kMaxPromptBytes = 4096;
// At most this many distinct requests are routed per run; labels are cut.
inline constexpr std::size_t kMaxRoutes = 64;
inline constexpr std::size_t kMaxLabelBytes = 72;

}  // namespace dspy_compat
