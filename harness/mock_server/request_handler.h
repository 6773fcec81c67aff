// Turns one parsed HTTP request into an Exchange: the reply to send, how long to hold and delay
// it, and its journal entry. No I/O here: the session owns sockets and timers.
#pragma once

#include <boost/beast/http.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mock_server/fixtures.h"
#include "mock_server/http_reply.h"
#include "mock_server/journal.h"
#include "mock_server/response_schedule.h"
#include "mock_server/server_state.h"

namespace dspy_compat::mock {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;

struct Exchange {
  Reply reply{};
  std::optional<Hold> hold{};  // wait for this first,
  int delay_ms = 0;            // then this long, then send
  std::string run_id{};
  std::string rule_name{};            // "" when no rule matched
  bool scheduled = false;             // an exploring run's response: the ScheduleBoard releases it
  std::uint64_t content_key = 0;      // ContentKey of the request, when scheduled
  Quoting quoting{};                  // when scheduled: what tells its chain of calls
  std::uint64_t schedule_ticket = 0;  // set by the session while the board knows the response
  std::optional<JournalEntry> entry;  // LM-facing requests only; admin calls are not journaled
};

class RequestHandler {
 public:
  explicit RequestHandler(ServerState& state) : state_(state) {}

  // Takes the request's body (into the journal).
  Exchange Handle(HttpRequest& request);
  // The request's body exceeded the limit; only its header was read. Answers 413, closes.
  Exchange TooLarge(std::string_view method, std::string_view target);
  // Unparseable HTTP: a 400 that closes the connection. Not journaled.
  Reply Malformed(std::string_view reason) const;
  // The reply is being written in full or as planned (`delivered`), or the client went away
  // first. Journals the entry and tells the hold and schedule boards the request was answered.
  // Leaves the reply intact: the session may still be writing it.
  void Complete(Exchange& exchange, bool delivered);

 private:
  Exchange Begin(std::string_view method, std::string_view target, std::string run_id);
  void LmCall(Exchange& exchange, LmApi api, std::string_view body, bool keep_alive);

  ServerState& state_;
};

}  // namespace dspy_compat::mock
