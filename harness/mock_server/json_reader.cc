#include "mock_server/json_reader.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mock_server/byte_scan.h"
#include "mock_server/json_text.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

class Reader {
 public:
  explicit Reader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool Document(json& out) {
    if (end_ - p_ >= 3 && std::string_view(p_, 3) == "\xEF\xBB\xBF") p_ += 3;  // as nlohmann
    SkipSpace();
    if (!Value(out, 0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  bool Value(json& out, int depth) {
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{':
        return Object(out, depth + 1);
      case '[':
        return Array(out, depth + 1);
      case '"': {
        out = json::string_t();
        return String(out.get_ref<json::string_t&>());
      }
      case 't':
        out = true;
        return Literal("true");
      case 'f':
        out = false;
        return Literal("false");
      case 'n':
        out = nullptr;
        return Literal("null");
      default:
        return Number(out);
    }
  }

  bool Object(json& out, int depth) {
    if (depth > kMaxJsonDepth) return false;
    ++p_;  // '{'
    out = json::object();
    auto& object = out.get_ref<json::object_t&>();
    SkipSpace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (p_ >= end_ || *p_ != '"') return false;
      std::string key;
      if (!String(key)) return false;
      SkipSpace();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      SkipSpace();
      json value;
      if (!Value(value, depth)) return false;
      object.insert_or_assign(std::move(key), std::move(value));  // the last duplicate wins
      SkipSpace();
      if (p_ >= end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      return true;
    }
  }

  bool Array(json& out, int depth) {
    if (depth > kMaxJsonDepth) return false;
    ++p_;  // '['
    out = json::array();
    auto& array = out.get_ref<json::array_t&>();
    SkipSpace();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      SkipSpace();
      array.emplace_back();
      if (!Value(array.back(), depth)) return false;
      SkipSpace();
      if (p_ >= end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      return true;
    }
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool Hex4(std::uint32_t& out) {
    if (end_ - p_ < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      int h = Hex(p_[i]);
      if (h < 0) return false;
      out = out * 16 + static_cast<std::uint32_t>(h);
    }
    p_ += 4;
    return true;
  }

  static void AppendUtf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  bool Escape(std::string& out) {
    if (p_ >= end_) return false;
    char c = *p_++;
    switch (c) {
      case '"':
        out += '"';
        return true;
      case '\\':
        out += '\\';
        return true;
      case '/':
        out += '/';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    std::uint32_t code = 0;
    if (!Hex4(code)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a lone low surrogate
    if (code >= 0xD800 && code <= 0xDBFF) {
      std::uint32_t low = 0;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(out, code);
    return true;
  }

  // Runs of plain bytes are appended whole; that is where the time goes in long prompts.
  bool String(std::string& out) {
    ++p_;  // '"'
    for (;;) {
      bool any_high = false;
      std::size_t n =
          PlainStringRun(std::string_view(p_, static_cast<std::size_t>(end_ - p_)), any_high);
      std::string_view chunk(p_, n);
      p_ += n;
      if (any_high && !IsValidUtf8(chunk)) return false;
      out.append(chunk);
      if (p_ >= end_) return false;
      char c = *p_++;
      if (c == '"') return true;
      if (c != '\\') return false;  // a raw control character
      if (!Escape(out)) return false;
    }
  }

  static bool Digit(char c) { return c >= '0' && c <= '9'; }

  bool Number(json& out) {
    const char* start = p_;
    bool negative = false;
    if (p_ < end_ && *p_ == '-') {
      negative = true;
      ++p_;
    }
    if (p_ >= end_ || !Digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && Digit(*p_)) ++p_;
    }
    bool integral = true;
    if (p_ < end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ >= end_ || !Digit(*p_)) return false;
      while (p_ < end_ && Digit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ >= end_ || !Digit(*p_)) return false;
      while (p_ < end_ && Digit(*p_)) ++p_;
    }
    // As nlohmann types them: negative integers signed, the others unsigned, and integers too
    // large for either as floating point.
    if (integral) {
      if (negative) {
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(start, p_, value);
        if (ec == std::errc() && end == p_) {
          out = value;
          return true;
        }
      } else {
        std::uint64_t value = 0;
        auto [end, ec] = std::from_chars(start, p_, value);
        if (ec == std::errc() && end == p_) {
          out = value;
          return true;
        }
      }
    }
    double value = 0;
    auto [end, ec] = std::from_chars(start, p_, value);
    if (end != p_) return false;
    if (ec == std::errc::result_out_of_range) {
      // Underflow gives 0 or a subnormal with strtod, as nlohmann does; overflow is an error
      // there (and here).
      value = std::strtod(std::string(start, p_).c_str(), nullptr);
    } else if (ec != std::errc()) {
      return false;
    }
    if (!std::isfinite(value)) return false;
    out = value;
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

json ParseJson(std::string_view text) {
  json out;
  Reader reader(text);
  if (!reader.Document(out)) return json(json::value_t::discarded);
  return out;
}

}  // namespace dspy_compat::mock
