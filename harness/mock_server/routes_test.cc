#include "mock_server/routes.h"

#include <gtest/gtest.h>

#include "mock_server/run_registry.h"

namespace dspy_compat::mock {
namespace {

TEST(RoutesTest, ChatCompletionsWithAndWithoutRunPrefix) {
  for (const char* target : {"/v1/chat/completions", "/v1/chat/completions/", "/chat/completions",
                             "/v1/chat/completions?x=1"}) {
    Route route = MatchRoute(target);
    EXPECT_EQ(route.endpoint, Endpoint::kChatCompletions) << target;
    EXPECT_EQ(route.run_id, "") << target;
  }
  Route route = MatchRoute("/run/s1-t2-3/v1/chat/completions/");
  EXPECT_EQ(route.endpoint, Endpoint::kChatCompletions);
  EXPECT_EQ(route.run_id, "s1-t2-3");
  EXPECT_EQ(route.methods, "POST");
  EXPECT_EQ(MatchRoute("/run/a%20b/chat/completions").run_id, "a b");
}

TEST(RoutesTest, UnknownPathsKeepTheirRun) {
  Route route = MatchRoute("/run/r1/v1/embeddings");
  EXPECT_EQ(route.endpoint, Endpoint::kUnknown);
  EXPECT_EQ(route.run_id, "r1");
  EXPECT_EQ(MatchRoute("/run//v1/chat/completions").endpoint, Endpoint::kUnknown);
  EXPECT_EQ(MatchRoute("/run/x").endpoint, Endpoint::kUnknown);
  EXPECT_EQ(MatchRoute("").endpoint, Endpoint::kUnknown);
  EXPECT_EQ(MatchRoute("/").endpoint, Endpoint::kUnknown);
  EXPECT_EQ(MatchRoute("/v2/chat/completions").endpoint, Endpoint::kUnknown);
}

TEST(RoutesTest, CompletionsAndModels) {
  EXPECT_EQ(MatchRoute("/v1/completions").endpoint, Endpoint::kCompletions);
  Route route = MatchRoute("/run/r1/v1/completions");
  EXPECT_EQ(route.endpoint, Endpoint::kCompletions);
  EXPECT_EQ(route.run_id, "r1");
  EXPECT_EQ(MatchRoute("/v1/models").endpoint, Endpoint::kModels);
  EXPECT_EQ(MatchRoute("/run/x/models/").endpoint, Endpoint::kModels);
  route = MatchRoute("/v1/models/openai%2Fgpt-4o");
  EXPECT_EQ(route.endpoint, Endpoint::kModel);
  EXPECT_EQ(route.model_id, "openai/gpt-4o");
  EXPECT_EQ(MatchRoute("/v1/models/a/b").model_id, "a/b");
  EXPECT_TRUE(MatchRoute("/v1/models").Allows("GET"));
  EXPECT_FALSE(MatchRoute("/v1/models").Allows("POST"));
  EXPECT_TRUE(MatchRoute("/v1/models").lm());
}

TEST(RoutesTest, AdminEndpoints) {
  EXPECT_EQ(MatchRoute("/__admin/health").endpoint, Endpoint::kHealth);
  EXPECT_EQ(MatchRoute("/__admin/requests?run=a").endpoint, Endpoint::kRequests);
  EXPECT_EQ(MatchRoute("/__admin/reset/").endpoint, Endpoint::kReset);
  EXPECT_EQ(MatchRoute("/__admin/rules").endpoint, Endpoint::kRules);
  EXPECT_EQ(MatchRoute("/__admin/reset").methods, "POST");
  EXPECT_EQ(MatchRoute("/__admin/health").methods, "GET");
  Route rules = MatchRoute("/__admin/rules");
  for (const char* m : {"GET", "POST", "PUT", "DELETE"}) EXPECT_TRUE(rules.Allows(m)) << m;
  EXPECT_FALSE(rules.Allows("PATCH"));
  EXPECT_TRUE(MatchRoute("/__admin/requests").Allows("DELETE"));
  EXPECT_FALSE(MatchRoute("/__admin/requests").lm());
}

TEST(RoutesTest, QueryParameters) {
  EXPECT_EQ(QueryParam("/x?run=abc", "run"), "abc");
  EXPECT_EQ(QueryParam("/x?a=1&run=a%2Fb&c", "run"), "a/b");
  EXPECT_EQ(QueryParam("/x?run=", "run"), "");
  EXPECT_EQ(QueryParam("/x?run", "run"), "");
  EXPECT_EQ(QueryParam("/x?runner=1", "run"), std::nullopt);
  EXPECT_EQ(QueryParam("/x", "run"), std::nullopt);
}

TEST(RoutesTest, PercentEncodingRoundTrips) {
  EXPECT_EQ(PercentEncode("scn_1.a-b~"), "scn_1.a-b~");
  EXPECT_EQ(PercentEncode("a b/c"), "a%20b%2Fc");
  EXPECT_EQ(PercentDecode(PercentEncode("ünï/cödé?&=")), "ünï/cödé?&=");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
}

TEST(RunRegistryTest, RunsOverrideDefaults) {
  RunRegistry runs({10, 20}, false);
  EXPECT_EQ(runs.Resolve("x").delay, (DelaySpec{10, 20}));
  runs.Configure("x", {.delay = DelaySpec{200, 200}, .echo_model = true});
  runs.Configure("y", {.echo_model = true});
  EXPECT_EQ(runs.Resolve("x").delay, (DelaySpec{200, 200}));
  EXPECT_TRUE(runs.Resolve("x").echo_model);
  EXPECT_EQ(runs.Resolve("y").delay, (DelaySpec{10, 20}));
  runs.Forget("x");
  EXPECT_EQ(runs.Resolve("x").delay, (DelaySpec{10, 20}));
  EXPECT_FALSE(runs.Resolve("x").echo_model);
}

TEST(RunRegistryTest, DelaysAreUniformAndReplay) {
  EXPECT_EQ(DrawDelayMs(1, "r", 1, {0, 0}), 0);
  EXPECT_EQ(DrawDelayMs(1, "r", 1, {200, 200}), 200);
  EXPECT_EQ(DrawDelayMs(1, "r", 1, {-5, -1}), 0);
  std::vector<int> counts(11, 0);
  for (int seq = 1; seq <= 11000; ++seq) {
    int d = DrawDelayMs(42, "run", seq, {100, 110});
    ASSERT_GE(d, 100);
    ASSERT_LE(d, 110);
    ASSERT_EQ(d, DrawDelayMs(42, "run", seq, {100, 110}));
    ++counts[static_cast<std::size_t>(d - 100)];
  }
  for (int c : counts) EXPECT_NEAR(c, 1000, 200);
  EXPECT_EQ(DrawDelayMs(1, "r", 1, {110, 100}), DrawDelayMs(1, "r", 1, {100, 110}));
}

}  // namespace
}  // namespace dspy_compat::mock
