#include "targets/package_index.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace dspy_compat {
namespace {

// Shaped like https://pypi.org/simple/dspy/ with the PEP 691 Accept header
// (files trimmed; hashes and URLs left out, which the parser does not need).
constexpr const char* kDspyPage = R"({
  "meta": {"api-version": "1.1", "_last-serial": 42155427},
  "name": "dspy",
  "versions": ["2.5.39", "2.5.40", "2.6.0rc1", "2.6.0rc5", "2.6.0", "3.4.1"],
  "files": [
    {"filename": "dspy-2.5.40-py3-none-any.whl", "requires-python": ">=3.9",
     "upload-time": "2024-11-26T17:23:01.476711Z", "yanked": false},
    {"filename": "dspy-2.5.40.tar.gz", "requires-python": ">=3.9",
     "upload-time": "2024-11-26T17:22:58.000000Z", "yanked": false},
    {"filename": "dspy-2.5.39-py3-none-any.whl", "requires-python": ">=3.9",
     "upload-time": "2024-11-24T21:44:55.1Z", "yanked": false},
    {"filename": "dspy-2.6.0-py3-none-any.whl", "requires-python": ">=3.9",
     "upload-time": "2025-01-30T15:48:41.336032Z", "yanked": false},
    {"filename": "dspy-2.6.0.tar.gz", "requires-python": ">=3.9",
     "upload-time": "2025-01-30T15:48:44.887323Z", "yanked": false},
    {"filename": "dspy-2.6.0rc1-py3-none-any.whl", "requires-python": ">=3.9",
     "upload-time": "2024-12-13T19:31:29.600195Z", "yanked": false},
    {"filename": "dspy-2.6.0rc5-py3-none-any.whl", "requires-python": ">=3.9",
     "upload-time": "2024-12-22T18:55:54.575318Z", "yanked": true},
    {"filename": "dspy-2.6.0rc5.tar.gz", "requires-python": ">=3.9",
     "upload-time": "2024-12-22T18:55:57.009729Z", "yanked": "broken build"},
    {"filename": "dspy-3.4.1-py3-none-any.whl", "requires-python": "<3.16,>=3.10",
     "upload-time": "2026-10-12T23:07:23.761902Z", "yanked": false},
    {"filename": "dspy-0.1.win32.exe", "upload-time": "2023-01-01T00:00:00Z"},
    {"filename": "dspy-0.1-py2.7.egg", "upload-time": "2023-01-01T00:00:00Z"}
  ]
})";

TEST(PackageIndexTest, ParsesFilesWithUploadTimeRequiresPythonAndYank) {
  ProjectPage page = ParseProjectPage(kDspyPage, "test");
  EXPECT_EQ(page.name, "dspy");
  ASSERT_EQ(page.files.size(), 9u);  // the installer and the egg are no releases
  EXPECT_EQ(page.files[0].version, "2.5.40");
  EXPECT_TRUE(page.files[0].wheel);
  EXPECT_EQ(page.files[0].upload_time, "2024-11-26T17:23:01Z");
  EXPECT_EQ(page.files[0].requires_python, ">=3.9");
  EXPECT_EQ(page.files[1].version, "2.5.40");
  EXPECT_FALSE(page.files[1].wheel);
  EXPECT_TRUE(page.files[6].yanked);
  EXPECT_TRUE(page.files[7].yanked);  // a reason string means yanked too
}

TEST(PackageIndexTest, ReleasesAreOldestFirstWithTheirWheelsUploadTime) {
  auto releases = ReleasesOf(ParseProjectPage(kDspyPage, "test"));
  std::vector<std::string> versions;
  for (const auto& r : releases) versions.push_back(r.version_text);
  EXPECT_EQ(versions, (std::vector<std::string>{"2.5.39", "2.5.40", "2.6.0rc1", "2.6.0rc5", "2.6.0",
                                                "3.4.1"}));
  // The sdist of 2.5.40 came first, but a user installs the wheel.
  EXPECT_EQ(releases[1].upload_time, "2024-11-26T17:23:01Z");
  EXPECT_EQ(releases[1].filename, "dspy-2.5.40-py3-none-any.whl");
  EXPECT_TRUE(releases[3].yanked);
  EXPECT_FALSE(releases[4].yanked);
  EXPECT_EQ(releases[5].requires_python, "<3.16,>=3.10");
}

TEST(PackageIndexTest, SdistOnlyReleaseUsesItsFirstFile) {
  auto releases = ReleasesOf(ParseProjectPage(R"({"name": "x", "files": [
    {"filename": "x-1.0.tar.gz", "upload-time": "2024-01-02T00:00:00Z"},
    {"filename": "x-1.0.zip", "upload-time": "2024-01-01T00:00:00Z"}]})",
                                              "test"));
  ASSERT_EQ(releases.size(), 1u);
  EXPECT_EQ(releases[0].upload_time, "2024-01-01T00:00:00Z");
}

TEST(PackageIndexTest, NotAJsonPageOrNoUploadTimeIsAnError) {
  EXPECT_THROW(ParseProjectPage("<html><body>dspy</body></html>", "test"), IndexError);
  EXPECT_THROW(ParseProjectPage(R"({"name": "x"})", "test"), IndexError);
  // Issue 16: a name of another type threw type_error.302 past every handler.
  EXPECT_EQ(ParseProjectPage(R"({"name": null, "files": []})", "test").name, "");
  try {
    ParseProjectPage(R"({"name": "x", "files": [{"filename": "x-1.0.tar.gz"}]})", "idx");
    FAIL();
  } catch (const IndexError& e) {
    EXPECT_NE(std::string(e.what()).find("x-1.0.tar.gz has no upload-time"), std::string::npos)
        << e.what();
  }
}

TEST(PackageIndexTest, IndexUrlFromFlagThenUvThenPip) {
  ::unsetenv("UV_INDEX_URL");
  ::unsetenv("PIP_INDEX_URL");
  EXPECT_EQ(ChooseIndexUrl(""), "https://pypi.org/simple/");
  ::setenv("PIP_INDEX_URL", "http://127.0.0.1:1/pip", 1);
  EXPECT_EQ(ChooseIndexUrl(""), "http://127.0.0.1:1/pip/");
  ::setenv("UV_INDEX_URL", "http://127.0.0.1:1/uv/", 1);
  EXPECT_EQ(ChooseIndexUrl(""), "http://127.0.0.1:1/uv/");
  EXPECT_EQ(ChooseIndexUrl("http://127.0.0.1:1/flag"), "http://127.0.0.1:1/flag/");
  ::unsetenv("UV_INDEX_URL");
  ::unsetenv("PIP_INDEX_URL");
}

// A one-request registry on loopback: records the request, sends `reply`.
class LoopbackIndex {
 public:
  explicit LoopbackIndex(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len);
    ::listen(fd_, 1);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      char buffer[4096];
      ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n > 0) request_.assign(buffer, static_cast<std::size_t>(n));
      ::send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      ::close(client);
    });
  }
  ~LoopbackIndex() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/simple"; }
  const std::string& request() const { return request_; }

 private:
  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

std::string HttpReply(const std::string& status, const std::string& type, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
         "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

TEST(HttpPackageIndexTest, AsksForTheJsonFormOfTheNormalisedProject) {
  LoopbackIndex server(HttpReply("200 OK", "application/vnd.pypi.simple.v1+json", kDspyPage));
  HttpPackageIndex index(server.Url());
  EXPECT_EQ(index.Url(), server.Url() + "/");
  ProjectPage page = index.Project("DSPy");
  EXPECT_EQ(page.files.size(), 9u);
  EXPECT_NE(server.request().find("GET /simple/dspy/ HTTP/1.1"), std::string::npos)
      << server.request();
  EXPECT_NE(server.request().find("Accept: application/vnd.pypi.simple.v1+json"), std::string::npos)
      << server.request();
}

TEST(HttpPackageIndexTest, UnknownProjectAndHtmlOnlyIndexAreIndexErrors) {
  {
    LoopbackIndex server(HttpReply("404 Not Found", "text/plain", "no"));
    HttpPackageIndex index(server.Url());
    try {
      index.Project("dspy-nope");
      FAIL();
    } catch (const IndexError& e) {
      EXPECT_NE(std::string(e.what()).find("has no project 'dspy-nope'"), std::string::npos);
    }
  }
  {
    LoopbackIndex server(HttpReply("200 OK", "text/html", "<html></html>"));
    HttpPackageIndex index(server.Url());
    try {
      index.Project("dspy");
      FAIL();
    } catch (const IndexError& e) {
      EXPECT_NE(std::string(e.what()).find("did not answer in JSON (PEP 691)"), std::string::npos)
          << e.what();
    }
  }
}

TEST(PackageIndexTest, UnreachableIndexIsAnIndexError) {
  HttpPackageIndex index("http://127.0.0.1:9/simple");  // discard port: nothing listens
  EXPECT_THROW(index.Project("dspy"), IndexError);
}

}  // namespace
}  // namespace dspy_compat
