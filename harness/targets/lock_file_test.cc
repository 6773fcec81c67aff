#include "targets/lock_file.h"

#include <gtest/gtest.h>

#include "core/sha256.h"

namespace dspy_compat {
namespace {

const char* kHashA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const char* kHashB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

std::string Lock() {
  return std::string("# comment\n") + "dspy==2.5.40 \\\n    --hash=" + kHashA +
         " \\\n    --hash=" + kHashB + "\n    # via -r requirements.in\n" +
         "Typing_Extensions==4.12.2 \\\n    --hash=" + kHashA + "\n";
}

TEST(LockFileTest, ParsesPinsAndHashes) {
  auto lock = ParseLockFile(Lock(), "x.lock");
  ASSERT_EQ(lock.packages.size(), 2u);
  EXPECT_EQ(lock.packages[0].name, "dspy");
  EXPECT_EQ(lock.packages[0].version, "2.5.40");
  EXPECT_EQ(lock.packages[0].hashes.size(), 2u);
  ASSERT_NE(lock.Find("typing_extensions"), nullptr);
  EXPECT_EQ(lock.Find("typing-extensions")->version, "4.12.2");
  EXPECT_EQ(lock.sha256, Sha256Hex(Lock()));
}

TEST(LockFileTest, HashIsSha256OfTheBytes) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(LockFileTest, UnpinnedRequirementIsAnErrorWithItsLine) {
  try {
    ParseLockFile("# header\ndspy>=2.5\n", "t.lock");
    FAIL();
  } catch (const LockFileError& e) {
    EXPECT_NE(std::string(e.what()).find("t.lock:2:"), std::string::npos) << e.what();
  }
}

TEST(LockFileTest, MissingHashIsAnError) {
  EXPECT_THROW(ParseLockFile("dspy==2.5.40\n", "t.lock"), LockFileError);
}

TEST(LockFileTest, BrokenHashLineIsAnError) {
  EXPECT_THROW(ParseLockFile("dspy==2.5.40 \\\n    --hash=md5:1234\n", "t.lock"), LockFileError);
}

TEST(LockFileTest, DanglingContinuationIsAnError) {
  EXPECT_THROW(
      ParseLockFile(std::string("dspy==2.5.40 \\\n    --hash=") + kHashA + " \\\n", "t.lock"),
      LockFileError);
}

TEST(LockFileTest, EmptyLockIsAnError) {
  EXPECT_THROW(ParseLockFile("# nothing\n", "t"), LockFileError);
}

}  // namespace
}  // namespace dspy_compat
