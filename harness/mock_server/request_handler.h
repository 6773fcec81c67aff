// Turns one parsed HTTP request into its response, the delay to hold it for, and its journal
// entry. No I/O here: the session owns sockets and timers.
#pragma once

#include <boost/beast/http.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "mock_server/clock.h"
#include "mock_server/journal.h"
#include "mock_server/routes.h"
#include "mock_server/run_registry.h"

namespace dspy_compat::mock {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

struct HandlerResult {
  HttpResponse response;
  int delay_ms = 0;
  std::optional<JournalEntry> entry;  // LM-facing requests only; admin calls are not journaled
};

class RequestHandler {
 public:
  RequestHandler(std::uint64_t seed, Journal& journal, const RunRegistry& runs,
                 const ServerClock& clock)
      : seed_(seed), journal_(journal), runs_(runs), clock_(clock) {}

  HandlerResult Handle(const HttpRequest& request);
  // The request's body exceeded the limit; only its header was read. Answers 413, closes.
  HandlerResult TooLarge(std::string_view method, std::string_view target);
  // Unparseable HTTP: a bare 400 that closes the connection. Not journaled.
  HttpResponse Malformed(std::string_view reason) const;
  // Stamps the completion time and journals the entry, if any.
  void Complete(HandlerResult& result);

 private:
  HandlerResult ChatCompletion(const HttpRequest& request, JournalEntry entry);
  HandlerResult Admin(const HttpRequest& request, const Route& route);

  const std::uint64_t seed_;
  Journal& journal_;
  const RunRegistry& runs_;
  const ServerClock& clock_;
};

// {"error": {"message", "type", "param", "code"}}, as the OpenAI API sends.
HttpResponse OpenAiError(http::status status, std::string_view message, std::string_view code,
                         std::string_view type = "invalid_request_error");

}  // namespace dspy_compat::mock
