// Stable 64-bit hashing for mock content and delays. Runs must replay byte for byte on every
// platform and standard library, so std::hash and <random> distributions are out.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace dspy_compat::mock {

// splitmix64's finaliser: spreads every input bit over the whole word.
constexpr std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Hashes a sequence of parts, each followed by its length so ("ab","c") != ("a","bc"). Bytes
// are taken eight at a time, assembled little-endian whatever the platform: prompts are
// kilobytes and are hashed on every request.
class StableHasher {
 public:
  explicit constexpr StableHasher(std::uint64_t seed) : state_(Mix64(seed ^ kOffset)) {}

  constexpr StableHasher& Add(std::string_view bytes) {
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) Word(Load(bytes.data() + i));
    std::uint64_t tail = 0;
    for (std::size_t k = 0; i + k < bytes.size(); ++k) {
      tail |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i + k])) << (8 * k);
    }
    Word(tail);
    return Add(static_cast<std::uint64_t>(bytes.size()));
  }
  constexpr StableHasher& Add(std::uint64_t value) {
    Word(value);
    return *this;
  }
  constexpr std::uint64_t Finish() const { return Mix64(state_); }

 private:
  // Eight bytes as a little-endian word: one load where the platform is little-endian.
  static constexpr std::uint64_t Load(const char* p) {
    if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
      std::uint64_t word;
      std::memcpy(&word, p, sizeof word);
      return word;
    }
    std::uint64_t word = 0;
    for (std::size_t k = 0; k < 8; ++k) {
      word |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[k])) << (8 * k);
    }
    return word;
  }

  static constexpr std::uint64_t kOffset = 0xcbf29ce484222325ULL;
  static constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  // One multiply and a rotation per word; Finish's Mix64 does the thorough mixing.
  constexpr void Word(std::uint64_t w) { state_ = std::rotl((state_ ^ w) * kPrime, 29); }

  std::uint64_t state_;
};

}  // namespace dspy_compat::mock
