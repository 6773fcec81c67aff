#include "core/iso_time.h"

#include <fmt/chrono.h>

#include <chrono>

namespace dspy_compat {

std::string IsoUtcNow() {
  return fmt::format(
      "{:%Y-%m-%dT%H:%M:%SZ}",
      fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

}  // namespace dspy_compat
