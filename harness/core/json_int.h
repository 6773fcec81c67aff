// A JSON value as an int, for readers of files and lines others wrote (the
// mock server's journal, the fork server's events, the runner's result):
// nlohmann's get<int>() on 1e12, 2.5 or -1e20 truncates or wraps without a
// word, and json::value() throws type_error on a string. Header-only, so
// parts that already use nlohmann_json need no new link.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

namespace dspy_compat {

// The value when it is an integer (not a float, bool or string) within
// int's range; nullopt otherwise.
inline std::optional<int> JsonInt(const nlohmann::json& value) {
  // Compared as 64-bit numbers, not as json: json's own comparison of an
  // unsigned value above INT64_MAX with an int says "not greater" (so
  // 18446744073709551615 used to pass as -1).
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) return std::nullopt;
    return static_cast<int>(u);
  }
  if (!value.is_number_integer()) return std::nullopt;
  const auto i = value.get<std::int64_t>();
  if (i < std::numeric_limits<int>::min() || i > std::numeric_limits<int>::max()) {
    return std::nullopt;
  }
  return static_cast<int>(i);
}

}  // namespace dspy_compat
