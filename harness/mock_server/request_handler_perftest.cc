// How much CPU one chat completion costs the mock server outside the kernel: HTTP parsing,
// routing, the JSON body, the DSPy-aware answer, the journal. Not a test; run by hand:
//   build/harness/mock_server/request_handler_perftest [iterations]
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mock_server/request_handler.h"
#include "mock_server/test_data.h"

int main(int argc, char** argv) {
  using namespace dspy_compat::mock;
  namespace http = boost::beast::http;
  int iterations = argc > 1 ? std::atoi(argv[1]) : 200000;
  std::string body = testing::LoadPrompt("cot_question_answer").dump();
  std::string wire =
      "POST /run/bench/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;

  ServerState state(1, {}, false, Journal::kDefaultByteBudget);
  RequestHandler handler(state);
  std::size_t bytes = 0;
  auto run = [&](int n) {
    for (int i = 0; i < n; ++i) {
      http::request_parser<http::string_body> parser;
      boost::beast::error_code ec;
      std::size_t used = 0;
      while (!ec && !parser.is_done() && used < wire.size()) {
        used += parser.put(boost::asio::buffer(wire.data() + used, wire.size() - used), ec);
      }
      if (ec || !parser.is_done()) {
        std::fprintf(stderr, "parse failed: %s\n", ec.message().c_str());
        std::exit(1);
      }
      Exchange exchange = handler.Handle(parser.get());
      handler.Complete(exchange, true);
      bytes += exchange.reply.head.size() + exchange.reply.parts.at(0).size();
    }
  };
  run(iterations / 10);  // warm up the allocator and the journal
  auto start = std::chrono::steady_clock::now();
  run(iterations);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d requests: %.2f us each (%.0f per second on one core), %zu response bytes\n",
              iterations, seconds * 1e6 / iterations, iterations / seconds, bytes);
  return 0;
}
