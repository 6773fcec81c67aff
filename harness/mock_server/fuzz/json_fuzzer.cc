// libFuzzer target, differential: ParseJson (json_reader.h, the request parser's JSON) against
// nlohmann's own parser. Both must agree on whether the bytes are JSON and on the value, except
// that ParseJson refuses nesting deeper than kMaxJsonDepth, and that nlohmann stops at a NUL byte
// as if the input ended there (ParseJson rejects it). Build and run with scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mock_server/json_reader.h"

namespace {

// How deep `text` nests, counting brackets outside strings (a bound is all that is needed).
int Depth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using nlohmann::json;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  json ours = dspy_compat::mock::ParseJson(text);
  json theirs = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (ours.is_discarded() && !theirs.is_discarded() && text.find('\0') != std::string_view::npos) {
    ours = dspy_compat::mock::ParseJson(text.substr(0, text.find('\0')));
  }
  if (ours.is_discarded() && !theirs.is_discarded() &&
      Depth(text) > dspy_compat::mock::kMaxJsonDepth) {
    return 0;
  }
  if (ours.is_discarded() != theirs.is_discarded()) std::abort();
  if (!ours.is_discarded() && (ours != theirs || ours.dump() != theirs.dump())) std::abort();
  return 0;
}
