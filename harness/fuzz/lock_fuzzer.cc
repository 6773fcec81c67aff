// libFuzzer target: arbitrary bytes as a target's lock file (requirements with --hash lines). The
// parser must either succeed or throw LockFileError. Build and run with scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "targets/lock_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    dspy_compat::LockFile lock = dspy_compat::ParseLockFile(text, "lock.txt");
    for (const auto& p : lock.packages) {
      if (p.hashes.empty() || lock.Find(p.name) == nullptr) std::abort();
    }
  } catch (const dspy_compat::LockFileError&) {
  }
  return 0;
}
