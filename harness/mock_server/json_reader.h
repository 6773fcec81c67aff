// A JSON parser that builds nlohmann::json about three times faster than nlohmann's own, whose
// lexer copies every character one at a time: every request body is parsed, and parsing was
// the largest cost in the handler. It accepts exactly RFC 8259 JSON (UTF-8 validated, as
// nlohmann does) and gives the same values, numbers typed as nlohmann types them; fuzz/
// json_fuzzer.cc checks the two against each other.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace dspy_compat::mock {

// Nesting deeper than this is rejected: the parser recurses, and bodies come from clients.
inline constexpr int kMaxJsonDepth = 256;

// The value, or a discarded value (is_discarded()) when `text` is not JSON or nests too deep.
nlohmann::json ParseJson(std::string_view text);

}  // namespace dspy_compat::mock
