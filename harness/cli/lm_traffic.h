// A run's LM traffic as the mock server journaled it, reduced to what tells
// two DSPy releases apart without keeping the prompts themselves: prompt
// formats, request parameters, and hashes of the system messages.
#pragma once

#include <vector>

#include "core/model.h"
#include "mock_server/journal.h"

namespace dspy_compat {

// Requests whose body was truncated or is not JSON add nothing.
LmTraffic SummariseTraffic(const std::vector<mock::JournalEntry>& entries);

}  // namespace dspy_compat
