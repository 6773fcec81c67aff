#include "mock_server/routes.h"

#include <fmt/format.h>

namespace dspy_compat::mock {
namespace {

constexpr std::string_view kRunPrefix = "/run/";

bool IsUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsChatPath(std::string_view path) {
  if (path.starts_with("/v1/")) path.remove_prefix(3);
  return path == "/chat/completions";
}

}  // namespace

Route MatchRoute(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

  if (path == "/__admin/health") return {Endpoint::kHealth, "", "GET"};
  if (path == "/__admin/requests") return {Endpoint::kRequests, "", "GET"};
  if (path == "/__admin/reset") return {Endpoint::kReset, "", "POST"};
  if (IsChatPath(path)) return {Endpoint::kChatCompletions, "", "POST"};
  if (path.starts_with(kRunPrefix)) {
    std::string_view rest = path.substr(kRunPrefix.size());
    std::size_t slash = rest.find('/');
    if (slash != 0 && slash != std::string_view::npos) {
      std::string run_id = PercentDecode(rest.substr(0, slash));
      // Unknown paths under a run prefix still count against that run in the journal.
      Endpoint endpoint =
          IsChatPath(rest.substr(slash)) ? Endpoint::kChatCompletions : Endpoint::kUnknown;
      return {endpoint, std::move(run_id), "POST"};
    }
  }
  return {};
}

std::optional<std::string> QueryParam(std::string_view target, std::string_view key) {
  std::size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    std::size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) != key) continue;
    return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (IsUnreserved(c)) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace dspy_compat::mock
