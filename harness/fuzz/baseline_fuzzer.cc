// libFuzzer target: arbitrary bytes as a --baseline file (a baseline, or a results.json). The
// reader must either succeed or throw BaselineFormatError; a baseline it accepts must round-trip
// and serve the gate. Build and run with scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fuzz/scratch_file.h"
#include "results/baseline.h"
#include "results/gate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dspy_compat;
  const std::filesystem::path& file = fuzz::WriteScratchFile("baseline-fuzz-", data, size);
  Baseline baseline;
  try {
    baseline = ReadBaselineFile(file);
  } catch (const BaselineFormatError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();  // one line
    return 0;
  }
  if (BaselineFromJson(ToJson(baseline)).entries.size() != baseline.entries.size()) std::abort();
  (void)FormatGateReport(EvaluateGate(Results{}, &baseline));
  return 0;
}
