#include "mock_server/admin_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Reply Json(const json& body, bool keep_alive) {
  return MakeReply(200, "application/json", Dump(body), keep_alive);
}

Reply Health(ServerState& s, bool keep_alive) {
  return Json({{"status", "ok"},
               {"uptime_ms", s.clock.NowMs()},
               {"requests", s.requests.load()},
               {"in_flight", s.in_flight.current()},
               {"peak_in_flight", s.in_flight.peak()},
               {"held", s.holds.waiting()},
               {"rules", s.rules.size()},
               {"journal_entries", s.journal.size()},
               {"journal_evicted", s.journal.evicted()}},
              keep_alive);
}

Reply Rules(ServerState& s, const HttpRequest& request, bool keep_alive) {
  std::string_view method = View(request.method_string());
  if (method == "GET") return Json(s.rules.Rules().ToJson(), keep_alive);
  if (method == "DELETE") {
    s.rules.Clear();
    return Json({{"rules", 0}}, keep_alive);
  }
  FixtureSet set;
  try {
    set = ParseFixtures(request.body());
  } catch (const FixtureError& e) {
    return ErrorReply(400, e.what(), "invalid_fixture", keep_alive);
  }
  std::size_t loaded = set.rules.size();
  if (method == "PUT") {
    s.rules.Replace(std::move(set));
  } else {
    s.rules.Append(std::move(set));
  }
  return Json({{"loaded", loaded}, {"rules", s.rules.size()}}, keep_alive);
}

}  // namespace

Reply HandleAdmin(ServerState& s, const HttpRequest& request, const Route& route) {
  const bool keep_alive = request.keep_alive();
  std::string_view target = View(request.target());
  std::optional<std::string> run = QueryParam(target, "run");
  switch (route.endpoint) {
    case Endpoint::kHealth:
      return Health(s, keep_alive);
    case Endpoint::kRequests:
      if (request.method() == http::verb::delete_) {
        if (run) {
          s.journal.ResetRun(*run);
        } else {
          s.journal.Reset();
        }
        return Json({{"status", "ok"}}, keep_alive);
      }
      return MakeReply(200, "application/x-ndjson",
                       ToJsonLines(run ? s.journal.ForRun(*run) : s.journal.All()), keep_alive);
    case Endpoint::kReset:
      // The journal, the rules' counters and the hold board; the rules themselves stay.
      if (run) {
        s.journal.ResetRun(*run);
        s.rules.ForgetRun(*run);
        s.holds.ForgetRun(*run);
      } else {
        s.journal.Reset();
        s.rules.ResetCounters();
        s.holds.Reset();
      }
      return Json({{"status", "ok"}}, keep_alive);
    case Endpoint::kRules:
      return Rules(s, request, keep_alive);
    default:
      return ErrorReply(404, "Unknown admin endpoint.", "unknown_url", keep_alive);
  }
}

}  // namespace dspy_compat::mock
