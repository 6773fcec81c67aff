// libFuzzer target: arbitrary bytes as a results.json given to `gate`, `report` or `merge`. The
// reader must either succeed or throw ResultsFormatError (one line naming the field); what it
// accepts must survive what those commands do with it: aggregation, the gate, a baseline, a
// round trip. Build and run with scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fuzz/scratch_file.h"
#include "results/aggregate.h"
#include "results/baseline.h"
#include "results/gate.h"
#include "results/results_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dspy_compat;
  const std::filesystem::path& file = fuzz::WriteScratchFile("results-fuzz-", data, size);
  Results results;
  try {
    results = ReadResultsFile(file);
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
