// Where the bundled data (fixtures/, scenarios/) lives: $DSPY_COMPAT_ROOT,
// else the source tree the binary was built from.
#pragma once

#include <filesystem>

namespace dspy_compat {

std::filesystem::path SourceRoot();

}  // namespace dspy_compat
