#include "mock_server/journal.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <thread>

namespace dspy_compat::mock {
namespace {

JournalEntry Entry(std::string run_id, int seq) {
  JournalEntry e;
  e.run_id = std::move(run_id);
  e.seq = seq;
  e.method = "POST";
  e.path = "/v1/chat/completions";
  e.model = "gpt-4o-mini";
  e.output_fields = {"reasoning", "answer"};
  e.status = 200;
  e.arrived_ms = 1.5;
  e.completed_ms = 201.25;
  e.delay_ms = 200;
  e.request_body = R"({"messages":[]})";
  e.response_body = "{}";
  return e;
}

TEST(JournalTest, SequenceNumbersArePerRunAndOneBased) {
  Journal journal;
  EXPECT_EQ(journal.NextSeq("a"), 1);
  EXPECT_EQ(journal.NextSeq("a"), 2);
  EXPECT_EQ(journal.NextSeq("b"), 1);
  EXPECT_EQ(journal.NextSeq(""), 1);
  journal.Reset();
  EXPECT_EQ(journal.NextSeq("a"), 1);
}

TEST(JournalTest, RecordsAndSelectsByRun) {
  Journal journal;
  journal.Record(Entry("a", 1));
  journal.Record(Entry("b", 1));
  journal.Record(Entry("a", 2));
  EXPECT_EQ(journal.size(), 3U);
  EXPECT_EQ(journal.CountForRun("a"), 2U);
  EXPECT_EQ(journal.CountForRun("b"), 1U);
  EXPECT_EQ(journal.CountForRun("zzz"), 0U);
  std::vector<JournalEntry> a = journal.ForRun("a");
  ASSERT_EQ(a.size(), 2U);
  EXPECT_EQ(a[0].seq, 1);
  EXPECT_EQ(a[1].seq, 2);
  EXPECT_EQ(journal.All()[1].run_id, "b");
  journal.Reset();
  EXPECT_EQ(journal.size(), 0U);
  EXPECT_TRUE(journal.ForRun("a").empty());
}

TEST(JournalTest, BodiesAreBounded) {
  Journal journal(10);
  JournalEntry e = Entry("a", 1);
  e.request_body = std::string(100, 'x');
  journal.Record(e);
  JournalEntry stored = journal.All()[0];
  EXPECT_EQ(stored.request_body.size(), 10U);
  EXPECT_TRUE(stored.request_truncated);
  EXPECT_FALSE(stored.response_truncated);
}

TEST(JournalTest, JsonLinesRoundTrip) {
  std::vector<JournalEntry> entries = {Entry("a", 1), Entry("", 1)};
  entries[1].output_fields.clear();
  std::string lines = ToJsonLines(entries);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2);
  std::vector<JournalEntry> back = ParseJsonLines(lines);
  ASSERT_EQ(back.size(), 2U);
  EXPECT_EQ(back[0].run_id, "a");
  EXPECT_EQ(back[0].output_fields, entries[0].output_fields);
  EXPECT_DOUBLE_EQ(back[0].completed_ms, 201.25);
  EXPECT_EQ(back[0].delay_ms, 200);
  EXPECT_EQ(back[0].request_body, entries[0].request_body);
  EXPECT_EQ(back[1].run_id, "");
  EXPECT_TRUE(back[1].output_fields.empty());
}

TEST(JournalTest, InvalidUtf8BodiesDoNotBreakSerialisation) {
  JournalEntry e = Entry("a", 1);
  e.request_body = "caf\xc3";  // cut mid-sequence, as truncation can
  std::string lines;
  EXPECT_NO_THROW(lines = ToJsonLines({e}));
  EXPECT_EQ(ParseJsonLines(lines).size(), 1U);
}

TEST(JournalTest, ConcurrentWritersLoseNothing) {
  Journal journal;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&journal, t] {
      std::string run = "run" + std::to_string(t % 2);
      for (int i = 0; i < 500; ++i) journal.Record(Entry(run, journal.NextSeq(run)));
    });
  }
  for (std::thread& w : writers) w.join();
  EXPECT_EQ(journal.CountForRun("run0"), 1000U);
  EXPECT_EQ(journal.CountForRun("run1"), 1000U);
  std::vector<int> seqs;
  for (const JournalEntry& e : journal.ForRun("run0")) seqs.push_back(e.seq);
  std::sort(seqs.begin(), seqs.end());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(seqs[static_cast<std::size_t>(i)], i + 1);
}

TEST(JournalTest, ResetOneRun) {
  Journal journal;
  journal.Record(Entry("a", journal.NextSeq("a")));
  journal.Record(Entry("b", journal.NextSeq("b")));
  journal.Record(Entry("a", journal.NextSeq("a")));
  journal.ResetRun("a");
  EXPECT_EQ(journal.CountForRun("a"), 0U);
  EXPECT_EQ(journal.size(), 1U);
  EXPECT_EQ(journal.All().at(0).run_id, "b");
  EXPECT_EQ(journal.NextSeq("a"), 1);
  EXPECT_EQ(journal.NextSeq("b"), 2);
  journal.Record(Entry("a", 1));
  EXPECT_EQ(journal.ForRun("a").size(), 1U);
}

TEST(JournalTest, OldestEntriesAreEvictedPastTheBudget) {
  Journal journal(Journal::kDefaultBodyLimit, /*byte_budget=*/10 * 1024);
  for (int i = 1; i <= 100; ++i) {
    JournalEntry e = Entry(i % 2 ? "odd" : "even", i);
    e.request_body = std::string(500, 'x');
    journal.Record(std::move(e));
  }
  EXPECT_LT(journal.size(), 20U);
  EXPECT_EQ(journal.size() + journal.evicted(), 100U);
  std::vector<JournalEntry> odd = journal.ForRun("odd");
  ASSERT_FALSE(odd.empty());
  EXPECT_EQ(odd.back().seq, 99);  // the newest stay
  EXPECT_EQ(journal.CountForRun("odd") + journal.CountForRun("even"), journal.size());
}

TEST(JournalTest, NewFieldsRoundTripAndOldLinesStillParse) {
  JournalEntry e = Entry("a", 1);
  e.rule = "slow";
  e.faults = {"hold_timeout", "status:429"};
  e.stream = true;
  e.held_ms = 12.5;
  JournalEntry back = ParseJsonLines(ToJsonLines({e})).at(0);
  EXPECT_EQ(back.rule, "slow");
  EXPECT_EQ(back.faults, e.faults);
  EXPECT_TRUE(back.stream);
  EXPECT_DOUBLE_EQ(back.held_ms, 12.5);
  nlohmann::json old = ToJson(Entry("a", 1));
  for (const char* key : {"rule", "faults", "stream", "held_ms"}) old.erase(key);
  EXPECT_TRUE(EntryFromJson(old).faults.empty());
}

// A line of another type than the journal writes is named, field and line,
// never an uncaught type_error (json::value() threw one for a wrong-typed
// field it was asked a default for).
TEST(JournalTest, WrongTypedFieldsAreNamedNotThrownAsTypeErrors) {
  struct Case {
    const char* key;
    nlohmann::json value;
    const char* says;
  };
  for (const Case& c : {Case{"stream", "yes", "\"stream\" is a string, not a boolean"},
                        Case{"held_ms", nullptr, "\"held_ms\" is a null, not a number"},
                        Case{"rule", 7, "\"rule\" is a number, not a string"},
                        Case{"faults", {1, 2}, "\"faults\" is an array, not an array of strings"},
                        Case{"request_body", {{"a", 1}}, "\"request_body\" is an object"},
                        Case{"seq", "1", "\"seq\" is a string, not an integer"},
                        Case{"seq", 1e12, "\"seq\" is a number, not an integer"},
                        Case{"status", 99999999999, "\"status\" is a number, not an integer"},
                        // Above INT64_MAX: used to be read as -1 (core/json_int.h).
                        Case{"status", std::numeric_limits<std::uint64_t>::max(),
                             "\"status\" is a number, not an integer"}}) {
    nlohmann::json line = ToJson(Entry("a", 1));
    line[c.key] = c.value;
    std::string text = ToJsonLines({Entry("a", 1)}) + line.dump() + "\n";
    try {
      ParseJsonLines(text);
      ADD_FAILURE() << c.key << " of the wrong type was accepted";
    } catch (const JournalFormatError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("line 2: ") + c.says), std::string::npos)
          << e.what();
    }
  }
  nlohmann::json missing = ToJson(Entry("a", 1));
  missing.erase("run_id");
  EXPECT_THROW(EntryFromJson(missing), JournalFormatError);
  EXPECT_THROW(EntryFromJson(nlohmann::json::array()), JournalFormatError);
  try {
    ParseJsonLines("{not json\n");
    ADD_FAILURE() << "a line that is not JSON was accepted";
  } catch (const JournalFormatError& e) {
    EXPECT_STREQ(e.what(), "line 1: not JSON");
  }
}

}  // namespace
}  // namespace dspy_compat::mock
