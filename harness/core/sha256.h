// SHA-256 of bytes, as lower-case hex: lock files (the environment cache's
// key) and the knowledge files a report used.
#pragma once

#include <string>

namespace dspy_compat {

std::string Sha256Hex(const std::string& bytes);

}  // namespace dspy_compat
