// Fixture faults, delays and holds as a client sees them over real HTTP: what the session
// executes from the handler's plan.
#include "mock_server/session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "mock_server/server.h"
#include "mock_server/test_data.h"
#include "mock_server/test_http_client.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;
using testing::FetchAll;
using testing::HttpCall;
using testing::HttpClient;
using testing::HttpReply;
using testing::LoadPrompt;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class SessionTest : public ::testing::Test {
 protected:
  void Start(std::string_view rules, int seed = 5) {
    server_ = std::make_unique<MockLmServer>(MockLmServer::Options{
        .seed = static_cast<std::uint64_t>(seed), .fixtures = ParseFixtures(rules)});
    server_->Start();
  }
  std::string ChatUrl(const std::string& run = "r") const {
    return server_->RunApiBase(run) + "/chat/completions";
  }
  // A ChatAdapter request whose question is `question` (rules tell requests apart by it).
  static std::string Ask(const std::string& question, bool stream = false) {
    json request = LoadPrompt("cot_question_answer");
    request["messages"][1]["content"] =
        "[[ ## question ## ]]\n" + question +
        "\n\nRespond with the corresponding output fields, starting with the field `[[ ## "
        "reasoning ## ]]`, then `[[ ## answer ## ]]`, and then ending with the marker for "
        "`[[ ## completed ## ]]`.";
    if (stream) request["stream"] = true;
    return request.dump();
  }
  HttpReply Post(const std::string& body, const std::string& run = "r") {
    return client_.Post(ChatUrl(run), body);
  }
  // Sends in the background; the future has the reply.
  std::future<HttpReply> PostAsync(std::string body, std::string run = "r") {
    return std::async(std::launch::async, [this, body = std::move(body), run = std::move(run)] {
      HttpClient client;
      return client.Post(ChatUrl(run), body);
    });
  }
  bool WaitFor(const std::function<bool()>& ready, milliseconds timeout = milliseconds(3000)) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (ready()) return true;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return ready();
  }
  long InFlight() {
    HttpClient c;
    return json::parse(c.Get(server_->BaseUrl() + "/__admin/health").body)["in_flight"].get<long>();
  }
  JournalEntry Only(const std::string& run = "r") {
    std::vector<JournalEntry> entries = server_->journal().ForRun(run);
    EXPECT_EQ(entries.size(), 1U);
    return entries.empty() ? JournalEntry{} : entries[0];
  }

  std::unique_ptr<MockLmServer> server_;
  HttpClient client_;
};

TEST_F(SessionTest, StatusFaultWithHeadersAndDefaultBody) {
  Start(R"({"name": "busy", "fault": {"kind": "status", "status": 429,
            "headers": {"Retry-After": "0"}}})");
  HttpReply reply = Post(Ask("q"));
  EXPECT_EQ(reply.status, 429);
  json body = json::parse(reply.body);
  EXPECT_EQ(body["error"]["type"], "rate_limit_error");
  EXPECT_EQ(body["error"]["code"], "mock_fault");
  std::string raw = testing::RawExchange(
      server_->port(),
      "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: " + std::to_string(Ask("q").size()) +
          "\r\nConnection: close\r\n\r\n" + Ask("q"));
  EXPECT_NE(raw.find("Retry-After: 0\r\n"), std::string::npos) << raw;
  JournalEntry entry = Only();
  EXPECT_EQ(entry.status, 429);
  EXPECT_EQ(entry.rule, "busy");
  EXPECT_EQ(entry.faults, (std::vector<std::string>{"status:429"}));
}

TEST_F(SessionTest, CustomStatusBody) {
  Start(R"({"fault": {"kind": "status", "status": 503, "body": "upstream down"}})");
  HttpReply reply = Post(Ask("q"));
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.body, "upstream down");
  EXPECT_EQ(reply.content_type, "text/plain");
}

TEST_F(SessionTest, MalformedJson) {
  Start(R"({"fault": {"kind": "malformed_json"}})");
  HttpReply reply = Post(Ask("q"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_TRUE(json::parse(reply.body, nullptr, false).is_discarded()) << reply.body;
  EXPECT_TRUE(reply.body.starts_with("{\"id\":"));

  HttpReply stream = Post(Ask("q", true));
  EXPECT_EQ(stream.status, 200);
  EXPECT_NE(stream.body.find("data: [DONE]"), std::string::npos);
  int broken = 0;
  for (std::size_t at = 0; (at = stream.body.find("data: {", at)) != std::string::npos; ++at) {
    std::size_t end = stream.body.find("\n\n", at);
    broken += json::parse(stream.body.substr(at + 6, end - at - 6), nullptr, false).is_discarded();
  }
  EXPECT_EQ(broken, 1);
}

TEST_F(SessionTest, DroppedConnection) {
  Start(R"([{"match": {"messages": "close"}, "fault": {"kind": "drop"}},
            {"match": {"messages": "reset"}, "fault": {"kind": "drop", "reset": true}}])");
  HttpReply closed = Post(Ask("close"));
  EXPECT_EQ(closed.status, 0);
  EXPECT_FALSE(closed.error.empty());
  HttpReply reset = Post(Ask("reset"));
  EXPECT_EQ(reset.status, 0);
  std::vector<JournalEntry> entries = server_->journal().ForRun("r");
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[0].status, 0);
  EXPECT_EQ(entries[0].faults, (std::vector<std::string>{"drop"}));
  EXPECT_EQ(entries[1].faults, (std::vector<std::string>{"reset"}));
  EXPECT_EQ(Post(Ask("fine")).status, 200);  // a new connection works
}

TEST_F(SessionTest, TruncatedStream) {
  Start(R"({"fault": {"kind": "truncate", "after": 3}})");
  HttpReply reply = Post(Ask("q", true));
  EXPECT_FALSE(reply.error.empty());  // the chunked body never ended
  EXPECT_EQ(reply.body.find("[DONE]"), std::string::npos);
  std::size_t events = 0;
  for (std::size_t at = 0; (at = reply.body.find("data: ", at)) != std::string::npos; ++at)
    ++events;
  EXPECT_EQ(events, 3U) << reply.body;
  EXPECT_EQ(Only().faults, (std::vector<std::string>{"truncate"}));
}

TEST_F(SessionTest, TruncatedBody) {
  Start(R"({"fault": {"kind": "truncate", "after": 20}})");
  HttpReply reply = Post(Ask("q"));
  EXPECT_FALSE(reply.error.empty());  // fewer bytes than Content-Length promised
  EXPECT_EQ(reply.body.size(), 20U);
}

TEST_F(SessionTest, SlowTrickle) {
  Start(R"([{"match": {"stream": false}, "fault": {"kind": "trickle", "chunk_bytes": 200,
                                                   "interval_ms": 20}},
            {"match": {"stream": true}, "fault": {"kind": "trickle", "interval_ms": 10}}])");
  auto start = Clock::now();
  HttpReply reply = Post(Ask("q"));
  auto elapsed = Clock::now() - start;
  ASSERT_EQ(reply.status, 200);
  EXPECT_TRUE(json::parse(reply.body).is_object());  // slow but whole
  std::size_t parts = (reply.body.size() + 199) / 200;
  EXPECT_GE(elapsed, milliseconds(20 * static_cast<int>(parts - 1)));

  start = Clock::now();
  HttpReply stream = Post(Ask("q", true));
  elapsed = Clock::now() - start;
  std::size_t events = 0;
  for (std::size_t at = 0; (at = stream.body.find("data: ", at)) != std::string::npos; ++at)
    ++events;
  EXPECT_NE(stream.body.find("[DONE]"), std::string::npos);
  EXPECT_GE(elapsed, milliseconds(10 * static_cast<int>(events - 1)));
}

TEST_F(SessionTest, RuleDelaysFixedAndSeeded) {
  Start(R"([{"match": {"messages": "fixed"}, "delay_ms": 150},
            {"match": {"messages": "random"}, "delay_ms": [10, 90]}])");
  auto start = Clock::now();
  Post(Ask("fixed"));
  EXPECT_GE(Clock::now() - start, milliseconds(150));
  for (int i = 0; i < 3; ++i) Post(Ask("random"));
  std::vector<int> delays;
  for (const JournalEntry& e : server_->journal().ForRun("r")) {
    if (e.seq > 1) {
      EXPECT_GE(e.delay_ms, 10);
      EXPECT_LE(e.delay_ms, 90);
      EXPECT_EQ(e.delay_ms, DrawDelayMs(5, "r", e.seq, {10, 90}));  // replays from the seed
    }
  }
}

TEST_F(SessionTest, NthCallAndTemplates) {
  Start(R"({"name": "second", "match": {"nth": 2},
            "respond": {"fields": {"answer": "call {{seq}} of {{run}}: {{input.question}}"}}})");
  std::string first = json::parse(Post(Ask("one")).body)["choices"][0]["message"]["content"];
  std::string second = json::parse(Post(Ask("two")).body)["choices"][0]["message"]["content"];
  EXPECT_EQ(first.find("call "), std::string::npos);
  EXPECT_NE(second.find("[[ ## answer ## ]]\ncall 2 of r: two\n"), std::string::npos) << second;
  std::string other =
      json::parse(Post(Ask("one"), "other").body)["choices"][0]["message"]["content"];
  EXPECT_EQ(other.find("call "), std::string::npos);  // counted per run
}

TEST_F(SessionTest, HoldUntilKRequestsHaveArrived) {
  Start(R"({"name": "gate", "hold": {"until_arrived": 3}})");
  std::future<HttpReply> a = PostAsync(Ask("a"));
  std::future<HttpReply> b = PostAsync(Ask("b"));
  ASSERT_TRUE(WaitFor([&] { return InFlight() == 2; }));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(a.wait_for(milliseconds(0)), std::future_status::timeout);  // still held
  EXPECT_EQ(Post(Ask("c")).status, 200);  // the third arrival releases all three
  EXPECT_EQ(a.get().status, 200);
  EXPECT_EQ(b.get().status, 200);
  std::vector<JournalEntry> entries = server_->journal().ForRun("r");
  ASSERT_EQ(entries.size(), 3U);
  double third_arrival = 0;
  for (const JournalEntry& e : entries) third_arrival = std::max(third_arrival, e.arrived_ms);
  for (const JournalEntry& e : entries) {
    EXPECT_GE(e.completed_ms, third_arrival);
    if (e.arrived_ms < third_arrival) {
      EXPECT_GE(e.held_ms, 90.0);
    }
  }
}

TEST_F(SessionTest, HoldUntilANamedRequestWasAnswered) {
  // The interleaving that makes DSPy 2.5.40 lose its LM, forced: the first call's answer waits
  // until the second call has been answered, whatever their latencies.
  Start(R"([{"name": "first", "match": {"messages": "first"}, "hold": {"until_answered": "second"}},
            {"name": "second", "match": {"messages": "second"}, "delay_ms": 100}])");
  std::future<HttpReply> first = PostAsync(Ask("first"));
  ASSERT_TRUE(WaitFor([&] { return InFlight() == 1; }));
  EXPECT_EQ(Post(Ask("second")).status, 200);
  EXPECT_EQ(first.get().status, 200);
  std::vector<JournalEntry> entries = server_->journal().ForRun("r");
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[0].rule, "second");  // completion order
  EXPECT_EQ(entries[1].rule, "first");
  EXPECT_LT(entries[1].arrived_ms, entries[0].arrived_ms);
  EXPECT_GE(entries[1].completed_ms, entries[0].completed_ms);
  EXPECT_GE(entries[1].held_ms, 100.0);
}

TEST_F(SessionTest, HoldsAreScopedToTheRun) {
  Start(R"({"name": "gate", "hold": {"until_arrived": 2, "timeout_ms": 300}})");
  std::future<HttpReply> a = PostAsync(Ask("a"), "run-a");
  ASSERT_TRUE(WaitFor([&] { return InFlight() == 1; }));
  EXPECT_EQ(Post(Ask("b"), "run-b").status, 200);  // its own timeout releases it
  EXPECT_EQ(a.get().status, 200);
  EXPECT_EQ(Only("run-a").faults, (std::vector<std::string>{"hold_timeout"}));
}

TEST_F(SessionTest, HoldTimesOut) {
  Start(R"({"name": "never", "hold": {"until_answered": "nobody", "timeout_ms": 200}})");
  auto start = Clock::now();
  EXPECT_EQ(Post(Ask("q")).status, 200);
  EXPECT_GE(Clock::now() - start, milliseconds(200));
  JournalEntry entry = Only();
  EXPECT_EQ(entry.faults, (std::vector<std::string>{"hold_timeout"}));
  EXPECT_GE(entry.held_ms, 199.0);
}

TEST_F(SessionTest, ServerScopedHoldSpansRuns) {
  Start(R"({"name": "gate", "hold": {"until_arrived": 2, "scope": "server"}})");
  std::future<HttpReply> a = PostAsync(Ask("a"), "run-a");
  ASSERT_TRUE(WaitFor([&] { return InFlight() == 1; }));
  EXPECT_EQ(Post(Ask("b"), "run-b").status, 200);
  EXPECT_EQ(a.get().status, 200);
  EXPECT_TRUE(Only("run-a").faults.empty());
}

TEST_F(SessionTest, ClientLeavingWhileHeldIsJournaled) {
  Start(R"({"name": "slow", "delay_ms": 300})");
  std::thread quitter([this] {
    testing::RawExchange(server_->port(),
                         "POST /run/gone/v1/chat/completions HTTP/1.1\r\nContent-Length: " +
                             std::to_string(Ask("q").size()) + "\r\n\r\n" + Ask("q"),
                         milliseconds(50));
  });
  quitter.join();
  ASSERT_TRUE(WaitFor([&] { return server_->journal().CountForRun("gone") == 1; }));
  EXPECT_EQ(InFlight(), 0);
}

TEST_F(SessionTest, StopWhileHeldIsClean) {
  Start(R"({"hold": {"until_arrived": 5}})");
  std::future<HttpReply> a = PostAsync(Ask("a"));
  ASSERT_TRUE(WaitFor([&] { return InFlight() == 1; }));
  server_->Stop();
  EXPECT_EQ(a.get().status, 0);
}

}  // namespace
}  // namespace dspy_compat::mock
