// A response as the connection will write it: the serialised head, the body in parts, and how
// the exchange ends. Faults are expressed here too (a dropped connection, a body cut short, parts
// trickled slowly), so the session only executes the plan.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dspy_compat::mock {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Reply {
  enum class Drop { kNone, kClose, kReset };

  int status = 200;
  std::string head{};                // status line and headers, through the blank line
  std::vector<std::string> parts{};  // the body, in write order (one part unless streamed)
  bool chunked = false;              // frame each part as an HTTP/1.1 chunk, then the last chunk
  int interval_ms = 0;               // pause between parts (a slow trickle)
  std::optional<std::size_t> cut_after{};  // close after this many parts, unfinished
  Drop drop = Drop::kNone;                 // send nothing at all, just close
  bool keep_alive = true;

  std::string Body() const;  // the parts joined: what the journal keeps
};

// A complete body with Content-Length.
Reply MakeReply(int status, std::string_view content_type, std::string body, bool keep_alive,
                const HeaderList& extra = {});
// Server-sent events, one chunk per event.
Reply MakeEventStream(std::vector<std::string> events, bool keep_alive);
// An OpenAI-shaped error.
Reply ErrorReply(int status, std::string_view message, std::string_view code, bool keep_alive,
                 std::string_view type = "invalid_request_error", const HeaderList& extra = {});

// Re-cuts a one-part body into parts of `bytes` (the head is unchanged).
void SplitBody(Reply& reply, std::size_t bytes);

}  // namespace dspy_compat::mock
