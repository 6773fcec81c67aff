#include "targets/package_index.h"

#include <gtest/gtest.h>
#include <stdlib.h>

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

TEST(PackageIndexTest, UnreachableIndexIsAnIndexError) {
  HttpPackageIndex index("http://127.0.0.1:9/simple");  // discard port: nothing listens
  EXPECT_THROW(index.Project("dspy"), IndexError);
}

}  // namespace
}  // namespace dspy_compat
