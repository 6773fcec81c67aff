#include "core/model.h"

#include <array>
#include <utility>

namespace dspy_compat {
namespace {
constexpr std::array<std::pair<Status, std::string_view>, 5> kStatusNames{{
    {Status::kPass, "pass"},
    {Status::kFail, "fail"},
    {Status::kTimeout, "timeout"},
    {Status::kCrash, "crash"},
    {Status::kError, "error"},
}};
}  // namespace

std::string_view StatusName(Status status) {
  for (const auto& [s, name] : kStatusNames) {
    if (s == status) return name;
  }
  return "error";
}

std::optional<Status> ParseStatus(std::string_view name) {
  for (const auto& [s, n] : kStatusNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

}  // namespace dspy_compat
