// Stable 64-bit hashing for mock content and delays. Runs must replay byte for byte on every
// platform and standard library, so std::hash and <random> distributions are out.
#pragma once

#include <cstdint>
#include <string_view>

namespace dspy_compat::mock {

// splitmix64's finaliser: spreads every input bit over the whole word.
constexpr std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a over the parts, each followed by its length so ("ab","c") != ("a","bc").
class StableHasher {
 public:
  explicit constexpr StableHasher(std::uint64_t seed) : state_(Mix64(seed ^ kOffset)) {}

  constexpr StableHasher& Add(std::string_view bytes) {
    for (char c : bytes) Byte(static_cast<unsigned char>(c));
    return Add(static_cast<std::uint64_t>(bytes.size()));
  }
  constexpr StableHasher& Add(std::uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8) Byte(static_cast<unsigned char>(value >> shift));
    return *this;
  }
  constexpr std::uint64_t Finish() const { return Mix64(state_); }

 private:
  static constexpr std::uint64_t kOffset = 0xcbf29ce484222325ULL;
  static constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  constexpr void Byte(unsigned char b) { state_ = (state_ ^ b) * kPrime; }

  std::uint64_t state_;
};

}  // namespace dspy_compat::mock
