// One client connection: read a request, hand it to the RequestHandler, hold the response on a
// timer for its delay, write it, repeat while the client keeps the connection alive. Every step
// is an async operation on the connection's strand, so a thousand held responses cost a
// thousand timers, not a thousand threads.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "mock_server/request_handler.h"

namespace dspy_compat::mock {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket socket, RequestHandler& handler, std::size_t max_body_bytes);
  void Start();

 private:
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void Hold();  // waits out pending_'s delay, then sends it
  void Send();
  void OnWrite(boost::beast::error_code ec);
  void SendMalformed(std::string_view reason);
  void Linger();  // graceful close after a response that ends the connection
  void Drain();
  void Close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  boost::asio::steady_timer timer_;
  HandlerResult pending_;  // the response in flight; async_write reads it in place
  RequestHandler& handler_;
  const std::size_t max_body_bytes_;
};

}  // namespace dspy_compat::mock
