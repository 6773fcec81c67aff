#include "mock_server/session.h"

#include <fmt/format.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string_view>

namespace dspy_compat::mock {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

constexpr std::size_t kHeaderLimit = 64 * 1024;
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr auto kBodyTimeout = std::chrono::seconds(60);
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr auto kScheduleSafety = std::chrono::seconds(120);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kCrLf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

// Beast reports bad request lines, headers and framing in its own category.
bool IsProtocolError(const beast::error_code& ec) {
  return std::string_view(ec.category().name()) == "beast.http" &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

asio::const_buffer Buffer(std::string_view s) { return {s.data(), s.size()}; }

// A gather list for one write: the head, a chunk's framing and its data, the last chunk. Cheap to
// copy, as async_write copies its buffer sequence.
class BufferList {
 public:
  void Add(std::string_view s) { items_[count_++] = Buffer(s); }
  const asio::const_buffer* begin() const { return items_.data(); }
  const asio::const_buffer* end() const { return items_.data() + count_; }

 private:
  std::array<asio::const_buffer, 5> items_{};
  std::size_t count_ = 0;
};

}  // namespace

Session::Session(Socket socket, RequestHandler& handler, HoldBoard& holds, ScheduleBoard& schedules,
                 const ServerClock& clock, std::size_t max_body_bytes)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      handler_(handler),
      holds_(holds),
      schedules_(schedules),
      clock_(clock),
      max_body_bytes_(max_body_bytes) {
  // Beast reads at most the buffer's spare capacity (512 bytes for a new buffer): without this a
  // typical 1-3 KiB DSPy request takes several recv calls.
  buffer_.reserve(kReadChunk);
}

Session::~Session() {
  // Gone while held (server stop): the board must not call back into a dead session.
  if (holding_ && ticket_ != 0) holds_.Cancel(ticket_);
  // Held or released and not yet answered: the schedule must not wait for it.
  if (exchange_.schedule_ticket != 0) schedules_.Cancel(exchange_.schedule_ticket);
}

void Session::Start() {
  // Run on the connection's own io_context from the first step.
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void Session::ReadHeader() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(max_body_bytes_);
  // No deadline: keep-alive clients may sit idle between LM calls.
  http::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    const HttpRequest& header = parser_->get();
    exchange_ = handler_.TooLarge(View(header.method_string()), View(header.target()));
    active_ = true;
    return Send();
  }
  if (IsProtocolError(ec)) return SendReply(handler_.Malformed(ec.message()));
  if (ec) return Close();

  const HttpRequest& header = parser_->get();
  auto expect = header.find(http::field::expect);
  if (expect != header.end() && beast::iequals(expect->value(), "100-continue")) {
    // curl waits a second for this before sending a body; answer at once.
    asio::async_write(socket_, Buffer(kContinue),
                      [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                        if (write_ec) return self->Close();
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  // The body usually came in with the header: parse what is buffered before waiting for more,
  // which spares a timer and a trip through the reactor per request.
  beast::error_code ec;
  while (!parser_->is_done() && buffer_.size() > 0) {
    std::size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec || used == 0) break;
  }
  if (ec || parser_->is_done()) return OnBody(ec);

  // A client that stops half-way through its body must not hold the connection for ever.
  reading_body_ = true;
  timer_.expires_after(kBodyTimeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
    if (!wait_ec && self->reading_body_) self->Close();
  });
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code read_ec, std::size_t) {
                     self->reading_body_ = false;
                     self->timer_.cancel();
                     self->OnBody(read_ec);
                   });
}

void Session::OnBody(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    const HttpRequest& header = parser_->get();
    exchange_ = handler_.TooLarge(View(header.method_string()), View(header.target()));
    active_ = true;
    return Send();
  }
  if (IsProtocolError(ec)) return SendReply(handler_.Malformed(ec.message()));
  if (ec) return Close();
  exchange_ = handler_.Handle(parser_->get());
  active_ = true;
  parser_.reset();
  Hold();
}

void Session::Hold() {
  if (exchange_.scheduled) {
    hold_started_ms_ = clock_.NowMs();
    std::weak_ptr<Session> weak = weak_from_this();
    auto executor = socket_.get_executor();
    holding_ = true;
    exchange_.schedule_ticket = schedules_.Hold(
        exchange_.run_id, exchange_.content_key, exchange_.entry ? exchange_.entry->seq : 0,
        hold_started_ms_,
        [weak, executor](bool bound) {
          asio::post(executor, [weak, bound] {
            if (auto self = weak.lock()) self->OnScheduled(bound);
          });
        },
        std::move(exchange_.quoting));
    if (exchange_.schedule_ticket == 0) {
      holding_ = false;  // the run stopped exploring meanwhile (forgotten)
      return Delay();
    }
    // The board releases within its bound; this wait keeps the session alive meanwhile, and
    // answers anyway should the board never poll.
    timer_.expires_after(kScheduleSafety);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || !self->holding_) return;
      self->schedules_.Cancel(self->exchange_.schedule_ticket);
      self->exchange_.schedule_ticket = 0;
      self->OnScheduled(true);
    });
    return;
  }
  if (!exchange_.hold) return Delay();
  hold_started_ms_ = clock_.NowMs();
  std::weak_ptr<Session> weak = weak_from_this();
  auto executor = socket_.get_executor();
  ticket_ = holds_.Wait(exchange_.run_id, *exchange_.hold, [weak, executor] {
    // Called on whichever thread satisfied the condition: hop onto this connection's thread.
    asio::post(executor, [weak] {
      if (auto self = weak.lock()) self->OnReleased(false);
    });
  });
  if (ticket_ == 0) return Delay();
  holding_ = true;
  timer_.expires_after(std::chrono::milliseconds(exchange_.hold->timeout_ms));
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->OnReleased(true);
  });
}

void Session::OnReleased(bool timed_out) {
  if (!holding_) return;  // the other of release and timeout came first
  holding_ = false;
  if (timed_out) {
    holds_.Cancel(ticket_);
    if (exchange_.entry) exchange_.entry->faults.push_back("hold_timeout");
  } else {
    timer_.cancel();
  }
  ticket_ = 0;
  if (exchange_.entry) exchange_.entry->held_ms = clock_.NowMs() - hold_started_ms_;
  Delay();
}

void Session::OnScheduled(bool bound) {
  if (!holding_) return;
  holding_ = false;
  timer_.cancel();
  if (exchange_.entry) {
    exchange_.entry->held_ms = clock_.NowMs() - hold_started_ms_;
    if (bound) exchange_.entry->faults.push_back("schedule_bound");
  }
  Delay();
}

void Session::Delay() {
  if (exchange_.delay_ms <= 0) return Send();
  timer_.expires_after(std::chrono::milliseconds(exchange_.delay_ms));
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->Send();
  });
}

void Session::Send() {
  const Reply& reply = exchange_.reply;
  if (reply.drop != Reply::Drop::kNone) {
    if (reply.drop == Reply::Drop::kReset) {
      beast::error_code ignored;
      socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    }
    Finish(true);
    return Close();
  }
  WritePart(0);
}

void Session::WritePart(std::size_t index) {
  const Reply& reply = exchange_.reply;
  BufferList buffers;
  if (index == 0) buffers.Add(reply.head);
  bool cut_here = reply.cut_after && index >= *reply.cut_after;
  if (index < reply.parts.size() && !cut_here) {
    const std::string& part = reply.parts[index];
    if (reply.chunked) {
      chunk_size_ = fmt::format("{:x}\r\n", part.size());
      buffers.Add(chunk_size_);
      buffers.Add(part);
      buffers.Add(kCrLf);
    } else {
      buffers.Add(part);
    }
  }
  bool final = index + 1 >= reply.parts.size() ||
               (reply.cut_after && (cut_here || index + 1 >= *reply.cut_after));
  if (reply.chunked && final && !reply.cut_after) buffers.Add(kLastChunk);
  // Journal before the last write: a client that exits as soon as it has its answer (and the
  // harness reading the journal right after) must find the entry there.
  if (final) Finish(true);
  asio::async_write(socket_, buffers,
                    [self = shared_from_this(), index, final](beast::error_code ec, std::size_t) {
                      self->OnPartWritten(ec, index, final);
                    });
}

void Session::OnPartWritten(beast::error_code ec, std::size_t index, bool final) {
  if (ec) {
    Finish(false);
    return Close();
  }
  const Reply& reply = exchange_.reply;
  if (!final) {
    std::size_t next = index + 1;
    if (reply.interval_ms <= 0) return WritePart(next);
    timer_.expires_after(std::chrono::milliseconds(reply.interval_ms));
    timer_.async_wait([self = shared_from_this(), next](beast::error_code wait_ec) {
      if (!wait_ec) self->WritePart(next);
    });
    return;
  }
  bool cut = reply.cut_after.has_value();
  bool keep_alive = reply.keep_alive;
  exchange_ = {};
  if (cut) return Close();  // mid-body: the client sees the connection end early
  if (!keep_alive) return Linger();
  ReadHeader();
}

void Session::Finish(bool delivered) {
  if (!active_) return;
  active_ = false;
  handler_.Complete(exchange_, delivered);
}

void Session::SendReply(Reply reply) {
  exchange_ = {};
  exchange_.reply = std::move(reply);
  active_ = true;
  Send();
}

void Session::Linger() {
  // Closing with unread input makes the kernel send RST, which can destroy the response we just
  // wrote (a 413 client is usually still sending). Half-close, drain briefly, then close.
  beast::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  timer_.expires_after(kLingerTimeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->Close();
  });
  Drain();
}

void Session::Drain() {
  buffer_.clear();
  socket_.async_read_some(buffer_.prepare(16 * 1024),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) {
                              self->timer_.cancel();
                              return self->Close();
                            }
                            self->Drain();
                          });
}

void Session::Close() {
  beast::error_code ignored;
  socket_.close(ignored);
}

}  // namespace dspy_compat::mock
