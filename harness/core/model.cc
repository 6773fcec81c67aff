#include "core/model.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace dspy_compat {
namespace {
constexpr std::array<std::pair<Status, std::string_view>, kStatusCount> kStatusNames{{
    {Status::kPass, "pass"},
    {Status::kFail, "fail"},
    {Status::kTimeout, "timeout"},
    {Status::kCrash, "crash"},
    {Status::kError, "error"},
    {Status::kUnresolved, "unresolved"},
}};
constexpr std::array<std::pair<Expectation, std::string_view>, 6> kExpectationNames{{
    {Expectation::kPass, "pass"},
    {Expectation::kFail, "fail"},
    {Expectation::kFlaky, "flaky"},
    {Expectation::kFailOrFlaky, "fail-or-flaky"},
    {Expectation::kAny, "any"},
    {Expectation::kBehaviourChange, "behaviour-change"},
}};
std::vector<std::string_view> Components(std::string_view version) {
  std::vector<std::string_view> parts;
  while (true) {
    std::size_t dot = version.find('.');
    parts.push_back(version.substr(0, dot));
    if (dot == std::string_view::npos) break;
    version.remove_prefix(dot + 1);
  }
  return parts;
}

long LeadingNumber(std::string_view component) {
  long value = 0;
  for (char c : component) {
    if (c < '0' || c > '9' || value > 1000000000) break;
    value = value * 10 + (c - '0');
  }
  return value;
}
}  // namespace

int CompareVersions(std::string_view a, std::string_view b) {
  auto left = Components(a), right = Components(b);
  for (std::size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
    long x = i < left.size() ? LeadingNumber(left[i]) : 0;
    long y = i < right.size() ? LeadingNumber(right[i]) : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

std::string_view ExpectationName(Expectation expectation) {
  for (const auto& [e, name] : kExpectationNames) {
    if (e == expectation) return name;
  }
  return "any";
}

std::optional<Expectation> ParseExpectation(std::string_view name) {
  for (const auto& [e, n] : kExpectationNames) {
    if (n == name) return e;
  }
  return std::nullopt;
}

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

TargetInfo DescribeTarget(const Target& t) {
  return {t.name,         t.kind == Target::Kind::kLocked ? "locked" : "python",
          t.dspy_version, t.python_version,
          t.lock_hash,    t.interpreter.string(),
          t.substitutions};
}

}  // namespace dspy_compat
