#include "mock_server/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "mock_server/lm_request.h"
#include "mock_server/response_schedule.h"
#include "mock_server/run_registry.h"
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

class MockServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Restart({.seed = 11}); }

  void Restart(MockLmServer::Options options) {
    server_.reset();
    server_ = std::make_unique<MockLmServer>(std::move(options));
    server_->Start();
  }
  std::string Url(const std::string& path) const { return server_->BaseUrl() + path; }
  std::string ChatUrl(const std::string& run_id) const {
    return server_->RunApiBase(run_id) + "/chat/completions";
  }
  static std::string Prompt() { return LoadPrompt("cot_question_answer").dump(); }
  static void ExpectOpenAiError(const HttpReply& reply, long status, const std::string& code) {
    EXPECT_EQ(reply.status, status) << reply.body << reply.error;
    json body = json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << reply.body;
    EXPECT_TRUE(body["error"]["message"].is_string()) << reply.body;
    EXPECT_TRUE(body["error"]["type"].is_string()) << reply.body;
    EXPECT_EQ(body["error"]["code"], code) << reply.body;
  }

  std::unique_ptr<MockLmServer> server_;
  HttpClient client_;
};

TEST_F(MockServerTest, UrlsAndPort) {
  EXPECT_GT(server_->port(), 0);
  EXPECT_EQ(server_->BaseUrl(), "http://127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_EQ(server_->RunApiBase("s-t-1"), server_->BaseUrl() + "/run/s-t-1/v1");
}

TEST_F(MockServerTest, Health) {
  HttpReply reply = client_.Get(Url("/__admin/health"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(json::parse(reply.body)["status"], "ok");
}

TEST_F(MockServerTest, ChatCompletionOverHttp) {
  json request = LoadPrompt("cot_question_answer");
  request["model"] = "gpt-4o-mini-2024";
  HttpReply reply = client_.Post(ChatUrl("r1"), request.dump());
  ASSERT_EQ(reply.status, 200) << reply.body << reply.error;
  EXPECT_EQ(reply.content_type, "application/json");
  json body = json::parse(reply.body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "gpt-4o-mini-2024");
  std::string content = body["choices"][0]["message"]["content"];
  EXPECT_TRUE(content.starts_with("[[ ## reasoning ## ]]\nmock reasoning ")) << content;
  EXPECT_TRUE(content.ends_with("[[ ## completed ## ]]"));
  EXPECT_TRUE(body["usage"]["total_tokens"].is_number_integer());

  // Same seed, run and sequence number: the same answer from a fresh server.
  Restart({.seed = 11});
  HttpReply again = client_.Post(ChatUrl("r1"), request.dump());
  EXPECT_EQ(json::parse(again.body), body);
}

TEST_F(MockServerTest, JournalAttributesRequestsToRuns) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client_.Post(ChatUrl("a"), Prompt()).status, 200);
  EXPECT_EQ(client_.Post(ChatUrl("b") + "/", Prompt()).status, 200);  // trailing slash
  EXPECT_EQ(client_.Post(Url("/v1/chat/completions"), Prompt()).status, 200);

  const Journal& journal = server_->journal();
  EXPECT_EQ(journal.CountForRun("a"), 3U);
  EXPECT_EQ(journal.CountForRun("b"), 1U);
  EXPECT_EQ(journal.CountForRun(""), 1U);
  std::vector<JournalEntry> a = journal.ForRun("a");
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].seq, static_cast<int>(i) + 1);
    EXPECT_EQ(a[i].model, "gpt-4o-mini");
    EXPECT_EQ(a[i].method, "POST");
    EXPECT_EQ(a[i].path, "/run/a/v1/chat/completions");
    EXPECT_EQ(a[i].status, 200);
    EXPECT_EQ(a[i].output_fields, (std::vector<std::string>{"reasoning", "answer"}));
    EXPECT_EQ(json::parse(a[i].request_body), LoadPrompt("cot_question_answer"));
    EXPECT_EQ(json::parse(a[i].response_body)["object"], "chat.completion");
    EXPECT_LE(a[i].arrived_ms, a[i].completed_ms);
  }
  // The answer is a function of the seed, the run and the request, not of arrival order.
  EXPECT_EQ(json::parse(a[0].response_body)["choices"], json::parse(a[1].response_body)["choices"]);
  EXPECT_NE(json::parse(a[0].response_body)["choices"],
            json::parse(journal.ForRun("b")[0].response_body)["choices"]);
  EXPECT_TRUE(a[0].rule.empty());
  EXPECT_TRUE(a[0].faults.empty());
  EXPECT_FALSE(a[0].stream);
}

TEST_F(MockServerTest, AdminRequestsAndReset) {
  client_.Post(ChatUrl("a"), Prompt());
  client_.Post(ChatUrl("a b"), Prompt());
  client_.Post(Url("/v1/chat/completions"), Prompt());
  client_.Get(Url("/__admin/health"));  // not journaled

  HttpReply all = client_.Get(Url("/__admin/requests"));
  EXPECT_EQ(all.status, 200);
  EXPECT_EQ(all.content_type, "application/x-ndjson");
  EXPECT_EQ(ParseJsonLines(all.body).size(), 3U);
  std::vector<JournalEntry> spaced =
      ParseJsonLines(client_.Get(Url("/__admin/requests?run=a%20b")).body);
  ASSERT_EQ(spaced.size(), 1U);
  EXPECT_EQ(spaced[0].run_id, "a b");
  EXPECT_EQ(ParseJsonLines(client_.Get(Url("/__admin/requests?run=")).body).size(), 1U);
  EXPECT_TRUE(client_.Get(Url("/__admin/requests?run=none")).body.empty());

  HttpReply reset = client_.Post(Url("/__admin/reset"), "");
  EXPECT_EQ(reset.status, 200);
  EXPECT_EQ(server_->journal().size(), 0U);
  EXPECT_TRUE(client_.Get(Url("/__admin/requests")).body.empty());
  client_.Post(ChatUrl("a"), Prompt());
  EXPECT_EQ(server_->journal().ForRun("a")[0].seq, 1);  // sequences restart too
}

TEST_F(MockServerTest, PerRunDelayIsApplied) {
  server_->ConfigureRun("slow", {.delay = DelaySpec{200, 200}});
  auto start = Clock::now();
  HttpReply reply = client_.Post(ChatUrl("slow"), Prompt());
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(reply.status, 200);
  EXPECT_GE(elapsed, std::chrono::milliseconds(200));
  JournalEntry entry = server_->journal().ForRun("slow").at(0);
  EXPECT_EQ(entry.delay_ms, 200);
  EXPECT_GE(entry.completed_ms - entry.arrived_ms, 199.0);

  // Other runs are not slowed, and a forgotten run falls back to the default (none).
  start = Clock::now();
  client_.Post(ChatUrl("fast"), Prompt());
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(150));
  server_->ForgetRun("slow");
  client_.Post(ChatUrl("slow"), Prompt());
  EXPECT_EQ(server_->journal().ForRun("slow").at(1).delay_ms, 0);
}

TEST_F(MockServerTest, DelayRangesReplayFromTheSeed) {
  server_->ConfigureRun("r", {.delay = DelaySpec{5, 40}});
  for (int i = 0; i < 4; ++i) client_.Post(ChatUrl("r"), Prompt());
  for (const JournalEntry& e : server_->journal().ForRun("r")) {
    EXPECT_EQ(e.delay_ms, DrawDelayMs(11, "r", e.seq, {5, 40}));
  }
}

TEST_F(MockServerTest, ConcurrentDelayedRequestsOverlap) {
  server_->ConfigureRun("many", {.delay = DelaySpec{300, 300}});
  std::vector<HttpCall> calls(50,
                              HttpCall{.method = "POST", .url = ChatUrl("many"), .body = Prompt()});
  auto start = Clock::now();
  std::vector<HttpReply> replies = FetchAll(calls);
  auto elapsed = Clock::now() - start;
  for (const HttpReply& r : replies) EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));  // serial would be 15 s
  EXPECT_EQ(server_->journal().CountForRun("many"), 50U);
}

TEST_F(MockServerTest, EchoModelPerRun) {
  server_->ConfigureRun("echo", {.echo_model = true});
  json request = LoadPrompt("cot_question_answer");
  request["model"] = "gpt-4o";
  json body = json::parse(client_.Post(ChatUrl("echo"), request.dump()).body);
  EXPECT_NE(body["choices"][0]["message"]["content"].get<std::string>().find("[model=gpt-4o]"),
            std::string::npos);
  body = json::parse(client_.Post(ChatUrl("plain"), request.dump()).body);
  EXPECT_EQ(body["choices"][0]["message"]["content"].get<std::string>().find("[model="),
            std::string::npos);
}

TEST_F(MockServerTest, ErrorsUseOpenAiShape) {
  ExpectOpenAiError(client_.Post(Url("/v1/embeddings"), Prompt()), 404, "unknown_url");
  ExpectOpenAiError(client_.Post(Url("/v1/completions"), Prompt()), 400, "invalid_request");
  ExpectOpenAiError(client_.Get(Url("/")), 404, "unknown_url");
  ExpectOpenAiError(client_.Get(ChatUrl("a")), 405, "method_not_allowed");
  ExpectOpenAiError(client_.Get(Url("/__admin/reset")), 405, "method_not_allowed");
  ExpectOpenAiError(client_.Post(Url("/__admin/health"), ""), 405, "method_not_allowed");
  ExpectOpenAiError(client_.Post(ChatUrl("a"), "{not json"), 400, "invalid_json");
  ExpectOpenAiError(client_.Post(ChatUrl("a"), R"({"model": "m"})"), 400, "invalid_request");
  ExpectOpenAiError(client_.Post(ChatUrl("a"), R"({"messages": []})"), 400, "invalid_request");
  // The failed LM-facing requests are journaled with their status.
  std::vector<JournalEntry> a = server_->journal().ForRun("a");
  ASSERT_EQ(a.size(), 4U);
  EXPECT_EQ(a[0].status, 405);
  EXPECT_EQ(a[1].status, 400);
  EXPECT_EQ(a[2].model, "m");
}

TEST_F(MockServerTest, OversizedBodyGets413) {
  Restart({.max_body_bytes = 1024});
  std::string big =
      R"({"messages": [{"role": "user", "content": ")" + std::string(4096, 'x') + R"("}]})";
  ExpectOpenAiError(client_.Post(ChatUrl("big"), big), 413, "request_too_large");
  // Without Expect: 100-continue the client sends the whole body before reading the reply.
  ExpectOpenAiError(
      client_.Fetch({.method = "POST", .url = ChatUrl("big"), .body = big, .headers = {"Expect:"}}),
      413, "request_too_large");
  EXPECT_EQ(server_->journal().CountForRun("big"), 2U);
  EXPECT_EQ(client_.Post(ChatUrl("small"), Prompt()).status, 200);
}

TEST_F(MockServerTest, ExpectContinueIsAnsweredAtOnce) {
  // Without the interim 100 response curl would wait a second before sending the body.
  HttpReply reply = client_.Fetch({.method = "POST",
                                   .url = ChatUrl("c"),
                                   .body = Prompt(),
                                   .headers = {"Expect: 100-continue"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_LT(reply.seconds, 0.5);
}

TEST_F(MockServerTest, KeepAliveReusesTheConnection) {
  EXPECT_EQ(client_.Post(ChatUrl("k"), Prompt()).new_connections, 1);
  EXPECT_EQ(client_.Post(ChatUrl("k"), Prompt()).new_connections, 0);
  EXPECT_EQ(client_.Get(Url("/__admin/health")).new_connections, 0);
}

TEST_F(MockServerTest, MalformedHttpClosesOnlyThatConnection) {
  for (std::string_view junk :
       {std::string_view("GARBAGE\r\n\r\n"), std::string_view("GET / HTTP/9.9\r\n\r\n"),
        std::string_view("POST /v1/chat/completions HTTP/1.1\r\n"
                         "Content-Length: banana\r\n\r\n"),
        std::string_view("\x00\xff\x01\r\n\r\n\r\n", 9)}) {
    std::string reply = testing::RawExchange(server_->port(), junk);
    EXPECT_TRUE(reply.empty() || reply.starts_with("HTTP/1.1 4")) << reply;
  }
  // A client that vanishes mid-request.
  testing::RawExchange(server_->port(), "POST /v1/chat/completions HTTP/1.1\r\nContent-Le",
                       std::chrono::milliseconds(50));
  EXPECT_EQ(client_.Get(Url("/__admin/health")).status, 200);
  EXPECT_EQ(client_.Post(ChatUrl("after"), Prompt()).status, 200);
}

TEST_F(MockServerTest, PipelinedRequestsAnswerInOrder) {
  std::string one = "GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string reply = testing::RawExchange(
      server_->port(), one + one + "GET /__admin/health HTTP/1.1\r\nConnection: close\r\n\r\n");
  std::size_t count = 0;
  for (std::size_t at = 0; (at = reply.find("HTTP/1.1 200", at)) != std::string::npos; ++at) {
    ++count;
  }
  EXPECT_EQ(count, 3U) << reply;
}

TEST_F(MockServerTest, BindConflictThrowsAClearError) {
  MockLmServer second({.port = server_->port()});
  try {
    second.Start();
    FAIL() << "expected a bind error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot bind"), std::string::npos) << e.what();
  }
  EXPECT_THROW(MockLmServer({.bind_address = "not-an-ip"}).Start(), std::runtime_error);
}

TEST_F(MockServerTest, StopIsIdempotentAndReleasesWait) {
  std::thread waiter([this] { server_->Wait(); });
  server_->Stop();
  waiter.join();
  server_->Stop();
  server_->Wait();
  EXPECT_NE(client_.Get(Url("/__admin/health")).status, 200);
  EXPECT_THROW(server_->Start(), std::logic_error);
}

TEST_F(MockServerTest, StopDropsHeldRequests) {
  server_->ConfigureRun("held", {.delay = DelaySpec{5000, 5000}});
  std::thread client([this] {
    HttpClient c;
    HttpReply r = c.Post(ChatUrl("held"), Prompt());
    EXPECT_EQ(r.status, 0);  // the connection closed without an answer
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto start = Clock::now();
  server_->Stop();
  client.join();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST_F(MockServerTest, SeveralIoThreads) {
  Restart({.threads = 2});
  server_->ConfigureRun("t", {.delay = DelaySpec{20, 60}});
  std::vector<HttpCall> calls(20,
                              HttpCall{.method = "POST", .url = ChatUrl("t"), .body = Prompt()});
  for (const HttpReply& r : FetchAll(calls)) EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(server_->journal().CountForRun("t"), 20U);
}

// The JSON of each server-sent event, and whether the stream ended with [DONE].
std::vector<json> Events(const std::string& body, bool& done) {
  std::vector<json> out;
  done = false;
  std::size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    std::size_t end = body.find("\n\n", at);
    if (end == std::string::npos) break;
    std::string data = body.substr(at + 6, end - at - 6);
    at = end + 2;
    if (data == "[DONE]") {
      done = true;
    } else {
      out.push_back(json::parse(data));
    }
  }
  return out;
}

TEST_F(MockServerTest, StreamingChatCompletion) {
  json request = LoadPrompt("cot_question_answer");
  std::string whole = json::parse(
      client_.Post(ChatUrl("s"), request.dump()).body)["choices"][0]["message"]["content"];
  request["stream"] = true;
  request["stream_options"] = {{"include_usage", true}};
  HttpReply reply = client_.Post(ChatUrl("s"), request.dump());
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_TRUE(reply.content_type.starts_with("text/event-stream")) << reply.content_type;
  bool done = false;
  std::vector<json> chunks = Events(reply.body, done);
  EXPECT_TRUE(done);
  std::string content;
  for (const json& c : chunks) {
    if (!c["choices"].empty() && c["choices"][0]["delta"].contains("content")) {
      content += c["choices"][0]["delta"]["content"].get<std::string>();
    }
  }
  EXPECT_EQ(content, whole);  // streamed or not, the same answer
  EXPECT_GT(chunks.back()["usage"]["total_tokens"].get<int>(), 0);
  std::vector<JournalEntry> entries = server_->journal().ForRun("s");
  EXPECT_TRUE(entries.at(1).stream);
  EXPECT_TRUE(entries.at(1).response_body.ends_with("data: [DONE]\n\n"));
  // The connection stays usable after a chunked response.
  EXPECT_EQ(client_.Get(Url("/__admin/health")).new_connections, 0);
}

TEST_F(MockServerTest, TextCompletions) {
  HttpReply reply = client_.Post(server_->RunApiBase("t") + "/completions",
                                 R"({"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi."})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  json body = json::parse(reply.body);
  EXPECT_EQ(body["object"], "text_completion");
  EXPECT_TRUE(body["choices"][0]["text"].get<std::string>().starts_with("mock response "));
  EXPECT_TRUE(body["usage"]["prompt_tokens"].is_number_integer());

  reply = client_.Post(Url("/v1/completions"), R"({"prompt": "Say hi.", "stream": true})");
  bool done = false;
  std::vector<json> chunks = Events(reply.body, done);
  EXPECT_TRUE(done);
  ASSERT_FALSE(chunks.empty());
  EXPECT_EQ(chunks[0]["object"], "text_completion");
  EXPECT_EQ(server_->journal().ForRun("t").at(0).model, "gpt-3.5-turbo-instruct");
}

TEST_F(MockServerTest, Models) {
  json request = LoadPrompt("cot_question_answer");
  request["model"] = "my-model";
  client_.Post(ChatUrl("m"), request.dump());
  json models = json::parse(client_.Get(Url("/v1/models")).body);
  EXPECT_EQ(models["object"], "list");
  std::vector<std::string> ids;
  for (const json& m : models["data"]) ids.push_back(m["id"]);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "my-model"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "gpt-4o-mini"), ids.end());
  json one = json::parse(client_.Get(server_->RunApiBase("m") + "/models/openai%2Fx").body);
  EXPECT_EQ(one["id"], "openai/x");
  EXPECT_EQ(one["object"], "model");
}

TEST_F(MockServerTest, AcceptsWhatTheClientsSend) {
  // Headers and parameters the openai client (via litellm) sends.
  json request = LoadPrompt("cot_question_answer");
  request["n"] = 2;
  request["temperature"] = 0.0;
  request["max_tokens"] = 1000;
  request["response_format"] = {{"type", "text"}};
  request["seed"] = 1;
  request["tools"] = json::array();
  HttpReply reply =
      client_.Fetch({.method = "POST",
                     .url = ChatUrl("c"),
                     .body = request.dump(),
                     .headers = {"Authorization: Bearer sk-not-a-key", "OpenAI-Organization: org",
                                 "User-Agent: OpenAI/Python 1.55.1", "X-Stainless-Lang: python",
                                 "X-Stainless-Retry-Count: 0", "Accept: application/json",
                                 "Accept-Encoding: gzip, deflate", "Connection: keep-alive"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["choices"].size(), 2U);
}

TEST_F(MockServerTest, HealthCountsAndJournalDeletion) {
  client_.Post(ChatUrl("a"), Prompt());
  client_.Post(ChatUrl("b"), Prompt());
  json health = json::parse(client_.Get(Url("/__admin/health")).body);
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["requests"], 2);
  EXPECT_EQ(health["in_flight"], 0);
  EXPECT_EQ(health["journal_entries"], 2);
  EXPECT_EQ(health["rules"], 0);
  EXPECT_EQ(client_.Fetch({.method = "DELETE", .url = Url("/__admin/requests?run=a")}).status, 200);
  EXPECT_EQ(server_->journal().CountForRun("a"), 0U);
  EXPECT_EQ(server_->journal().CountForRun("b"), 1U);
  EXPECT_EQ(client_.Fetch({.method = "DELETE", .url = Url("/__admin/requests")}).status, 200);
  EXPECT_EQ(server_->journal().size(), 0U);
}

TEST_F(MockServerTest, RulesOverTheAdminApi) {
  std::string rule = R"({"name": "paris", "respond": {"fields": {"answer": "Paris"}}})";
  HttpReply added = client_.Post(Url("/__admin/rules"), rule);
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(json::parse(added.body), json({{"loaded", 1}, {"rules", 1}}));
  std::string content =
      json::parse(client_.Post(ChatUrl("r"), Prompt()).body)["choices"][0]["message"]["content"];
  EXPECT_NE(content.find("[[ ## answer ## ]]\nParis\n"), std::string::npos) << content;
  EXPECT_EQ(server_->journal().ForRun("r").at(0).rule, "paris");

  client_.Post(Url("/__admin/rules"), R"({"rules": [{"name": "two"}]})");
  json listed = json::parse(client_.Get(Url("/__admin/rules")).body);
  ASSERT_EQ(listed["rules"].size(), 2U);
  EXPECT_EQ(listed["rules"][1]["name"], "two");
  HttpReply replaced = client_.Fetch(
      {.method = "PUT", .url = Url("/__admin/rules"), .body = R"([{"name": "only"}])"});
  EXPECT_EQ(json::parse(replaced.body)["rules"], 1);
  ExpectOpenAiError(client_.Post(Url("/__admin/rules"), R"({"fault": {"kind": "boom"}})"), 400,
                    "invalid_fixture");
  EXPECT_EQ(client_.Fetch({.method = "DELETE", .url = Url("/__admin/rules")}).status, 200);
  EXPECT_EQ(json::parse(client_.Get(Url("/__admin/rules")).body)["rules"].size(), 0U);
  ExpectOpenAiError(client_.Fetch({.method = "PATCH", .url = Url("/__admin/rules")}), 405,
                    "method_not_allowed");
}

TEST_F(MockServerTest, FixturesLoadedAtStart) {
  Restart(
      {.fixtures = ParseFixtures(R"({"name": "start", "respond": {"content": "hi {{run}}"}})")});
  json body = json::parse(client_.Post(ChatUrl("x"), Prompt()).body);
  EXPECT_EQ(body["choices"][0]["message"]["content"], "hi x");
}

TEST_F(MockServerTest, PerRunFixtures) {
  server_->ConfigureRun(
      "special", {.fixtures = std::make_shared<const FixtureSet>(
                      ParseFixtures(R"({"name": "mine", "respond": {"content": "special"}})"))});
  EXPECT_EQ(
      json::parse(
          client_.Post(ChatUrl("special"), Prompt()).body)["choices"][0]["message"]["content"],
      "special");
  EXPECT_NE(json::parse(
                client_.Post(ChatUrl("plain"), Prompt()).body)["choices"][0]["message"]["content"],
            "special");
  server_->ForgetRun("special");
  EXPECT_NE(
      json::parse(
          client_.Post(ChatUrl("special"), Prompt()).body)["choices"][0]["message"]["content"],
      "special");
}

// Two concurrent requests of an exploring run are answered in the order its schedule says,
// whichever arrived first; the journal and the run's record say so.
TEST_F(MockServerTest, ExploringRunAnswersInTheScheduledOrder) {
  auto body = [](const std::string& model) {
    json request = LoadPrompt("cot_question_answer");
    request["model"] = model;
    return request.dump();
  };
  std::uint64_t key_a = ContentKey(ParseLmRequest(LmApi::kChat, body("model-a")));
  std::uint64_t key_b = ContentKey(ParseLmRequest(LmApi::kChat, body("model-b")));
  for (bool b_first : {true, false}) {
    std::string run = b_first ? "b-first" : "a-first";
    ScheduleConfig schedule{.strategy = ScheduleStrategy::kPct, .seed = 3, .quiet_ms = 150};
    schedule.replay = b_first ? std::vector{key_b, key_a} : std::vector{key_a, key_b};
    server_->ConfigureRun(run, {.delay = DelaySpec{0, 0}, .schedule = schedule});
    std::vector<HttpReply> replies =
        FetchAll({{.method = "POST", .url = ChatUrl(run), .body = body("model-a")},
                  {.method = "POST", .url = ChatUrl(run), .body = body("model-b")}});
    for (const HttpReply& r : replies) ASSERT_EQ(r.status, 200) << r.error;

    std::vector<JournalEntry> entries = server_->journal().ForRun(run);  // completion order
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].model, b_first ? "model-b" : "model-a") << run;
    EXPECT_EQ(entries[1].model, b_first ? "model-a" : "model-b") << run;
    EXPECT_GE(entries[0].held_ms, 140.0);                     // held until the run went quiet,
    EXPECT_GE(entries[1].held_ms, entries[0].held_ms + 100);  // then until it went quiet again
    EXPECT_EQ(entries[0].delay_ms, 0);
    EXPECT_TRUE(entries[0].faults.empty());

    std::optional<LmSchedule> record = server_->ScheduleFor(run);
    ASSERT_TRUE(record.has_value());
    ASSERT_EQ(record->releases.size(), 2U);
    EXPECT_EQ(record->releases[0].key, ContentKeyHex(b_first ? key_b : key_a));
    EXPECT_FALSE(record->releases[0].bound);
    server_->ForgetRun(run);
    EXPECT_EQ(server_->ScheduleFor(run), std::nullopt);
  }
}

TEST_F(MockServerTest, ScheduleBoundAnswersARunThatNeverGoesQuiet) {
  server_->ConfigureRun(
      "busy", {.schedule = ScheduleConfig{
                   .strategy = ScheduleStrategy::kRandom, .quiet_ms = 60000, .bound_ms = 100}});
  auto start = Clock::now();
  HttpReply reply = client_.Post(ChatUrl("busy"), Prompt());
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2000));
  JournalEntry entry = server_->journal().ForRun("busy").at(0);
  EXPECT_EQ(entry.faults, (std::vector<std::string>{"schedule_bound"}));
  EXPECT_TRUE(server_->ScheduleFor("busy")->releases.at(0).bound);
}

TEST_F(MockServerTest, NaturalScheduleKeepsTheSeededDelay) {
  server_->ConfigureRun("natural",
                        {.delay = DelaySpec{5, 40},
                         .schedule = ScheduleConfig{.strategy = ScheduleStrategy::kNatural}});
  for (int i = 0; i < 3; ++i) client_.Post(ChatUrl("natural"), Prompt());
  for (const JournalEntry& e : server_->journal().ForRun("natural")) {
    EXPECT_EQ(e.delay_ms, DrawDelayMs(11, "natural", e.seq, {5, 40}));
    EXPECT_EQ(e.held_ms, 0);
  }
  EXPECT_EQ(server_->ScheduleFor("natural"), std::nullopt);
}

TEST_F(MockServerTest, AThousandHeldRequestsOnOneThread) {
  ASSERT_EQ(server_->options().threads, 1);
  server_->ConfigureRun("held", {.delay = DelaySpec{1000, 1000}});
  std::vector<HttpCall> calls(1000,
                              HttpCall{.method = "POST", .url = ChatUrl("held"), .body = Prompt()});
  auto start = Clock::now();
  std::vector<HttpReply> replies = FetchAll(calls);
  auto elapsed = Clock::now() - start;
  int ok = 0;
  for (const HttpReply& r : replies) ok += r.status == 200 ? 1 : 0;
  EXPECT_EQ(ok, 1000) << replies[0].error;
  EXPECT_LT(elapsed, std::chrono::milliseconds(5000));  // one after another would be 1000 s
  json health = json::parse(client_.Get(Url("/__admin/health")).body);
  EXPECT_GE(health["peak_in_flight"].get<int>(), 1000);
}

TEST_F(MockServerTest, HostileHttpGets4xxAndTheServerStaysUp) {
  std::string huge_header =
      "GET /__admin/health HTTP/1.1\r\nX: " + std::string(70000, 'a') + "\r\n\r\n";
  std::string long_target = "GET /" + std::string(100000, 'a') + " HTTP/1.1\r\n\r\n";
  for (const std::string& junk :
       {huge_header, long_target,
        std::string("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
        std::string("POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "zz\r\nabc\r\n0\r\n\r\n"),
        std::string("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 5\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\nHost: a\r\nHost\r\n\r\n"),
        std::string("G\0T / HTTP/1.1\r\n\r\n", 18)}) {
    std::string reply = testing::RawExchange(server_->port(), junk);
    EXPECT_TRUE(reply.empty() || reply.starts_with("HTTP/1.1 4")) << reply.substr(0, 200);
  }
  EXPECT_EQ(client_.Get(Url("/__admin/health")).status, 200);
}

TEST_F(MockServerTest, BindsLoopbackByDefault) {
  EXPECT_EQ(MockLmServer::Options{}.bind_address, "127.0.0.1");
  EXPECT_EQ(server_->options().bind_address, "127.0.0.1");
}

}  // namespace
}  // namespace dspy_compat::mock
