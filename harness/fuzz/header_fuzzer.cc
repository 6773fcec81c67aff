// libFuzzer target: arbitrary bytes as a scenario file. The header parser must either succeed or
// throw ScenarioError, with a bounded one-line-ish message; what it reads is then used as
// discovery and the gate use it. Build and run with scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "catalogue/expectations.h"
#include "catalogue/scenario_header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  dspy_compat::ScenarioHeader header;
  try {
    header = dspy_compat::ParseScenarioHeader(text, "scenario.py");
  } catch (const dspy_compat::ScenarioError& e) {
    if (std::string(e.what()).size() > 1024) std::abort();  // errors quote bounded excerpts
    return 0;
  }
  const auto& options = header.options;
  if (options.repeat && (*options.repeat < 1 || *options.repeat > dspy_compat::kMaxRepeat)) {
    std::abort();
  }
  if (options.lm_delay &&
      (options.lm_delay->min_ms < 0 || options.lm_delay->min_ms > options.lm_delay->max_ms)) {
    std::abort();
  }
  for (const char* version : {"", "2.5.40", "3.0.0b1"}) {
    (void)dspy_compat::RequirementsMet(header.requirements, "dspy-2.5.40", version);
    (void)dspy_compat::ResolveExpectation(header.expectations, "dspy-2.5.40", version);
  }
  return 0;
}
