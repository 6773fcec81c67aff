// What unit tests need to find the checked-in files they read (scenarios,
// targets, golden reports): the source tree, which ctest names in
// DSPY_COMPAT_SOURCE_ROOT and the build falls back to. Linked into every test
// binary by dspy_compat_add_tests.
#pragma once

#include <filesystem>
#include <string>

namespace dspy_compat::test_support {

// $DSPY_COMPAT_SOURCE_ROOT if set and not empty, else the configured tree.
std::filesystem::path SourceRoot();

// The whole file, bytes as they are ("" if it cannot be read).
std::string ReadText(const std::filesystem::path& path);

}  // namespace dspy_compat::test_support
