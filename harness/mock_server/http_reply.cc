#include "mock_server/http_reply.h"

#include <fmt/format.h>

#include <boost/beast/http/status.hpp>
#include <charconv>
#include <iterator>

#include "mock_server/openai_bodies.h"

namespace dspy_compat::mock {
namespace {

// Built by hand: every response needs one, and fmt's runtime formatting cost more than the
// rest of writing the head.
std::string Head(int status, std::string_view content_type, std::string_view framing,
                 bool keep_alive, const HeaderList& extra) {
  auto reason = boost::beast::http::obsolete_reason(
      boost::beast::http::int_to_status(static_cast<unsigned>(status)));
  char code[8];
  auto [code_end, ec] = std::to_chars(std::begin(code), std::end(code), status);
  std::string head;
  head.reserve(160);
  head.append("HTTP/1.1 ").append(code, code_end).append(" ");
  head.append(reason.data(), reason.size());
  head.append("\r\nServer: dspy-compat-mock\r\nContent-Type: ").append(content_type);
  head.append("\r\n").append(framing).append("\r\n");
  for (const auto& [name, value] : extra)
    head.append(name).append(": ").append(value).append("\r\n");
  if (!keep_alive) head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

}  // namespace

std::string Reply::Body() const {
  std::string body;
  for (const std::string& p : parts) body += p;
  return body;
}

Reply MakeReply(int status, std::string_view content_type, std::string body, bool keep_alive,
                const HeaderList& extra) {
  Reply reply;
  reply.status = status;
  reply.keep_alive = keep_alive;
  reply.head = Head(status, content_type, "Content-Length: " + std::to_string(body.size()),
                    keep_alive, extra);
  reply.parts.push_back(std::move(body));
  return reply;
}

Reply MakeEventStream(std::vector<std::string> events, bool keep_alive) {
  Reply reply;
  reply.keep_alive = keep_alive;
  reply.chunked = true;
  reply.head = Head(200, "text/event-stream; charset=utf-8",
                    "Transfer-Encoding: chunked\r\nCache-Control: no-cache", keep_alive, {});
  reply.parts = std::move(events);
  return reply;
}

Reply ErrorReply(int status, std::string_view message, std::string_view code, bool keep_alive,
                 std::string_view type, const HeaderList& extra) {
  return MakeReply(status, "application/json", ErrorBody(message, type, code), keep_alive, extra);
}

void SplitBody(Reply& reply, std::size_t bytes) {
  if (bytes == 0 || reply.chunked) return;
  std::string body = reply.Body();
  reply.parts.clear();
  for (std::size_t at = 0; at < body.size(); at += bytes)
    reply.parts.push_back(body.substr(at, bytes));
}

}  // namespace dspy_compat::mock
