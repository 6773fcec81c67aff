#include "mock_server/fixtures.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <initializer_list>
#include <sstream>

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxRules = 10000;
constexpr int kMaxMs = 600000;  // ten minutes: longer than any run's time limit
constexpr std::int64_t kRegexMemory = 8 << 20;

std::atomic<std::uint64_t> next_rule_id{1};

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

[[noreturn]] void Fail(const std::string& path, const std::string& message) {
  throw FixtureError(path + ": " + message);
}

std::string Join(std::initializer_list<std::string_view> words) {
  std::string out;
  for (std::string_view w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

void CheckKeys(const json& object, const std::string& path,
               std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      Fail(path, fmt::format("unknown key \"{}\" (known: {})", key, Join(known)));
    }
  }
}

const json& Object(const json& j, const std::string& path) {
  if (!j.is_object()) Fail(path, "expected an object");
  return j;
}

std::string String(const json& j, const std::string& path) {
  if (!j.is_string()) Fail(path, "expected a string");
  return j.get<std::string>();
}

int Int(const json& j, const std::string& path, int min, int max) {
  if (!j.is_number_integer()) Fail(path, "expected an integer");
  auto value = j.get<std::int64_t>();
  if (value < min || value > max) {
    Fail(path, fmt::format("{} is out of range [{}, {}]", value, min, max));
  }
  return static_cast<int>(value);
}

bool Bool(const json& j, const std::string& path) {
  if (!j.is_boolean()) Fail(path, "expected true or false");
  return j.get<bool>();
}

std::shared_ptr<const re2::RE2> Regex(const json& j, const std::string& path) {
  std::string pattern = String(j, path);
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kRegexMemory);
  auto regex = std::make_shared<const re2::RE2>(pattern, options);
  if (!regex->ok()) Fail(path, "bad regex: " + regex->error());
  return regex;
}

TextMatcher Text(const json& j, const std::string& path) {
  TextMatcher matcher;
  if (j.is_string()) {
    matcher.exact = j.get<std::string>();
    return matcher;
  }
  if (!j.is_object()) Fail(path, "expected a string or {\"regex\": \"...\"}");
  CheckKeys(j, path, {"regex"});
  auto regex = j.find("regex");
  if (regex == j.end()) Fail(path, "expected a string or {\"regex\": \"...\"}");
  matcher.regex = Regex(*regex, path + ".regex");
  return matcher;
}

NthSpec Nth(const json& j, const std::string& path) {
  NthSpec nth;
  if (j.is_number_integer()) {
    nth.values.push_back(Int(j, path, 1, INT32_MAX));
  } else if (j.is_array()) {
    if (j.empty()) Fail(path, "expected at least one position");
    for (std::size_t i = 0; i < j.size(); ++i) {
      nth.values.push_back(Int(j[i], fmt::format("{}[{}]", path, i), 1, INT32_MAX));
    }
  } else if (j.is_object()) {
    CheckKeys(j, path, {"from", "to"});
    if (j.empty()) Fail(path, "expected \"from\" or \"to\"");
    if (j.contains("from")) nth.from = Int(j["from"], path + ".from", 1, INT32_MAX);
    if (j.contains("to")) nth.to = Int(j["to"], path + ".to", 1, INT32_MAX);
    if (nth.to != 0 && nth.to < nth.from) Fail(path, "\"to\" is before \"from\"");
  } else {
    Fail(path, "expected N, [N, ...] or {\"from\": N, \"to\": M}");
  }
  return nth;
}

RuleMatch Match(const json& j, const std::string& path) {
  Object(j, path);
  CheckKeys(j, path, {"model", "run", "path", "messages", "fields", "nth", "api", "stream"});
  RuleMatch match;
  if (j.contains("model")) match.model = Text(j["model"], path + ".model");
  if (j.contains("run")) match.run = Text(j["run"], path + ".run");
  if (j.contains("path")) match.path = Text(j["path"], path + ".path");
  if (j.contains("messages")) {
    const json& m = j["messages"];
    TextMatcher matcher;
    // A bare string is a regex here: "a regex over the messages" is the only useful match.
    matcher.regex =
        Regex(m.is_object() && m.contains("regex") ? m["regex"] : m, path + ".messages");
    if (m.is_object()) CheckKeys(m, path + ".messages", {"regex"});
    match.messages = std::move(matcher);
  }
  if (j.contains("fields")) {
    const json& f = j["fields"];
    if (!f.is_array()) Fail(path + ".fields", "expected an array of field names");
    for (std::size_t i = 0; i < f.size(); ++i) {
      match.fields.push_back(String(f[i], fmt::format("{}.fields[{}]", path, i)));
    }
  }
  if (j.contains("nth")) match.nth = Nth(j["nth"], path + ".nth");
  if (j.contains("api")) {
    std::string api = String(j["api"], path + ".api");
    if (api == "chat") {
      match.api = LmApi::kChat;
    } else if (api == "completions") {
      match.api = LmApi::kCompletions;
    } else {
      Fail(path + ".api", fmt::format("unknown api \"{}\" (known: chat, completions)", api));
    }
  }
  if (j.contains("stream")) match.stream = Bool(j["stream"], path + ".stream");
  return match;
}

Template CompileTemplate(const json& j, const std::string& path) {
  try {
    return Template::Compile(String(j, path));
  } catch (const TemplateError& e) {
    Fail(path, e.what());
  }
}

RuleResponse Respond(const json& j, const std::string& path) {
  Object(j, path);
  CheckKeys(j, path, {"fields", "content", "echo_model", "finish_reason"});
  RuleResponse respond;
  if (j.contains("fields")) {
    const json& fields = Object(j["fields"], path + ".fields");
    for (const auto& [name, value] : fields.items()) {
      FieldOverride field;
      field.name = name;
      if (value.is_string()) {
        field.text = CompileTemplate(value, path + ".fields." + name);
      } else {
        field.value = value;
      }
      respond.fields.push_back(std::move(field));
    }
  }
  if (j.contains("content")) respond.content = CompileTemplate(j["content"], path + ".content");
  if (j.contains("echo_model")) respond.echo_model = Bool(j["echo_model"], path + ".echo_model");
  if (j.contains("finish_reason")) {
    respond.finish_reason = String(j["finish_reason"], path + ".finish_reason");
  }
  return respond;
}

DelaySpec Delay(const json& j, const std::string& path) {
  if (j.is_number_integer()) {
    int ms = Int(j, path, 0, kMaxMs);
    return {ms, ms};
  }
  if (j.is_array() && j.size() == 2) {
    int lo = Int(j[0], path + "[0]", 0, kMaxMs);
    int hi = Int(j[1], path + "[1]", 0, kMaxMs);
    if (hi < lo) Fail(path, "expected [min, max] with min <= max");
    return {lo, hi};
  }
  Fail(path, "expected milliseconds or [min, max]");
}

Fault ParseFault(const json& j, const std::string& path) {
  Object(j, path);
  if (!j.contains("kind")) {
    Fail(path, "missing \"kind\" (status, malformed_json, drop, truncate, trickle)");
  }
  std::string kind = String(j["kind"], path + ".kind");
  Fault fault;
  if (kind == "status") {
    CheckKeys(j, path, {"kind", "status", "body", "content_type", "headers"});
    fault.kind = FaultKind::kStatus;
    if (!j.contains("status")) Fail(path, "missing \"status\"");
    fault.status = Int(j["status"], path + ".status", 200, 599);
    if (j.contains("body")) {
      const json& body = j["body"];
      fault.body = body.is_string() ? body.get<std::string>() : Dump(body);
      fault.content_type = body.is_string() ? "text/plain" : "application/json";
    }
    if (j.contains("content_type")) {
      fault.content_type = String(j["content_type"], path + ".content_type");
    }
    if (j.contains("headers")) {
      const json& headers = Object(j["headers"], path + ".headers");
      for (const auto& [name, value] : headers.items()) {
        std::string v = String(value, path + ".headers." + name);
        auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
        if (name.empty() || std::any_of(name.begin(), name.end(), bad) ||
            std::any_of(name.begin(), name.end(), [](char c) { return c == ':' || c == ' '; }) ||
            std::any_of(v.begin(), v.end(), bad)) {
          Fail(path + ".headers." + name, "not a valid header");
        }
        fault.headers.emplace_back(name, std::move(v));
      }
    }
  } else if (kind == "malformed_json") {
    CheckKeys(j, path, {"kind"});
    fault.kind = FaultKind::kMalformedJson;
  } else if (kind == "drop") {
    CheckKeys(j, path, {"kind", "reset"});
    fault.kind = FaultKind::kDrop;
    if (j.contains("reset")) fault.reset = Bool(j["reset"], path + ".reset");
  } else if (kind == "truncate") {
    CheckKeys(j, path, {"kind", "after"});
    fault.kind = FaultKind::kTruncate;
    if (j.contains("after")) fault.after = Int(j["after"], path + ".after", 0, INT32_MAX);
  } else if (kind == "trickle") {
    CheckKeys(j, path, {"kind", "chunk_bytes", "interval_ms"});
    fault.kind = FaultKind::kTrickle;
    if (j.contains("chunk_bytes")) {
      fault.chunk_bytes = Int(j["chunk_bytes"], path + ".chunk_bytes", 1, 1 << 20);
    }
    if (j.contains("interval_ms")) {
      fault.interval_ms = Int(j["interval_ms"], path + ".interval_ms", 0, kMaxMs);
    }
  } else {
    Fail(path + ".kind", fmt::format("unknown kind \"{}\" (known: status, malformed_json, drop, "
                                     "truncate, trickle)",
                                     kind));
  }
  return fault;
}

Hold ParseHold(const json& j, const std::string& path) {
  Object(j, path);
  CheckKeys(j, path, {"until_arrived", "until_answered", "scope", "timeout_ms"});
  Hold hold;
  if (j.contains("until_arrived")) {
    hold.until_arrived = Int(j["until_arrived"], path + ".until_arrived", 1, 1000000);
  }
  if (j.contains("until_answered")) {
    hold.until_answered = String(j["until_answered"], path + ".until_answered");
    if (hold.until_answered.empty()) Fail(path + ".until_answered", "expected a rule name");
  }
  if (hold.until_arrived == 0 && hold.until_answered.empty()) {
    Fail(path, "expected \"until_arrived\" or \"until_answered\"");
  }
  if (j.contains("scope")) {
    std::string scope = String(j["scope"], path + ".scope");
    if (scope == "run") {
      hold.scope = HoldScope::kRun;
    } else if (scope == "server") {
      hold.scope = HoldScope::kServer;
    } else {
      Fail(path + ".scope", fmt::format("unknown scope \"{}\" (known: run, server)", scope));
    }
  }
  if (j.contains("timeout_ms"))
    hold.timeout_ms = Int(j["timeout_ms"], path + ".timeout_ms", 0, kMaxMs);
  return hold;
}

std::shared_ptr<const Rule> ParseRule(const json& j, const std::string& path, std::size_t index) {
  Object(j, path);
  CheckKeys(j, path, {"name", "description", "match", "respond", "delay_ms", "fault", "hold"});
  auto rule = std::make_shared<Rule>();
  rule->id = next_rule_id.fetch_add(1);
  rule->name =
      j.contains("name") ? String(j["name"], path + ".name") : fmt::format("#{}", index + 1);
  if (rule->name.empty()) Fail(path + ".name", "expected a non-empty name");
  if (j.contains("description")) String(j["description"], path + ".description");
  if (j.contains("match")) rule->match = Match(j["match"], path + ".match");
  if (j.contains("respond")) rule->respond = Respond(j["respond"], path + ".respond");
  if (j.contains("delay_ms")) rule->delay = Delay(j["delay_ms"], path + ".delay_ms");
  if (j.contains("fault")) rule->fault = ParseFault(j["fault"], path + ".fault");
  if (j.contains("hold")) rule->hold = ParseHold(j["hold"], path + ".hold");
  rule->source = j;
  return rule;
}

}  // namespace

bool TextMatcher::Matches(std::string_view text) const {
  if (regex) return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *regex);
  return text == exact;
}

bool NthSpec::Matches(int n) const {
  if (!values.empty()) return std::find(values.begin(), values.end(), n) != values.end();
  return n >= from && (to == 0 || n <= to);
}

json FixtureSet::ToJson() const {
  json list = json::array();
  for (const auto& rule : rules) list.push_back(rule->source);
  return {{"rules", std::move(list)}};
}

FixtureSet ParseFixtures(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw FixtureError("fixtures: not valid JSON");
  const json* list = &doc;
  std::string prefix = "rules";
  json single;
  if (doc.is_object() && doc.contains("rules")) {
    CheckKeys(doc, "fixtures", {"rules", "description"});
    list = &doc["rules"];
    if (!list->is_array()) Fail("rules", "expected an array of rules");
  } else if (doc.is_object()) {
    single = json::array({doc});
    list = &single;
    prefix = "rule";
  } else if (!doc.is_array()) {
    throw FixtureError("fixtures: expected {\"rules\": [...]}, an array of rules or one rule");
  }
  if (list->size() > kMaxRules) Fail(prefix, fmt::format("more than {} rules", kMaxRules));
  FixtureSet set;
  for (std::size_t i = 0; i < list->size(); ++i) {
    std::string path = prefix == "rule" ? prefix : fmt::format("{}[{}]", prefix, i);
    set.rules.push_back(ParseRule((*list)[i], path, i));
  }
  return set;
}

FixtureSet LoadFixtureFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FixtureError(path.string() + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return ParseFixtures(text.str());
  } catch (const FixtureError& e) {
    throw FixtureError(path.string() + ": " + e.what());
  }
}

std::string FaultName(const Fault& fault) {
  switch (fault.kind) {
    case FaultKind::kStatus:
      return fmt::format("status:{}", fault.status);
    case FaultKind::kMalformedJson:
      return "malformed_json";
    case FaultKind::kDrop:
      return fault.reset ? "reset" : "drop";
    case FaultKind::kTruncate:
      return "truncate";
    case FaultKind::kTrickle:
      return "trickle";
  }
  return "unknown";
}

}  // namespace dspy_compat::mock
