// URL handling for the mock server: which endpoint a request target names, and for which run.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dspy_compat::mock {

enum class Endpoint {
  kChatCompletions,  // POST [/run/<id>][/v1]/chat/completions
  kCompletions,      // POST [/run/<id>][/v1]/completions
  kModels,           // GET  [/run/<id>][/v1]/models
  kModel,            // GET  [/run/<id>][/v1]/models/<model id>
  kHealth,           // GET  /__admin/health
  kRequests,         // GET, DELETE /__admin/requests[?run=<id>]
  kReset,            // POST /__admin/reset
  kRules,            // GET, POST, PUT, DELETE /__admin/rules
  kUnknown,
};

struct Route {
  Endpoint endpoint = Endpoint::kUnknown;
  std::string run_id{};        // decoded from a /run/<id>/ prefix, even for unknown paths
  std::string model_id{};      // kModel: decoded, may contain '/'
  std::string_view methods{};  // the methods the endpoint accepts, ", "-separated
  bool Allows(std::string_view method) const;
  bool lm() const { return endpoint <= Endpoint::kModel || endpoint == Endpoint::kUnknown; }
};

// `target` is the HTTP request target; its query string is ignored and one trailing slash is
// tolerated. "/v1" is optional because an api_base given without it still reaches us.
Route MatchRoute(std::string_view target);

// The decoded value of `key` in the target's query string, or nullopt when absent.
std::optional<std::string> QueryParam(std::string_view target, std::string_view key);

// Run ids travel in paths and queries: keep unreserved characters, %XX the rest.
std::string PercentEncode(std::string_view text);
// Leaves malformed escapes as they are.
std::string PercentDecode(std::string_view text);

}  // namespace dspy_compat::mock
