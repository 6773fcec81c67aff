// libFuzzer target: arbitrary bytes as a target's target.toml, beside a valid lock file. Loading
// must either succeed or throw TargetError (one line naming the file). Build and run with
// scripts/fuzz.sh.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "targets/target_definition.h"

namespace {

namespace fs = std::filesystem;

// <tmp>/target-fuzz-<pid>/dspy-2.5.40/{target.toml,requirements.lock}
const fs::path& Dir() {
  static const fs::path dir = [] {
    static const fs::path root =
        fs::temp_directory_path() / ("target-fuzz-" + std::to_string(::getpid()));
    std::atexit([] {  // libFuzzer ends with exit(): leave nothing in /tmp
      std::error_code ec;
      fs::remove_all(root, ec);
    });
    fs::path d = root / "dspy-2.5.40";
    fs::create_directories(d);
    std::ofstream(d / "requirements.lock")
        << "dspy==2.5.40 \\\n    --hash=sha256:" << std::string(64, 'a') << "\n";
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dspy_compat;
  std::ofstream(Dir() / "target.toml", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    (void)LoadTargetDefinition(Dir());
  } catch (const TargetError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();  // one line
  }
  try {
    (void)DefaultTargetNames(Dir().parent_path());
  } catch (const TargetError&) {
  }
  return 0;
}
