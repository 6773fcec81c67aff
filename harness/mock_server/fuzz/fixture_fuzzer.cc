// libFuzzer target: arbitrary bytes as a fixture file. Parsing must either succeed or throw
// FixtureError; a set that loads is then used: matched against a DSPy request and answered, so
// templates render and faults are named. Build and run with scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mock_server/fixtures.h"
#include "mock_server/responder.h"
#include "mock_server/rule_book.h"

namespace {

using namespace dspy_compat::mock;

const LmRequest& Request() {
  static const LmRequest request = ParseLmRequest(LmApi::kChat, R"json({
    "model": "gpt-4o-mini", "stream": true,
    "messages": [
      {"role": "system", "content": "Your input fields are:\n1. `question` (str)\n\nYour output fields are:\n1. `reasoning` (str)\n2. `answer` (int)\n\n[[ ## question ## ]]\n{question}\n\n[[ ## reasoning ## ]]\n{reasoning}\n\n[[ ## answer ## ]]\n{answer}        # note: the value you produce must be a single int value\n\n[[ ## completed ## ]]"},
      {"role": "user", "content": "[[ ## question ## ]]\nWhat is the capital of France?\n\nRespond with the corresponding output fields, starting with the field `[[ ## reasoning ## ]]`, then `[[ ## answer ## ]]` (must be formatted as a valid Python int), and then ending with the marker for `[[ ## completed ## ]]`."}]})json");
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  FixtureSet set;
  try {
    set = ParseFixtures(text);
  } catch (const FixtureError&) {
    return 0;
  }
  (void)set.ToJson().dump();
  RuleBook book;
  book.Replace(set);
  std::vector<std::string> fields = {"reasoning", "answer"};
  for (int i = 0; i < 3; ++i) {
    std::optional<RuleChoice> choice = book.Choose({.run_id = "run-1",
                                                    .path = "/run/run-1/v1/chat/completions",
                                                    .request = &Request(),
                                                    .fields = &fields},
                                                   nullptr);
    if (!choice) break;
    if (choice->rule->fault) (void)FaultName(*choice->rule->fault);
    Answer answer = Respond(Request(), {.seed = 1,
                                        .run_id = "run-1",
                                        .seq = i + 1,
                                        .rule = choice->rule.get(),
                                        .nth = choice->nth});
    (void)answer;
  }
  return 0;
}
