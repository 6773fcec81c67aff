// A package registry's simple index in its JSON form (PEP 691), with each
// file's upload time (PEP 700), Requires-Python and yank status: what the
// harness needs to resolve a release as a user would have on its release
// day. The HTTP side is an interface so that everything above it is tested
// on fixed JSON.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "targets/version_spec.h"

namespace dspy_compat {

class IndexError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct IndexFile {
  std::string filename;
  std::string version;      // from the file name, as written there
  std::string upload_time;  // ISO 8601 UTC, as the index gives it
  std::string requires_python;
  bool yanked = false;
  bool wheel = false;
};

struct ProjectPage {
  std::string name;
  std::vector<IndexFile> files;  // files whose version parses, in index order
};

// One release: all of a version's files taken together.
struct Release {
  Version version;
  std::string version_text;     // normalised
  std::string upload_time;      // its first wheel's (else its first file's), "...Z" to the second
  std::string filename;         // that file
  std::string requires_python;  // that file's
  bool yanked = false;          // every file of it is yanked
};

// Parses a PEP 691 JSON page (application/vnd.pypi.simple.v1+json). source
// names the page in errors. Throws IndexError when it is not one, or when a
// file lacks its upload time (the index predates PEP 700).
ProjectPage ParseProjectPage(const std::string& json, const std::string& source);

// The page's releases, oldest first (PEP 440 order).
std::vector<Release> ReleasesOf(const ProjectPage& page);

class PackageIndex {
 public:
  virtual ~PackageIndex() = default;
  // Throws IndexError naming the project and the index when it cannot.
  virtual ProjectPage Project(const std::string& name) = 0;
  virtual std::string Url() const = 0;
};

// The index users configured: --index-url, else UV_INDEX_URL, else
// PIP_INDEX_URL, else https://pypi.org/simple/ (always with a trailing '/').
std::string ChooseIndexUrl(const std::string& flag);

// The real index over HTTP(S) with libcurl.
class HttpPackageIndex : public PackageIndex {
 public:
  explicit HttpPackageIndex(std::string base_url);
  ProjectPage Project(const std::string& name) override;
  std::string Url() const override { return base_url_; }

 private:
  std::string base_url_;
};

}  // namespace dspy_compat
