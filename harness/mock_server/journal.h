// Every LM request the mock server answered, attributed to its run. What the server saw is the
// only evidence of which model and prompt format a run really used, so the journal is the
// server's main output.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
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
  int status = 0;
  double arrived_ms = 0;    // since server start
  double completed_ms = 0;  // when the response was handed to the socket
  int delay_ms = 0;
  std::string request_body{};  // at most the journal's body limit
  std::string response_body{};
  bool request_truncated = false;
  bool response_truncated = false;
};

nlohmann::json ToJson(const JournalEntry& entry);
// Throws nlohmann::json::exception when `json` is not an entry.
JournalEntry EntryFromJson(const nlohmann::json& json);
// One compact JSON object per line, each ending in '\n'.
std::string ToJsonLines(const std::vector<JournalEntry>& entries);
std::vector<JournalEntry> ParseJsonLines(std::string_view text);

class Journal {
 public:
  static constexpr std::size_t kDefaultBodyLimit = 64 * 1024;

  explicit Journal(std::size_t body_limit = kDefaultBodyLimit) : body_limit_(body_limit) {}
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
  // Forgets entries and sequence counters alike.
  void Reset();

 private:
  const std::size_t body_limit_;
  mutable std::mutex mutex_;
  std::deque<JournalEntry> entries_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_run_;  // indices into entries_
  std::unordered_map<std::string, int> next_seq_;
};

}  // namespace dspy_compat::mock
