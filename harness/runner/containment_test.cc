#include "runner/containment.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "runner/run_environment.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {

// The README's list of always-scrubbed variables is this list, in order
// (`run --help` prints it from kDefaultScrubPatterns itself).
TEST(ContainmentTest, ReadmeListsTheDefaultScrubPatterns) {
  std::string readme;
  for (char c : test_support::ReadText(test_support::SourceRoot() / "README.md")) {
    bool space = c == ' ' || c == '\n';
    if (!(space && !readme.empty() && readme.back() == ' ')) readme += space ? ' ' : c;
  }
  std::string list;
  for (const char* pattern : kDefaultScrubPatterns) {
    list += (list.empty() ? "`" : ", `") + std::string(pattern) + "`";
  }
  EXPECT_NE(readme.find("(" + list + ", and what you add with `--scrub NAME`"), std::string::npos)
      << "README.md's \"Keys\" paragraph should list: " << list;
}

TEST(ContainmentTest, NamesMatchWholeGlobs) {
  EXPECT_TRUE(NameMatches("AWS_*", "AWS_SECRET_ACCESS_KEY"));
  EXPECT_TRUE(NameMatches("HF_TOKEN", "HF_TOKEN"));
  EXPECT_FALSE(NameMatches("HF_TOKEN", "HF_TOKEN_PATH"));
  EXPECT_FALSE(NameMatches("AWS_*", "MY_AWS_THING"));
  EXPECT_TRUE(NameMatches("MY_?ECRET", "MY_SECRET"));
}

TEST(ContainmentTest, DefaultsScrubProviderKeysAndPassEnvWins) {
  std::map<std::string, std::string> parent{{"PATH", "/bin"},
                                            {"OPENAI_API_KEY", "sk-real"},
                                            {"ANTHROPIC_API_KEY", "sk-ant"},
                                            {"AZURE_OPENAI_ENDPOINT", "https://x"},
                                            {"AWS_SECRET_ACCESS_KEY", "aws"},
                                            {"GOOGLE_APPLICATION_CREDENTIALS", "/k.json"},
                                            {"HF_TOKEN", "hf"},
                                            {"TOGETHER_API_KEY", "t"},
                                            {"GITHUB_TOKEN", "gh"},
                                            {"CORP_PASSWORD", "p"},
                                            {"SERVICE_URL", "http://svc"}};
  auto decision = DecideEnvironment(parent, {});
  EXPECT_EQ(
      decision.scrubbed,
      (std::vector<std::string>{
          "ANTHROPIC_API_KEY", "AWS_SECRET_ACCESS_KEY", "AZURE_OPENAI_ENDPOINT", "GITHUB_TOKEN",
          "GOOGLE_APPLICATION_CREDENTIALS", "HF_TOKEN", "OPENAI_API_KEY", "TOGETHER_API_KEY"}));
  EXPECT_TRUE(decision.passed.empty());

  ContainmentPolicy policy{.scrub = {"CORP_*"}, .pass = {"SERVICE_URL", "HF_TOKEN"}};
  decision = DecideEnvironment(parent, policy);
  EXPECT_EQ(decision.passed, (std::vector<std::string>{"HF_TOKEN", "SERVICE_URL"}));
  EXPECT_NE(std::find(decision.scrubbed.begin(), decision.scrubbed.end(), "CORP_PASSWORD"),
            decision.scrubbed.end());
  EXPECT_EQ(std::find(decision.scrubbed.begin(), decision.scrubbed.end(), "HF_TOKEN"),
            decision.scrubbed.end());
}

TEST(ContainmentTest, RunEnvironmentHasDummiesPassedNamesAndTheRefusingProxy) {
  std::map<std::string, std::string> parent{{"PATH", "/bin"},
                                            {"OPENAI_API_KEY", "sk-real"},
                                            {"ANTHROPIC_API_KEY", "sk-ant"},
                                            {"CORP_PASSWORD", "hunter2"},
                                            {"SERVICE_URL", "http://svc"},
                                            {"UNRELATED", "x"},
                                            {"HOME", "/root"}};
  ContainmentPolicy policy{
      .scrub = {"CORP_*"}, .pass = {"SERVICE_URL", "HOME"}, .refusing_proxy = "http://127.0.0.1:9"};
  auto env = BuildRunEnvironment(parent, "/w/run1", "http://127.0.0.1:1/run/r/v1", policy);
  EXPECT_EQ(env["OPENAI_API_KEY"], kDummyApiKey);
  EXPECT_EQ(env["ANTHROPIC_API_KEY"], kDummyApiKey);
  EXPECT_EQ(env["CORP_PASSWORD"], kDummyApiKey);
  EXPECT_EQ(env["SERVICE_URL"], "http://svc");
  EXPECT_FALSE(env.contains("UNRELATED"));
  // Passing HOME by name does not take a run out of its own folder.
  EXPECT_EQ(env["HOME"], "/w/run1/home");
  EXPECT_EQ(env["OPENAI_BASE_URL"], "http://127.0.0.1:1/run/r/v1");
  for (const char* name : kProxyVariables) EXPECT_EQ(env[name], "http://127.0.0.1:9") << name;
  EXPECT_NE(env["NO_PROXY"].find("127.0.0.1"), std::string::npos);
  for (const auto& [name, value] : env) {
    EXPECT_NE(value, "sk-real") << name;
    EXPECT_NE(value, "hunter2") << name;
  }

  // A key passed by name reaches the run (the user asked for it).
  policy.pass = {"OPENAI_API_KEY"};
  env = BuildRunEnvironment(parent, "/w/run1", "http://127.0.0.1:1/run/r/v1", policy);
  EXPECT_EQ(env["OPENAI_API_KEY"], "sk-real");
}

TEST(ContainmentTest, RefusingPortRefusesConnections) {
  RefusingPort refusing;
  ASSERT_GT(refusing.port(), 0);
  EXPECT_EQ(refusing.ProxyUrl(), "http://127.0.0.1:" + std::to_string(refusing.port()));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(refusing.port()));
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  int error = errno;
  ::close(fd);
  EXPECT_EQ(rc, -1);
  EXPECT_EQ(error, ECONNREFUSED);

  RefusingPort moved(std::move(refusing));
  EXPECT_GT(moved.port(), 0);
}

}  // namespace
}  // namespace dspy_compat
