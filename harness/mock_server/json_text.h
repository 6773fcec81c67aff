// Writing JSON text by hand. Responses are built on every request, and composing them as strings
// is several times cheaper than building an nlohmann::json tree and dumping it; it also keeps the
// field order DSPy's JSONAdapter prompts ask for.
#pragma once

#include <string>
#include <string_view>

#include "core/utf8.h"

namespace dspy_compat::mock {

// Appends `text` as a JSON string literal, quotes included. Bytes that are not valid UTF-8 become
// U+FFFD (as nlohmann's error_handler_t::replace does), so client bytes never make invalid JSON.
void AppendJsonString(std::string& out, std::string_view text);
std::string JsonString(std::string_view text);

// Whether `text` is valid UTF-8: core/utf8.h's, the reports' too.
using dspy_compat::IsValidUtf8;

}  // namespace dspy_compat::mock
