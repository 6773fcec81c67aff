// The mock LM itself: decides what the model "says" to a request. Pure: the same seed, run,
// request and rule always give the same answer, whatever the order requests arrive in, so tests
// need no server and runs replay.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mock_server/fixtures.h"
#include "mock_server/lm_request.h"

namespace dspy_compat::mock {

struct ResponseContext {
  std::uint64_t seed = 0;
  std::string_view run_id{};   // "" when unattributed
  int seq = 1;                 // the request's position in its run (templates only)
  bool echo_model = false;     // append " [model=<requested model>]" to every text value
  const Rule* rule = nullptr;  // a matching fixture rule's response, if any
  int nth = 0;                 // the request's position among the rule's matches
  bool quotable = false;       // fill Answer::quotable (an exploring run's schedule reads it)
};

struct Answer {
  std::string model{};                       // as requested
  std::vector<std::string> output_fields{};  // the DSPy output fields answered, in order
  std::vector<std::string> choices{};        // message contents (completions: per prompt x n)
  // With ResponseContext::quotable, the first choice's field values (its whole content when it
  // has no fields): what a follow-up request would quote. A rule may have replaced some, so not
  // all need be in the content.
  std::vector<std::string> quotable{};
  std::string finish_reason = "stop";
  std::uint64_t hash = 0;  // identifies the answer: the response id and the {{hash}} tag
  int prompt_tokens = 0;   // whitespace-separated words, a stand-in for tokens
  int completion_tokens = 0;
};

// A ChatAdapter prompt gets every output field under its `[[ ## name ## ]]` marker, then
// `[[ ## completed ## ]]`; a JSONAdapter prompt or a JSON response_format gets one JSON object of
// the fields, in the prompt's order; anything else gets one line of plain text. A rule's response
// replaces field values or the whole content.
Answer Respond(const LmRequest& request, const ResponseContext& context);

}  // namespace dspy_compat::mock
