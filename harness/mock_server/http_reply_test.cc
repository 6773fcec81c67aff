#include "mock_server/http_reply.h"

#include <gtest/gtest.h>

namespace dspy_compat::mock {
namespace {

TEST(HttpReplyTest, HeadWithContentLength) {
  Reply r = MakeReply(200, "application/json", "{}", true, {{"X-Test", "1"}});
  EXPECT_EQ(r.head,
            "HTTP/1.1 200 OK\r\nServer: dspy-compat-mock\r\nContent-Type: application/json\r\n"
            "Content-Length: 2\r\nX-Test: 1\r\n\r\n");
  EXPECT_EQ(r.Body(), "{}");
  EXPECT_EQ(MakeReply(429, "text/plain", "", false).head,
            "HTTP/1.1 429 Too Many Requests\r\nServer: dspy-compat-mock\r\nContent-Type: "
            "text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

TEST(HttpReplyTest, EventStreamsAreChunked) {
  Reply r = MakeEventStream({"data: 1\n\n", "data: [DONE]\n\n"}, true);
  EXPECT_TRUE(r.chunked);
  EXPECT_NE(r.head.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(r.head.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_EQ(r.Body(), "data: 1\n\ndata: [DONE]\n\n");
}

TEST(HttpReplyTest, SplitBody) {
  Reply r = MakeReply(200, "application/json", "abcdefg", true);
  SplitBody(r, 3);
  EXPECT_EQ(r.parts, (std::vector<std::string>{"abc", "def", "g"}));
  EXPECT_NE(r.head.find("Content-Length: 7"), std::string::npos);
}

TEST(HttpReplyTest, ErrorReplyIsOpenAiShaped) {
  Reply r = ErrorReply(404, "nope", "unknown_url", true);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(
      r.Body(),
      R"({"error":{"message":"nope","type":"invalid_request_error","param":null,"code":"unknown_url"}})");
}

}  // namespace
}  // namespace dspy_compat::mock
