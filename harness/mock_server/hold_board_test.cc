#include "mock_server/hold_board.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace dspy_compat::mock {
namespace {

Hold Arrivals(int k, HoldScope scope = HoldScope::kRun) {
  Hold hold;
  hold.until_arrived = k;
  hold.scope = scope;
  return hold;
}

Hold Answer(std::string name) {
  Hold hold;
  hold.until_answered = std::move(name);
  return hold;
}

TEST(HoldBoardTest, ReleasesWhenEnoughRequestsHaveArrived) {
  HoldBoard board;
  int released = 0;
  board.Arrived("r");
  HoldBoard::Ticket t = board.Wait("r", Arrivals(3), [&] { ++released; });
  EXPECT_NE(t, 0U);
  EXPECT_EQ(board.waiting(), 1U);
  board.Arrived("other");  // another run does not count
  board.Arrived("r");
  EXPECT_EQ(released, 0);
  board.Arrived("r");
  EXPECT_EQ(released, 1);
  EXPECT_EQ(board.waiting(), 0U);
  EXPECT_EQ(board.Wait("r", Arrivals(3), [&] { ++released; }), 0U);  // holds already
  EXPECT_EQ(released, 1);
}

TEST(HoldBoardTest, ServerScopeCountsEveryRun) {
  HoldBoard board;
  int released = 0;
  board.Wait("a", Arrivals(2, HoldScope::kServer), [&] { ++released; });
  board.Arrived("a");
  board.Arrived("b");
  EXPECT_EQ(released, 1);
}

TEST(HoldBoardTest, ReleasesWhenANamedRequestWasAnswered) {
  HoldBoard board;
  int released = 0;
  board.Wait("r", Answer("first"), [&] { ++released; });
  board.Answered("r", "other");
  board.Answered("x", "first");  // the same name in another run
  EXPECT_EQ(released, 0);
  board.Answered("r", "first");
  EXPECT_EQ(released, 1);
  EXPECT_EQ(board.Wait("r", Answer("first"), [&] { ++released; }), 0U);
}

TEST(HoldBoardTest, BothConditions) {
  HoldBoard board;
  Hold hold = Answer("a");
  hold.until_arrived = 2;
  int released = 0;
  board.Wait("r", hold, [&] { ++released; });
  board.Answered("r", "a");
  EXPECT_EQ(released, 0);
  board.Arrived("r");
  board.Arrived("r");
  EXPECT_EQ(released, 1);
}

TEST(HoldBoardTest, CancelResetAndForget) {
  HoldBoard board;
  int released = 0;
  HoldBoard::Ticket t = board.Wait("r", Arrivals(1), [&] { ++released; });
  board.Cancel(t);
  board.Cancel(t);  // harmless twice
  board.Arrived("r");
  EXPECT_EQ(released, 0);
  board.Reset();
  EXPECT_NE(board.Wait("r", Arrivals(1), [&] { ++released; }), 0U);  // arrivals forgotten
  board.Arrived("r");
  EXPECT_EQ(released, 1);
  board.Answered("r", "a");
  board.ForgetRun("r");
  EXPECT_NE(board.Wait("r", Answer("a"), [] {}), 0U);
}

TEST(HoldBoardTest, ReleasesAThousandWaitersFromManyThreads) {
  HoldBoard board;
  std::atomic<int> released{0};
  for (int i = 0; i < 1000; ++i) board.Wait("r", Arrivals(1000), [&] { ++released; });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) board.Arrived("r");
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(released.load(), 1000);
  EXPECT_EQ(board.waiting(), 0U);
}

}  // namespace
}  // namespace dspy_compat::mock
