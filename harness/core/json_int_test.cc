#include "core/json_int.h"

#include <gtest/gtest.h>

namespace dspy_compat {
namespace {

using nlohmann::json;

TEST(JsonIntTest, AnIntegerWithinIntsRangeIsThatInt) {
  EXPECT_EQ(JsonInt(json(0)), 0);
  EXPECT_EQ(JsonInt(json(-7)), -7);
  EXPECT_EQ(JsonInt(json(std::numeric_limits<int>::max())), std::numeric_limits<int>::max());
  EXPECT_EQ(JsonInt(json(std::numeric_limits<int>::min())), std::numeric_limits<int>::min());
  EXPECT_EQ(JsonInt(json::parse("42")), 42);
}

TEST(JsonIntTest, AnythingElseIsNoIntNeverATruncatedOne) {
  // Out of range: get<int>() would wrap these.
  EXPECT_EQ(JsonInt(json(std::int64_t{std::numeric_limits<int>::max()} + 1)), std::nullopt);
  EXPECT_EQ(JsonInt(json(std::int64_t{std::numeric_limits<int>::min()} - 1)), std::nullopt);
  EXPECT_EQ(JsonInt(json::parse("18446744073709551615")), std::nullopt);
  // Floats (even integral ones), bools, strings, null, containers.
  EXPECT_EQ(JsonInt(json::parse("2.5")), std::nullopt);
  EXPECT_EQ(JsonInt(json::parse("3.0")), std::nullopt);
  EXPECT_EQ(JsonInt(json::parse("1e12")), std::nullopt);
  EXPECT_EQ(JsonInt(json(true)), std::nullopt);
  EXPECT_EQ(JsonInt(json("5")), std::nullopt);
  EXPECT_EQ(JsonInt(json()), std::nullopt);
  EXPECT_EQ(JsonInt(json::array({1})), std::nullopt);
}

}  // namespace
}  // namespace dspy_compat
