#include "mock_server/openai_bodies.h"

#include <fmt/format.h>

#include <charconv>
#include <iterator>

#include "mock_server/json_text.h"

namespace dspy_compat::mock {
namespace {

constexpr std::string_view kFingerprint = "dspy-compat-mock";

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// These run on every request, so numbers are appended with to_chars rather than fmt.
void AppendInt(std::string& out, long long value) {
  char digits[24];
  auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), value);
  out.append(digits, end);
}

std::string Id(std::string_view prefix, const Answer& answer) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string id(prefix);
  for (int shift = 60; shift >= 0; shift -= 4) id += kHex[(answer.hash >> shift) & 0xF];
  return id;
}

std::string Usage(const Answer& a) {
  std::string out = "{\"prompt_tokens\":";
  AppendInt(out, a.prompt_tokens);
  out += ",\"completion_tokens\":";
  AppendInt(out, a.completion_tokens);
  out += ",\"total_tokens\":";
  AppendInt(out, a.prompt_tokens + a.completion_tokens);
  return out + "}";
}

// The fields every body and chunk of one answer start with.
std::string Head(std::string_view id, std::string_view object, const Answer& a) {
  std::string out = "{\"id\":";
  AppendJsonString(out, id);
  out += ",\"object\":";
  AppendJsonString(out, object);
  out += ",\"created\":";
  AppendInt(out, kCreated);
  out += ",\"model\":";
  AppendJsonString(out, a.model);
  out += ",\"system_fingerprint\":";
  AppendJsonString(out, kFingerprint);
  return out;
}

std::string Event(std::string_view json) { return fmt::format("data: {}\n\n", json); }

}  // namespace

std::vector<std::string_view> StreamPieces(std::string_view text) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsSpace(text[i])) ++i;
    while (i < text.size() && IsSpace(text[i])) ++i;
    pieces.push_back(text.substr(start, i - start));
    start = i;
  }
  return pieces;
}

std::string ChatCompletionBody(const Answer& a) {
  std::string out = Head(Id("chatcmpl-mock-", a), "chat.completion", a);
  out += ",\"choices\":[";
  for (std::size_t i = 0; i < a.choices.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"index\":";
    AppendInt(out, static_cast<long long>(i));
    out += R"(,"message":{"role":"assistant","content":)";
    AppendJsonString(out, a.choices[i]);
    out += R"(,"refusal":null},"logprobs":null,"finish_reason":)";
    AppendJsonString(out, a.finish_reason);
    out += '}';
  }
  out += "],\"usage\":" + Usage(a) + "}";
  return out;
}

std::vector<std::string> ChatCompletionEvents(const Answer& a, bool include_usage) {
  std::vector<std::string> events;
  const std::string head = Head(Id("chatcmpl-mock-", a), "chat.completion.chunk", a);
  auto chunk = [&](std::size_t index, std::string_view delta, std::string_view finish) {
    return Event(fmt::format(R"({},"choices":[{{"index":{},"delta":{},"logprobs":null,)"
                             R"("finish_reason":{}}}]}})",
                             head, index, delta, finish));
  };
  for (std::size_t i = 0; i < a.choices.size(); ++i) {
    events.push_back(chunk(i, R"({"role":"assistant","content":""})", "null"));
    for (std::string_view piece : StreamPieces(a.choices[i])) {
      events.push_back(chunk(i, "{\"content\":" + JsonString(piece) + "}", "null"));
    }
    events.push_back(chunk(i, "{}", JsonString(a.finish_reason)));
  }
  if (include_usage) events.push_back(Event(head + ",\"choices\":[],\"usage\":" + Usage(a) + "}"));
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::string TextCompletionBody(const Answer& a) {
  std::string out = Head(Id("cmpl-mock-", a), "text_completion", a);
  out += ",\"choices\":[";
  for (std::size_t i = 0; i < a.choices.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"text\":";
    AppendJsonString(out, a.choices[i]);
    out += fmt::format(R"(,"index":{},"logprobs":null,"finish_reason":)", i);
    AppendJsonString(out, a.finish_reason);
    out += '}';
  }
  out += "],\"usage\":" + Usage(a) + "}";
  return out;
}

std::vector<std::string> TextCompletionEvents(const Answer& a, bool include_usage) {
  std::vector<std::string> events;
  const std::string head = Head(Id("cmpl-mock-", a), "text_completion", a);
  auto chunk = [&](std::size_t index, std::string_view text, std::string_view finish) {
    return Event(fmt::format(R"({},"choices":[{{"text":{},"index":{},"logprobs":null,)"
                             R"("finish_reason":{}}}]}})",
                             head, JsonString(text), index, finish));
  };
  for (std::size_t i = 0; i < a.choices.size(); ++i) {
    for (std::string_view piece : StreamPieces(a.choices[i]))
      events.push_back(chunk(i, piece, "null"));
    events.push_back(chunk(i, "", JsonString(a.finish_reason)));
  }
  if (include_usage) events.push_back(Event(head + ",\"choices\":[],\"usage\":" + Usage(a) + "}"));
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::string ModelBody(std::string_view id) {
  std::string out = "{\"id\":";
  AppendJsonString(out, id);
  out += fmt::format(R"(,"object":"model","created":{},"owned_by":"dspy-compat-mock"}})", kCreated);
  return out;
}

std::string ModelsBody(const std::vector<std::string>& ids) {
  std::string out = R"({"object":"list","data":[)";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += ModelBody(ids[i]);
  }
  return out + "]}";
}

std::string ErrorBody(std::string_view message, std::string_view type, std::string_view code) {
  std::string out = "{\"error\":{\"message\":";
  AppendJsonString(out, message);
  out += ",\"type\":";
  AppendJsonString(out, type);
  out += ",\"param\":null,\"code\":";
  AppendJsonString(out, code);
  return out + "}}";
}

}  // namespace dspy_compat::mock
