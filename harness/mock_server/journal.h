// Every LM request the mock server answered, attributed to its run. What the server saw is the
// only evidence of which model and prompt format a run really used, so the journal is the
// server's main output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dspy_compat::mock {

struct JournalEntry {
  std::string run_id{};  // "" when the request came without a /run/<id>/ prefix
  int seq = 0;           // 1-based, in arrival order within the run
  std::string method{};
  std::string path{};
  std::string model{};  // as requested; "" when the body had none
  std::vector<std::string> output_fields{};
  int status = 0;           // 0 when no response was sent (a dropped connection)
  double arrived_ms = 0;    // since server start
  double completed_ms = 0;  // when the last byte was handed to the socket (or it was dropped)
  int delay_ms = 0;
  std::string request_body{};  // at most the journal's body limit
  std::string response_body{};
  bool request_truncated = false;
  bool response_truncated = false;
  std::string rule{};                 // the fixture rule that matched, if any
  std::vector<std::string> faults{};  // injected or suffered: "status:429", "hold_timeout", ...
  bool stream = false;
  double held_ms = 0;  // time held by the rule's hold condition, before the delay
};

// A journal line that is not an entry; what() names the line and the field.
class JournalFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

nlohmann::json ToJson(const JournalEntry& entry);
// Every field is checked for its type (the journal comes back over HTTP from a
// server that may not be ours): throws JournalFormatError naming the first bad
// one, never nlohmann's type_error. Fields added later may be absent.
JournalEntry EntryFromJson(const nlohmann::json& json);
// One compact JSON object per line, each ending in '\n'.
std::string ToJsonLines(const std::vector<JournalEntry>& entries);
// Throws JournalFormatError ("line N: ...") for a line that is not an entry.
std::vector<JournalEntry> ParseJsonLines(std::string_view text);

class Journal {
 public:
  static constexpr std::size_t kDefaultBodyLimit = 64 * 1024;
  // A long-running server (or a benchmark) must not grow without bound: past this many bytes of
  // entries the oldest are evicted, and counted.
  static constexpr std::size_t kDefaultByteBudget = 512u * 1024 * 1024;

  explicit Journal(std::size_t body_limit = kDefaultBodyLimit,
                   std::size_t byte_budget = kDefaultByteBudget)
      : body_limit_(body_limit), byte_budget_(byte_budget) {}
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // The next 1-based sequence number for `run_id`; taken when a request arrives, so a delayed
  // response keeps its arrival position.
  int NextSeq(const std::string& run_id);
  // Bodies longer than the limit are cut (and marked truncated).
  void Record(JournalEntry entry);

  std::vector<JournalEntry> ForRun(const std::string& run_id) const;  // completion order
  std::vector<JournalEntry> All() const;                              // completion order
  std::size_t CountForRun(const std::string& run_id) const;
  std::size_t size() const;
  std::size_t body_limit() const { return body_limit_; }
  std::uint64_t evicted() const;
  // Forgets entries and sequence counters alike.
  void Reset();
  void ResetRun(const std::string& run_id);

 private:
  struct Slot {
    JournalEntry entry;
    std::size_t bytes = 0;
    bool erased = false;
  };
  const Slot* Find(std::uint64_t order) const;  // callers hold mutex_
  void Evict();                                 // callers hold mutex_

  const std::size_t body_limit_;
  const std::size_t byte_budget_;
  mutable std::mutex mutex_;
  std::deque<Slot> slots_;  // completion order; slots_[0] has order first_order_
  std::uint64_t first_order_ = 0;
  std::size_t bytes_ = 0;
  std::size_t live_ = 0;
  std::uint64_t evicted_ = 0;
  std::unordered_map<std::string, std::deque<std::uint64_t>> by_run_;  // orders, ascending
  std::unordered_map<std::string, int> next_seq_;
};

}  // namespace dspy_compat::mock
