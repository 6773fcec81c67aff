#include "cli/source_root.h"

#include <cstdlib>

namespace dspy_compat {

std::filesystem::path SourceRoot() {
  if (const char* root = std::getenv("DSPY_COMPAT_ROOT"); root != nullptr && *root != '\0') {
    return root;
  }
  return DSPY_COMPAT_SOURCE_ROOT_DEFAULT;
}

}  // namespace dspy_compat
