#include "mock_server/schedule_board.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dspy_compat::mock {
namespace {

ScheduleConfig Exploring(std::vector<std::uint64_t> replay = {}) {
  ScheduleConfig config;
  config.strategy = ScheduleStrategy::kRandom;
  config.seed = 9;
  config.quiet_ms = 30;
  config.bound_ms = 1000;
  config.replay = std::move(replay);
  return config;
}

class ScheduleBoardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    board_.SetWake([this](double at) { wakes_.push_back(at); });
  }
  ScheduleBoard::Release Note(std::string name) {
    return [this, name](bool bound) { released_.push_back(bound ? name + "(bound)" : name); };
  }

  ScheduleBoard board_;
  std::vector<double> wakes_;
  std::vector<std::string> released_;
};

TEST_F(ScheduleBoardTest, NaturalRunsAreNotHeld) {
  board_.Configure("n", {.strategy = ScheduleStrategy::kNatural});
  EXPECT_FALSE(board_.Explores("n"));
  EXPECT_FALSE(board_.Explores("unknown"));
  board_.Arrived("n", 0);
  EXPECT_EQ(board_.Hold("n", 1, 1, 0, Note("a")), 0U);
  EXPECT_EQ(board_.Record("n"), std::nullopt);
  EXPECT_EQ(board_.Poll(0), std::nullopt);
  EXPECT_TRUE(wakes_.empty());
  // Configuring natural again turns exploring off.
  board_.Configure("e", Exploring());
  EXPECT_TRUE(board_.Explores("e"));
  board_.Configure("e", {.strategy = ScheduleStrategy::kNatural});
  EXPECT_FALSE(board_.Explores("e"));
}

TEST_F(ScheduleBoardTest, ReleasesInReplayOrderOnQuietPolls) {
  board_.Configure("r", Exploring({2, 1}));
  board_.Arrived("r", 0);
  ScheduleBoard::Ticket a = board_.Hold("r", 1, 1, 0, Note("a"));
  ASSERT_EQ(wakes_, (std::vector<double>{30}));  // asked to poll when the run may be quiet
  board_.Arrived("r", 5);
  ScheduleBoard::Ticket b = board_.Hold("r", 2, 2, 5, Note("b"));
  EXPECT_EQ(wakes_.size(), 1U);  // a later deadline needs no earlier wake
  EXPECT_EQ(board_.held(), 2U);

  EXPECT_EQ(board_.Poll(30), 35);  // woke early: nothing yet
  EXPECT_TRUE(released_.empty());
  EXPECT_EQ(board_.Poll(35), 1000);  // b goes; a waits for b's answer (or a's bound)
  EXPECT_EQ(released_, (std::vector<std::string>{"b"}));
  board_.Answered(b, 40);
  EXPECT_EQ(wakes_.back(), 70);
  EXPECT_EQ(board_.Poll(70), std::nullopt);
  EXPECT_EQ(released_, (std::vector<std::string>{"b", "a"}));
  board_.Answered(a, 71);

  std::optional<LmSchedule> record = board_.Record("r");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->strategy, "random");
  EXPECT_TRUE(record->replay);
  ASSERT_EQ(record->releases.size(), 2U);
  EXPECT_EQ(record->releases[0].key, ContentKeyHex(2));
  EXPECT_EQ(record->releases[1].key, ContentKeyHex(1));
}

TEST_F(ScheduleBoardTest, BoundReleasesAreReportedAsSuch) {
  board_.Configure("r", Exploring());
  board_.Hold("r", 1, 1, 0, Note("a"));
  for (double t = 10; t < 1000; t += 10) board_.Arrived("r", t);  // never quiet
  EXPECT_EQ(board_.Poll(999), 1000);
  EXPECT_TRUE(released_.empty());
  EXPECT_EQ(board_.Poll(1000), std::nullopt);
  EXPECT_EQ(released_, (std::vector<std::string>{"a(bound)"}));
  EXPECT_TRUE(board_.Record("r")->releases[0].bound);
}

TEST_F(ScheduleBoardTest, RunsAreScheduledApart) {
  board_.Configure("x", Exploring());
  board_.Configure("y", Exploring());
  ScheduleBoard::Ticket x = board_.Hold("x", 1, 1, 0, Note("x1"));
  board_.Hold("x", 2, 2, 0, Note("x2"));
  board_.Hold("y", 1, 1, 20, Note("y1"));
  board_.Poll(30);  // x is quiet; y is not
  ASSERT_EQ(released_.size(), 1U);
  EXPECT_EQ(released_[0][0], 'x');
  board_.Poll(50);  // y is quiet now; x waits for its answer
  ASSERT_EQ(released_.size(), 2U);
  EXPECT_EQ(released_[1], "y1");
  // A cancelled, unanswered release stops blocking its run.
  board_.Cancel(released_[0] == "x1" ? x : x + 1);
  EXPECT_EQ(board_.Poll(50), std::nullopt);
  EXPECT_EQ(released_.size(), 3U);
}

TEST_F(ScheduleBoardTest, ForgettingARunReleasesWhatItHolds) {
  board_.Configure("r", Exploring());
  ScheduleBoard::Ticket t = board_.Hold("r", 1, 1, 0, Note("a"));
  board_.ForgetRun("r");
  EXPECT_EQ(released_, (std::vector<std::string>{"a"}));
  EXPECT_FALSE(board_.Explores("r"));
  EXPECT_EQ(board_.Record("r"), std::nullopt);
  board_.Answered(t, 1);  // late answers and cancels are harmless
  board_.Cancel(t);
  EXPECT_EQ(board_.Poll(100), std::nullopt);
}

}  // namespace
}  // namespace dspy_compat::mock
