// The loaded fixture rules and the per-run counters behind their "nth" conditions. Rules are
// tried in order (a run's own rules before the server's); the first that matches decides.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mock_server/fixtures.h"
#include "mock_server/lm_request.h"

namespace dspy_compat::mock {

// What rules can match on, for one request.
struct RequestFacts {
  std::string_view run_id{};
  std::string_view path{};
  const LmRequest* request = nullptr;
  const std::vector<std::string>* fields = nullptr;  // the output fields the prompt asks for
};

struct RuleChoice {
  std::shared_ptr<const Rule> rule;
  int nth = 0;  // the request's position among the run's requests meeting the rule's conditions
};

class RuleBook {
 public:
  void Replace(FixtureSet set);
  void Append(FixtureSet set);
  void Clear();
  FixtureSet Rules() const;
  std::size_t size() const;

  // Counts the request against every rule whose conditions other than "nth" it meets (whether or
  // not an earlier rule wins it), then returns the first rule that matches in full. Requests must
  // be offered in arrival order, so that "nth" means arrival order.
  std::optional<RuleChoice> Choose(const RequestFacts& facts, const FixtureSet* run_rules);

  void ResetCounters();
  void ForgetRun(const std::string& run_id);

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const Rule>> rules_;
  std::atomic<std::size_t> size_{0};
  // run -> rule id -> requests counted
  std::unordered_map<std::string, std::unordered_map<std::uint64_t, int>> counters_;
};

}  // namespace dspy_compat::mock
