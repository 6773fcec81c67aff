// libFuzzer target: arbitrary bytes as a results.json given to `gate`, `report` or `merge`. The
// reader must either succeed or throw ResultsFormatError (one line naming the field); what it
// accepts must survive what those commands do with it: aggregation, the gate, a baseline, a
// round trip. Build and run with scripts/fuzz.sh.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "results/aggregate.h"
#include "results/baseline.h"
#include "results/gate.h"
#include "results/results_file.h"

namespace {

const std::filesystem::path& File() {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("results-fuzz-" + std::to_string(::getpid()));
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
  Results results;
  try {
    results = ReadResultsFile(File());
  } catch (const ResultsFormatError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();  // one line
    return 0;
  }
  (void)AggregateResults(results);
  Baseline baseline = BaselineFromResults(results);
  (void)FormatGateReport(EvaluateGate(results, &baseline));
  // What was read is written back and reads the same.
  Results again = ResultsFromJson(ToJson(results));
  if (ToJson(again) != ToJson(results)) std::abort();
  return 0;
}
