#include "runner/local_runs.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

// A shard provisions only the targets of its own pairs: the others have no
// interpreter yet, and their empty paths must not end the session (they
// once did, with an uncaught filesystem_error from fs::absolute("")).
TEST(LocalRunsTest, EmptyPathsToBindAreSkippedNotFatal) {
  const fs::path work = fs::path(::testing::TempDir()) / "local_runs_empty_paths";
  fs::remove_all(work);
  LocalRunsOptions options{.root = test_support::SourceRoot(), .work_root = work};
  options.sandbox = SandboxMode::kNone;
  options.read_only = {fs::path(), work};
  options.scenario_files = {fs::path()};
  EXPECT_NO_THROW({
    LocalRuns runs(std::move(options));
    runs.AllowRead(fs::path());
    runs.Stop();
  });
}

// Runs reach only their network namespace's loopback. The refusing port must
// be bound there, beside the mock server's port: reserved in the harness's
// namespace it could get the mock server's number, and every LM call of a
// session would be refused as a call to the proxy (seen once in CI).
TEST(LocalRunsTest, TheRefusingPortLivesInTheRunsNetworkNamespace) {
  const fs::path work = fs::path(::testing::TempDir()) / "local_runs_refusing_port";
  fs::remove_all(work);
  LocalRunsOptions options{.root = test_support::SourceRoot(), .work_root = work};
  std::optional<LocalRuns> runs;
  try {
    runs.emplace(std::move(options));
  } catch (const LocalRunsError& e) {
    GTEST_SKIP() << e.what();
  }
  if (runs->sandbox_netns_fd() < 0) GTEST_SKIP() << "no network namespace for runs here";
  int taken = 0;
  {
    ScopedNetns in_runs(runs->sandbox_netns_fd());
    ASSERT_TRUE(in_runs.ok());
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(runs->refusing_port()));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) taken = errno;
    ::close(fd);
  }
  EXPECT_EQ(taken, EADDRINUSE) << "port " << runs->refusing_port();
}

}  // namespace
}  // namespace dspy_compat
