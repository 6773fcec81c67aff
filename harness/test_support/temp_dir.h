// A folder of one test's own under the system's temp folder, removed with it.
#pragma once

#include <filesystem>
#include <string>

namespace dspy_compat::test_support {

class TempDir {
 public:
  // <temp>/<name>_<pid>, created empty.
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& relative) const {
    return path_ / relative;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace dspy_compat::test_support
