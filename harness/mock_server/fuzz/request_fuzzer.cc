// libFuzzer target: arbitrary bytes as an HTTP request, through Beast's parser (with the server's
// limits) and the whole request handler: routing, the JSON body, prompt reading, the answer, the
// fixture rules (a set that uses every match, template and fault), the admin API, the journal.
// Build and run with scripts/fuzz.sh.
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mock_server/fixtures.h"
#include "mock_server/request_handler.h"

namespace {

using namespace dspy_compat::mock;

constexpr std::string_view kRules = R"json({"rules": [
  {"name": "q", "match": {"messages": "(?i)capital", "fields": ["answer"]},
   "respond": {"fields": {"answer": "{{input.question}} {{model}} {{run}} {{nth}}", "n": [1, 2]}}},
  {"name": "raw", "match": {"run": {"regex": "^raw"}},
   "respond": {"content": "{{answer}}|{{field.reasoning}}|{{hash}}", "echo_model": true}},
  {"name": "third", "match": {"nth": 3}, "fault": {"kind": "status", "status": 429}},
  {"name": "cut", "match": {"stream": true, "nth": {"from": 2}}, "fault": {"kind": "truncate", "after": 2}},
  {"name": "bad", "match": {"model": "bad"}, "fault": {"kind": "malformed_json"}},
  {"name": "slow", "match": {"api": "completions"}, "fault": {"kind": "trickle", "chunk_bytes": 3}},
  {"name": "hold", "match": {"path": {"regex": "hold"}}, "hold": {"until_arrived": 2},
   "delay_ms": [0, 5]}]})json";

const FixtureSet& Rules() {
  static const FixtureSet* rules = new FixtureSet(ParseFixtures(kRules));
  return *rules;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  // A fresh server per input: nothing outlives it, so LeakSanitizer need not rescan the heap
  // after every run (which made this target a hundred times slower).
  ServerState state(7, {0, 0}, false, 4 << 20);
  state.rules.Replace(Rules());
  RequestHandler handler(state);
  http::request_parser<http::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (!ec && !parser.is_done() && used < size) {
    std::size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (n == 0 && !ec) break;
    used += n;
  }
  if (!ec && !parser.is_done() && used == size) parser.put_eof(ec);
  if (ec == http::error::body_limit) {
    Exchange exchange = handler.TooLarge("POST", "/v1/chat/completions");
    handler.Complete(exchange, true);
    return 0;
  }
  if (ec || !parser.is_done()) {
    (void)handler.Malformed(ec ? ec.message() : "incomplete");
    return 0;
  }
  Exchange exchange = handler.Handle(parser.get());
  handler.Complete(exchange, size % 2 == 0);
  return 0;
}
