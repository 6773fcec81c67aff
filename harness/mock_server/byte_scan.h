// Scanning text eight bytes at a time (SWAR): finding where a JSON string's plain run ends, and
// counting words. Both run over every prompt of every request, a few kilobytes each, and were
// the largest loops left in the handler.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace dspy_compat::mock {

namespace swar {

inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

inline std::uint64_t Load(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
  return word;
}

// High bit set in each byte that is zero. Bytes above the lowest flagged one may be flagged
// wrongly (borrows), so only the lowest flag is exact.
inline std::uint64_t ZeroBytes(std::uint64_t w) { return (w - kOnes) & ~w & kHighs; }
inline std::uint64_t EqualBytes(std::uint64_t w, unsigned char c) {
  return ZeroBytes(w ^ (kOnes * c));
}
// Exact: high bit set in each byte equal to c (no borrows between bytes).
inline std::uint64_t EqualBytesExact(std::uint64_t w, unsigned char c) {
  std::uint64_t x = w ^ (kOnes * c);
  return ~(((x & ~kHighs) + ~kHighs) | x) & kHighs;
}

// How many bytes have their high bit set, when only high bits are set. A multiply, not
// std::popcount: without -mpopcnt that is a library call.
inline int CountFlags(std::uint64_t flags) {
  return static_cast<int>(((flags >> 7) * kOnes) >> 56);
}

}  // namespace swar

// Length of the run of plain JSON string content at the start of `text`: up to the first '"',
// '\\' or control byte (< 0x20), or the end. `any_high` is set when the run has a byte >= 0x80.
inline std::size_t PlainStringRun(std::string_view text, bool& any_high) {
  using namespace swar;
  std::size_t i = 0;
  std::uint64_t high = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w = Load(text.data() + i);
    // Control bytes: (w - 0x20..) borrows exactly where a byte is below 0x20, for bytes without
    // the high bit; the lowest flag is exact, which is the one used.
    std::uint64_t stop =
        ((w - kOnes * 0x20) & ~w & kHighs) | EqualBytes(w, '"') | EqualBytes(w, '\\');
    if (stop != 0) {
      std::size_t n = static_cast<std::size_t>(std::countr_zero(stop)) / 8;
      if (n > 0) high |= w & (kHighs >> (8 * (8 - n)));  // the n bytes before the stop
      any_high = high != 0;
      return i + n;
    }
    high |= w & kHighs;
  }
  for (; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\' || c < 0x20) break;
    high |= c & 0x80;
  }
  any_high = high != 0;
  return i;
}

// Runs of non-whitespace (space, \n, \t, \r): the mock's stand-in for tokens.
inline int CountWords(std::string_view text) {
  using namespace swar;
  int words = 0;
  std::uint64_t after_space = 0x80;  // the byte before the text counts as a space
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w = Load(text.data() + i);
    std::uint64_t space = EqualBytesExact(w, ' ') | EqualBytesExact(w, '\n') |
                          EqualBytesExact(w, '\t') | EqualBytesExact(w, '\r');
    std::uint64_t previous = (space << 8) | after_space;  // each byte's predecessor is a space
    words += CountFlags(~space & kHighs & previous);
    after_space = (space >> 56) & 0x80;
  }
  bool prev = after_space != 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    words += static_cast<int>(prev && !space);
    prev = space;
  }
  return words;
}

}  // namespace dspy_compat::mock
