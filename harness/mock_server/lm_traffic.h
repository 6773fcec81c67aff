// A run's LM traffic as the mock server journaled it, reduced to what tells
// two DSPy releases apart without keeping the prompts themselves: prompt
// formats, request parameters, and hashes of the system messages.
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

// At most this many distinct prompts are kept per run, each cut at this size.
inline constexpr std::size_t kMaxPrompts = 8;
inline constexpr std::size_t kMaxPromptBytes = 4096;

}  // namespace dspy_compat
