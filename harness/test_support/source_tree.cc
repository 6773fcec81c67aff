#include "test_support/source_tree.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace dspy_compat::test_support {

std::filesystem::path SourceRoot() {
  if (const char* root = std::getenv("DSPY_COMPAT_SOURCE_ROOT"); root != nullptr && *root != 0) {
    return root;
  }
  return DSPY_COMPAT_SOURCE_ROOT_DEFAULT;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace dspy_compat::test_support
