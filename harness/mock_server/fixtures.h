// Fixture rules: which requests get a scripted answer, delay, failure or hold. The file format is
// documented in FIXTURES.md; this is its data model and its (strict) parser. Every rule is
// validated when loaded, so a typo fails the load with the rule's path instead of silently never
// matching.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.h"
#include "mock_server/lm_request.h"
#include "mock_server/template.h"

namespace re2 {
class RE2;
}

namespace dspy_compat::mock {

class FixtureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A JSON string matches exactly; {"regex": "..."} searches (RE2 syntax, linear time).
struct TextMatcher {
  std::string exact{};
  std::shared_ptr<const re2::RE2> regex{};
  bool Matches(std::string_view text) const;
};

// 2, [1, 3], or {"from": 2, "to": 5} (either bound optional).
struct NthSpec {
  std::vector<int> values{};
  int from = 0;
  int to = 0;  // 0: unbounded
  bool Matches(int n) const;
};

// Every condition given must hold.
struct RuleMatch {
  std::optional<TextMatcher> model{};
  std::optional<TextMatcher> run{};
  std::optional<TextMatcher> path{};
  std::optional<TextMatcher> messages{};  // always a regex, over all message texts joined by \n
  std::vector<std::string> fields{};      // output fields the prompt must ask for (a subset)
  std::optional<NthSpec> nth{};           // position among the run's requests meeting the rest
  std::optional<LmApi> api{};
  std::optional<bool> stream{};
};

struct FieldOverride {
  std::string name{};
  std::optional<Template> text{};  // a string value: a template
  nlohmann::json value{};          // any other JSON value, used as is
};

struct RuleResponse {
  std::vector<FieldOverride> fields{};
  std::optional<Template> content{};  // the whole message content, instead of the DSPy answer
  bool echo_model = false;
  std::string finish_reason{};  // "" keeps "stop"
};

enum class FaultKind { kStatus, kMalformedJson, kDrop, kTruncate, kTrickle };

struct Fault {
  FaultKind kind = FaultKind::kStatus;
  int status = 500;                   // kStatus
  std::optional<std::string> body{};  // kStatus; default: an OpenAI error object
  std::string content_type{};         // kStatus; default from the body's kind
  std::vector<std::pair<std::string, std::string>> headers{};  // kStatus
  bool reset = false;                                          // kDrop: RST instead of FIN
  int after = 0;         // kTruncate: SSE events (stream) or body bytes
  int chunk_bytes = 16;  // kTrickle (non-streamed bodies)
  int interval_ms = 50;  // kTrickle
};

enum class HoldScope { kRun, kServer };

// Holds the response (before its delay) until every condition given holds, or the timeout.
struct Hold {
  int until_arrived = 0;         // this many LM requests have arrived in the scope
  std::string until_answered{};  // a request matched by a rule of this name was answered
  HoldScope scope = HoldScope::kRun;
  int timeout_ms = 30000;
};

struct Rule {
  std::uint64_t id = 0;  // unique per server process; keys the rule's counters
  std::string name{};    // given, or "#<position in its file>"
  RuleMatch match{};
  RuleResponse respond{};
  std::optional<DelaySpec> delay{};
  std::optional<Fault> fault{};
  std::optional<Hold> hold{};
  nlohmann::json source{};  // as written, for GET /__admin/rules
};

struct FixtureSet {
  std::vector<std::shared_ptr<const Rule>> rules{};
  nlohmann::json ToJson() const;  // {"rules": [source...]}
};

// Accepts {"rules": [...]}, a bare array of rules, or a single rule object. Throws FixtureError
// naming the offending key, e.g. "rules[2].fault.kind: unknown kind \"explode\" (...)".
FixtureSet ParseFixtures(std::string_view text);
FixtureSet LoadFixtureFile(const std::filesystem::path& path);

std::string FaultName(const Fault& fault);  // "status:429", "drop", "truncate", ...

}  // namespace dspy_compat::mock
