#include "mock_server/journal.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

void Truncate(std::string& body, std::size_t limit, bool& truncated) {
  if (body.size() <= limit) return;
  body.resize(limit);  // may split a UTF-8 sequence; ToJsonLines replaces it
  truncated = true;
}

}  // namespace

json ToJson(const JournalEntry& e) {
  return {{"run_id", e.run_id},
          {"seq", e.seq},
          {"method", e.method},
          {"path", e.path},
          {"model", e.model},
          {"output_fields", e.output_fields},
          {"status", e.status},
          {"arrived_ms", e.arrived_ms},
          {"completed_ms", e.completed_ms},
          {"delay_ms", e.delay_ms},
          {"request_body", e.request_body},
          {"response_body", e.response_body},
          {"request_truncated", e.request_truncated},
          {"response_truncated", e.response_truncated}};
}

JournalEntry EntryFromJson(const json& j) {
  JournalEntry e;
  j.at("run_id").get_to(e.run_id);
  j.at("seq").get_to(e.seq);
  j.at("method").get_to(e.method);
  j.at("path").get_to(e.path);
  j.at("model").get_to(e.model);
  j.at("output_fields").get_to(e.output_fields);
  j.at("status").get_to(e.status);
  j.at("arrived_ms").get_to(e.arrived_ms);
  j.at("completed_ms").get_to(e.completed_ms);
  j.at("delay_ms").get_to(e.delay_ms);
  e.request_body = j.value("request_body", "");
  e.response_body = j.value("response_body", "");
  e.request_truncated = j.value("request_truncated", false);
  e.response_truncated = j.value("response_truncated", false);
  return e;
}

std::string ToJsonLines(const std::vector<JournalEntry>& entries) {
  std::string out;
  for (const JournalEntry& e : entries) {
    // Bodies are client bytes, not necessarily UTF-8; replace rather than throw.
    out += ToJson(e).dump(-1, ' ', false, json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

std::vector<JournalEntry> ParseJsonLines(std::string_view text) {
  std::vector<JournalEntry> entries;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    entries.push_back(EntryFromJson(json::parse(line)));
  }
  return entries;
}

int Journal::NextSeq(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  return ++next_seq_[run_id];
}

void Journal::Record(JournalEntry entry) {
  Truncate(entry.request_body, body_limit_, entry.request_truncated);
  Truncate(entry.response_body, body_limit_, entry.response_truncated);
  std::lock_guard lock(mutex_);
  by_run_[entry.run_id].push_back(entries_.size());
  entries_.push_back(std::move(entry));
}

std::vector<JournalEntry> Journal::ForRun(const std::string& run_id) const {
  std::lock_guard lock(mutex_);
  std::vector<JournalEntry> out;
  auto it = by_run_.find(run_id);
  if (it == by_run_.end()) return out;
  out.reserve(it->second.size());
  for (std::size_t index : it->second) out.push_back(entries_[index]);
  return out;
}

std::vector<JournalEntry> Journal::All() const {
  std::lock_guard lock(mutex_);
  return {entries_.begin(), entries_.end()};
}

std::size_t Journal::CountForRun(const std::string& run_id) const {
  std::lock_guard lock(mutex_);
  auto it = by_run_.find(run_id);
  return it == by_run_.end() ? 0 : it->second.size();
}

std::size_t Journal::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void Journal::Reset() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  by_run_.clear();
  next_seq_.clear();
}

}  // namespace dspy_compat::mock
