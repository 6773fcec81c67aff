// Deterministic values for DSPy output fields that DSPy's adapters parse back into the field's
// type (ChatAdapter.parse: json.loads, then ast.literal_eval, then pydantic).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "mock_server/prompt_fields.h"

namespace dspy_compat::mock {

// `hash` picks the value; `text_suffix` is appended to free-text (str) values only, e.g.
// " [model=gpt-4o-mini]", since a number or a Literal cannot carry it.
std::string FieldValueText(const OutputField& field, std::uint64_t hash,
                           std::string_view text_suffix);

// The same value as a JSON value, for JSONAdapter answers: numbers, booleans, lists and objects
// natively, everything else (str, Literal and Enum members) as a string.
nlohmann::json FieldValueJson(const OutputField& field, std::uint64_t hash,
                              std::string_view text_suffix);

// Short lowercase hex of `hash`, the distinguishing part of every mock text.
std::string HashTag(std::uint64_t hash);

}  // namespace dspy_compat::mock
