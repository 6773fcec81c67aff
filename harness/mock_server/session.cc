#include "mock_server/session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string_view>

namespace dspy_compat::mock {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

constexpr std::size_t kHeaderLimit = 64 * 1024;
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

// Beast reports bad request lines, headers and framing in its own category.
bool IsProtocolError(const beast::error_code& ec) {
  return std::string_view(ec.category().name()) == "beast.http" &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace

Session::Session(asio::ip::tcp::socket socket, RequestHandler& handler, std::size_t max_body_bytes)
    : stream_(std::move(socket)),
      timer_(stream_.get_executor()),
      handler_(handler),
      max_body_bytes_(max_body_bytes) {}

void Session::Start() {
  // Run on the connection's strand from the first step.
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void Session::ReadHeader() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(max_body_bytes_);
  stream_.expires_never();  // keep-alive clients may sit idle between LM calls
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    const HttpRequest& header = parser_->get();
    pending_ = handler_.TooLarge(View(header.method_string()), View(header.target()));
    return Send();
  }
  if (IsProtocolError(ec)) return SendMalformed(ec.message());
  if (ec) return Close();

  const HttpRequest& header = parser_->get();
  auto expect = header.find(http::field::expect);
  if (expect != header.end() && beast::iequals(expect->value(), "100-continue")) {
    // curl waits a second for this before sending a body; answer at once.
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                        if (write_ec) return self->Close();
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    const HttpRequest& header = parser_->get();
    pending_ = handler_.TooLarge(View(header.method_string()), View(header.target()));
    return Send();
  }
  if (IsProtocolError(ec)) return SendMalformed(ec.message());
  if (ec) return Close();
  pending_ = handler_.Handle(parser_->get());
  parser_.reset();
  Hold();
}

void Session::Hold() {
  if (pending_.delay_ms <= 0) return Send();
  timer_.expires_after(std::chrono::milliseconds(pending_.delay_ms));
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec) return self->Close();  // only when the server shuts down
    self->Send();
  });
}

void Session::Send() {
  handler_.Complete(pending_);
  stream_.expires_after(kWriteTimeout);
  http::async_write(
      stream_, pending_.response,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnWrite(ec); });
}

void Session::OnWrite(beast::error_code ec) {
  if (ec) return Close();
  bool keep_alive = pending_.response.keep_alive();
  pending_ = {};
  if (!keep_alive) return Linger();
  ReadHeader();
}

void Session::Linger() {
  // Closing with unread input makes the kernel send RST, which can destroy the response we just
  // wrote (a 413 client is usually still sending). Half-close, drain briefly, then close.
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTimeout);
  Drain();
}

void Session::Drain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(16 * 1024),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->Close();
                            self->Drain();
                          });
}

void Session::SendMalformed(std::string_view reason) {
  pending_ = {};
  pending_.response = handler_.Malformed(reason);
  Send();
}

void Session::Close() {
  beast::error_code ignored;
  stream_.socket().close(ignored);
}

}  // namespace dspy_compat::mock
