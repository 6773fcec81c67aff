#include "test_support/temp_dir.h"

#include <unistd.h>

namespace dspy_compat::test_support {

TempDir::TempDir(const std::string& name)
    : path_(std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace dspy_compat::test_support
