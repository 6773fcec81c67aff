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

// The OpenAI part of a path, after any run prefix: "/v1/chat/completions" or "/chat/completions".
Route MatchLmPath(std::string_view path) {
  if (path.starts_with("/v1/")) path.remove_prefix(3);
  if (path == "/chat/completions") return {Endpoint::kChatCompletions, "", "", "POST"};
  if (path == "/completions") return {Endpoint::kCompletions, "", "", "POST"};
  if (path == "/models") return {Endpoint::kModels, "", "", "GET"};
  if (path.starts_with("/models/") && path.size() > 8) {
    return {Endpoint::kModel, "", PercentDecode(path.substr(8)), "GET"};
  }
  return {Endpoint::kUnknown, "", "", "POST"};
}

}  // namespace

bool Route::Allows(std::string_view method) const {
  std::string_view list = methods;
  while (!list.empty()) {
    std::size_t comma = list.find(", ");
    if (list.substr(0, comma) == method) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 2);
  }
  return false;
}

Route MatchRoute(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

  if (path == "/__admin/health") return {Endpoint::kHealth, "", "", "GET"};
  if (path == "/__admin/requests") return {Endpoint::kRequests, "", "", "GET, DELETE"};
  if (path == "/__admin/reset") return {Endpoint::kReset, "", "", "POST"};
  if (path == "/__admin/rules") return {Endpoint::kRules, "", "", "GET, POST, PUT, DELETE"};
  if (path.starts_with(kRunPrefix)) {
    std::string_view rest = path.substr(kRunPrefix.size());
    std::size_t slash = rest.find('/');
    if (slash != 0 && slash != std::string_view::npos) {
      // Unknown paths under a run prefix still count against that run in the journal.
      Route route = MatchLmPath(rest.substr(slash));
      route.run_id = PercentDecode(rest.substr(0, slash));
      return route;
    }
    return {Endpoint::kUnknown, "", "", "POST"};
  }
  return MatchLmPath(path);
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
