// One client connection: read a request, hand it to the RequestHandler, hold the response until
// its hold condition and delay have passed, write it (in parts, if streamed or trickled), repeat
// while the client keeps the connection alive. Every step is an async operation on the
// connection's io_context (one thread each, so no strand is needed), and a thousand held
// responses cost a thousand timers, not a thousand threads. An exploring run's responses wait for
// the ScheduleBoard instead, which holds them with no timer of their own.
#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "mock_server/hold_board.h"
#include "mock_server/request_handler.h"
#include "mock_server/schedule_board.h"

namespace dspy_compat::mock {

// Concrete executor types: the type-erased any_io_executor costs measurably per operation.
using IoExecutor = boost::asio::io_context::executor_type;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, IoExecutor>;
using Timer = boost::asio::basic_waitable_timer<
    std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, IoExecutor>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, RequestHandler& handler, HoldBoard& holds, ScheduleBoard& schedules,
          const ServerClock& clock, std::size_t max_body_bytes);
  ~Session();
  void Start();

 private:
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void Hold();  // waits for the exchange's hold condition, if any
  void OnReleased(bool timed_out);
  void OnScheduled(bool bound);  // the schedule released it
  void Delay();                  // then its delay
  void Send();
  void WritePart(std::size_t index);
  void OnPartWritten(boost::beast::error_code ec, std::size_t index, bool final);
  void Finish(bool delivered);  // journals the exchange (once)
  void SendReply(Reply reply);  // a reply with no exchange behind it (malformed HTTP)
  void Linger();                // graceful close after a response that ends the connection
  void Drain();
  void Close();

  Socket socket_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  // One timer serves every wait, as they never overlap: the body's deadline, the hold's
  // timeout, the delay, a trickle's pauses, the linger after a last response.
  Timer timer_;
  Exchange exchange_;    // the request in flight; writes read its reply in place
  bool active_ = false;  // exchange_ awaits Finish
  RequestHandler& handler_;
  HoldBoard& holds_;
  ScheduleBoard& schedules_;
  const ServerClock& clock_;
  const std::size_t max_body_bytes_;
  HoldBoard::Ticket ticket_ = 0;
  bool reading_body_ = false;
  bool holding_ = false;
  double hold_started_ms_ = 0;
  std::string chunk_size_;  // the current chunk's size line, alive while it is written
};

}  // namespace dspy_compat::mock
