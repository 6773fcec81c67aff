// Test-only HTTP helpers: real requests over loopback with libcurl, concurrent ones through a
// curl multi handle, and raw bytes over a plain socket for malformed HTTP.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dspy_compat::mock::testing {

struct HttpCall {
  std::string method = "GET";
  std::string url{};
  std::string body{};
  std::vector<std::string> headers{};  // "Name: value"
};

struct HttpReply {
  long status = 0;   // 0 when the transfer failed
  std::string body;  // also what arrived before a failure
  std::string content_type;
  std::string error;  // curl's message when the transfer failed
  double seconds = 0;
  long new_connections = 0;  // 0 when a kept-alive connection was reused
};

// One easy handle, reused across calls so keep-alive can be observed.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpReply Fetch(const HttpCall& call);
  HttpReply Get(const std::string& url) { return Fetch({.method = "GET", .url = url}); }
  HttpReply Post(const std::string& url, std::string body) {
    return Fetch({.method = "POST", .url = url, .body = std::move(body)});
  }

 private:
  void* curl_;
};

// All calls at once, each on its own connection; replies in call order.
std::vector<HttpReply> FetchAll(const std::vector<HttpCall>& calls);

// Connects to 127.0.0.1:port, writes `bytes`, returns whatever arrives until the server closes
// or `timeout` passes.
std::string RawExchange(std::uint16_t port, std::string_view bytes,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

}  // namespace dspy_compat::mock::testing
