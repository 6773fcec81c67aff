// libFuzzer target: arbitrary bytes as a --baseline file (a baseline, or a results.json). The
// reader must either succeed or throw BaselineFormatError; a baseline it accepts must round-trip
// and serve the gate. Build and run with scripts/fuzz.sh.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "results/baseline.h"
#include "results/gate.h"

namespace {

const std::filesystem::path& File() {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("baseline-fuzz-" + std::to_string(::getpid()));
  // Registered once the path exists, so it runs before the path is destroyed.
  static const bool cleaned = std::atexit([] {  // libFuzzer ends with exit(): leave no file
                                std::error_code ec;
                                std::filesystem::remove(file, ec);
                              }) == 0;
  (void)cleaned;
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dspy_compat;
  std::ofstream(File(), std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  Baseline baseline;
  try {
    baseline = ReadBaselineFile(File());
  } catch (const BaselineFormatError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();  // one line
    return 0;
  }
  if (BaselineFromJson(ToJson(baseline)).entries.size() != baseline.entries.size()) std::abort();
  (void)FormatGateReport(EvaluateGate(Results{}, &baseline));
  return 0;
}
