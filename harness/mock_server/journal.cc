#include "mock_server/journal.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/json_int.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

void Truncate(std::string& body, std::size_t limit, bool& truncated) {
  if (body.size() <= limit) return;
  body.resize(limit);  // may split a UTF-8 sequence; ToJsonLines replaces it
  truncated = true;
}

std::size_t SizeOf(const JournalEntry& e) {
  constexpr std::size_t kOverhead = 256;  // the struct, the strings' headers, the index
  std::size_t size = kOverhead + e.run_id.size() + e.path.size() + e.model.size() +
                     e.request_body.size() + e.response_body.size() + e.rule.size();
  for (const std::string& f : e.output_fields) size += f.size() + 32;
  for (const std::string& f : e.faults) size += f.size() + 32;
  return size;
}

// One field of an entry, checked for its type; absent leaves `into` as it is
// unless the field is required.
bool Holds(const json& value, const std::string&) { return value.is_string(); }
bool Holds(const json& value, const bool&) { return value.is_boolean(); }
bool Holds(const json& value, const double&) { return value.is_number(); }
bool Holds(const json& value, const int&) { return JsonInt(value).has_value(); }
bool Holds(const json& value, const std::vector<std::string>&) {
  return value.is_array() &&
         std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); });
}

std::string_view Wanted(const std::string&) { return "a string"; }
std::string_view Wanted(const bool&) { return "a boolean"; }
std::string_view Wanted(const double&) { return "a number"; }
std::string_view Wanted(const int&) { return "an integer in int's range"; }
std::string_view Wanted(const std::vector<std::string>&) { return "an array of strings"; }

enum class Need { kRequired, kOptional };

template <typename T>
void Read(const json& j, const char* key, T& into, Need need) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (need == Need::kRequired) throw JournalFormatError(fmt::format("\"{}\" is missing", key));
    return;
  }
  if (!Holds(*it, into)) {
    throw JournalFormatError(fmt::format("\"{}\" is {} {}, not {}", key,
                                         it->is_array() || it->is_object() ? "an" : "a",
                                         it->type_name(), Wanted(into)));
  }
  it->get_to(into);
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
          {"held_ms", e.held_ms},
          {"rule", e.rule},
          {"faults", e.faults},
          {"stream", e.stream},
          {"request_body", e.request_body},
          {"response_body", e.response_body},
          {"request_truncated", e.request_truncated},
          {"response_truncated", e.response_truncated}};
}

JournalEntry EntryFromJson(const json& j) {
  if (!j.is_object()) {
    throw JournalFormatError(fmt::format("an entry is an object, not {}", j.type_name()));
  }
  JournalEntry e;
  Read(j, "run_id", e.run_id, Need::kRequired);
  Read(j, "seq", e.seq, Need::kRequired);
  Read(j, "method", e.method, Need::kRequired);
  Read(j, "path", e.path, Need::kRequired);
  Read(j, "model", e.model, Need::kRequired);
  Read(j, "output_fields", e.output_fields, Need::kRequired);
  Read(j, "status", e.status, Need::kRequired);
  Read(j, "arrived_ms", e.arrived_ms, Need::kRequired);
  Read(j, "completed_ms", e.completed_ms, Need::kRequired);
  Read(j, "delay_ms", e.delay_ms, Need::kRequired);
  Read(j, "held_ms", e.held_ms, Need::kOptional);
  Read(j, "rule", e.rule, Need::kOptional);
  Read(j, "faults", e.faults, Need::kOptional);
  Read(j, "stream", e.stream, Need::kOptional);
  Read(j, "request_body", e.request_body, Need::kOptional);
  Read(j, "response_body", e.response_body, Need::kOptional);
  Read(j, "request_truncated", e.request_truncated, Need::kOptional);
  Read(j, "response_truncated", e.response_truncated, Need::kOptional);
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
  int number = 0;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded()) throw JournalFormatError(fmt::format("line {}: not JSON", number));
    try {
      entries.push_back(EntryFromJson(j));
    } catch (const JournalFormatError& e) {
      throw JournalFormatError(fmt::format("line {}: {}", number, e.what()));
    }
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
  std::size_t bytes = SizeOf(entry);
  std::lock_guard lock(mutex_);
  by_run_[entry.run_id].push_back(first_order_ + slots_.size());
  slots_.push_back({std::move(entry), bytes, false});
  bytes_ += bytes;
  ++live_;
  Evict();
}

void Journal::Evict() {
  while (bytes_ > byte_budget_ && !slots_.empty()) {
    Slot& front = slots_.front();
    if (!front.erased) {
      bytes_ -= front.bytes;
      --live_;
      ++evicted_;
      auto run = by_run_.find(front.entry.run_id);
      if (run != by_run_.end()) {
        auto& orders = run->second;
        if (!orders.empty() && orders.front() == first_order_) orders.pop_front();
        if (orders.empty()) by_run_.erase(run);
      }
    }
    slots_.pop_front();
    ++first_order_;
  }
  // Erased slots at the front hold no entry; drop them too.
  while (!slots_.empty() && slots_.front().erased) {
    slots_.pop_front();
    ++first_order_;
  }
}

const Journal::Slot* Journal::Find(std::uint64_t order) const {
  if (order < first_order_ || order - first_order_ >= slots_.size()) return nullptr;
  const Slot& slot = slots_[order - first_order_];
  return slot.erased ? nullptr : &slot;
}

std::vector<JournalEntry> Journal::ForRun(const std::string& run_id) const {
  std::lock_guard lock(mutex_);
  std::vector<JournalEntry> out;
  auto it = by_run_.find(run_id);
  if (it == by_run_.end()) return out;
  out.reserve(it->second.size());
  for (std::uint64_t order : it->second) {
    if (const Slot* slot = Find(order)) out.push_back(slot->entry);
  }
  return out;
}

std::vector<JournalEntry> Journal::All() const {
  std::lock_guard lock(mutex_);
  std::vector<JournalEntry> out;
  out.reserve(live_);
  for (const Slot& slot : slots_) {
    if (!slot.erased) out.push_back(slot.entry);
  }
  return out;
}

std::size_t Journal::CountForRun(const std::string& run_id) const {
  std::lock_guard lock(mutex_);
  auto it = by_run_.find(run_id);
  return it == by_run_.end() ? 0 : it->second.size();
}

std::size_t Journal::size() const {
  std::lock_guard lock(mutex_);
  return live_;
}

std::uint64_t Journal::evicted() const {
  std::lock_guard lock(mutex_);
  return evicted_;
}

void Journal::Reset() {
  std::lock_guard lock(mutex_);
  first_order_ += slots_.size();
  slots_.clear();
  bytes_ = 0;
  live_ = 0;
  by_run_.clear();
  next_seq_.clear();
}

void Journal::ResetRun(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  next_seq_.erase(run_id);
  auto it = by_run_.find(run_id);
  if (it == by_run_.end()) return;
  for (std::uint64_t order : it->second) {
    if (order < first_order_ || order - first_order_ >= slots_.size()) continue;
    Slot& slot = slots_[order - first_order_];
    if (slot.erased) continue;
    slot.erased = true;
    bytes_ -= slot.bytes;
    --live_;
    slot.entry = {};  // free the bodies now
  }
  by_run_.erase(it);
  Evict();
}

}  // namespace dspy_compat::mock
