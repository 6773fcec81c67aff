// Timestamps as written into results and environment markers.
#pragma once

#include <string>

namespace dspy_compat {

// The current time in UTC, ISO 8601 to the second: "2024-11-26T17:23:01Z".
std::string IsoUtcNow();

}  // namespace dspy_compat
