#include "targets/version_spec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include "targets/lock_file.h"

namespace dspy_compat {

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// A cursor over the lower-cased text of one version.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}
  bool Done() const { return at_ == text_.size(); }
  char Peek(std::size_t ahead = 0) const {
    return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0';
  }
  bool Digit(std::size_t ahead = 0) const {
    return std::isdigit(static_cast<unsigned char>(Peek(ahead))) != 0;
  }
  bool IsSep(std::size_t ahead = 0) const {
    char c = Peek(ahead);
    return c == '.' || c == '-' || c == '_';
  }
  std::optional<long> Number() {
    if (!Digit()) return std::nullopt;
    long value = 0;
    while (Digit()) {
      if (value > 100'000'000'000L) throw VersionError("number too large");
      value = value * 10 + (text_[at_++] - '0');
    }
    return value;
  }
  // Consumes an optional separator then one of the words; returns its index.
  std::optional<std::size_t> Word(std::initializer_list<std::string_view> words) {
    std::size_t skip = IsSep() ? 1 : 0;
    std::string_view rest = text_.substr(at_ + skip);
    std::size_t best = 0, best_len = 0, index = 0;
    for (std::string_view w : words) {
      if (rest.starts_with(w) && w.size() > best_len) {
        best = index;
        best_len = w.size();
      }
      ++index;
    }
    if (best_len == 0) return std::nullopt;
    at_ += skip + best_len;
    return best;
  }
  // The number after a pre/post/dev word, with an optional separator; 0 if none.
  long TrailingNumber() {
    if (IsSep() && Digit(1)) ++at_;
    return Number().value_or(0);
  }
  std::string_view Rest() const { return text_.substr(at_); }
  void Skip(std::size_t n) { at_ += n; }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

Version ParseOrThrow(std::string_view raw) {
  std::string text = Lower(Trim(raw));
  std::string_view view = text;
  if (view.starts_with('v')) view.remove_prefix(1);
  Scanner s(view);
  Version v;
  auto first = s.Number();
  if (!first) throw VersionError(fmt::format("'{}' is not a version", raw));
  if (s.Peek() == '!') {
    v.epoch = static_cast<int>(*first);
    s.Skip(1);
    first = s.Number();
    if (!first) throw VersionError(fmt::format("'{}' is not a version", raw));
  }
  v.release.push_back(*first);
  while (s.Peek() == '.' && s.Digit(1)) {
    s.Skip(1);
    v.release.push_back(*s.Number());
  }
  if (auto kind = s.Word({"alpha", "a", "beta", "b", "preview", "pre", "rc", "c"})) {
    static constexpr std::array<int, 8> kKinds = {0, 0, 1, 1, 2, 2, 2, 2};
    v.pre = std::pair{kKinds[*kind], s.TrailingNumber()};
  }
  if (s.Peek() == '-' && s.Digit(1)) {
    s.Skip(1);
    v.post = *s.Number();
  } else if (s.Word({"post", "rev", "r"})) {
    v.post = s.TrailingNumber();
  }
  if (s.Word({"dev"})) v.dev = s.TrailingNumber();
  if (s.Peek() == '+') {
    s.Skip(1);
    v.local = std::string(s.Rest());
    if (v.local.empty()) throw VersionError(fmt::format("'{}': empty local version", raw));
    std::replace_if(
        v.local.begin(), v.local.end(), [](char c) { return c == '-' || c == '_'; }, '.');
    s.Skip(s.Rest().size());
  }
  if (!s.Done()) {
    throw VersionError(fmt::format("'{}' is not a version (unexpected '{}')", raw, s.Rest()));
  }
  return v;
}

int CompareRelease(const std::vector<long>& a, const std::vector<long>& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    long x = i < a.size() ? a[i] : 0;
    long y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// The comparison keys of PEP 440's ordering, for everything after the release.
struct SuffixKey {
  long pre_rank;  // dev-only release: -2; a pre-release: kind; final: 3
  long pre_number;
  long post;  // -1 when none
  long dev;   // LONG_MAX when none (a dev release sorts before its final)
};

SuffixKey KeyOf(const Version& v) {
  SuffixKey k{};
  if (v.pre) {
    k.pre_rank = v.pre->first;
    k.pre_number = v.pre->second;
  } else if (v.dev && !v.post) {
    k.pre_rank = -2;
  } else {
    k.pre_rank = 3;
  }
  k.post = v.post.value_or(-1);
  k.dev = v.dev.value_or(std::numeric_limits<long>::max());
  return k;
}

bool SameBase(const Version& a, const Version& b) {
  return a.epoch == b.epoch && CompareRelease(a.release, b.release) == 0;
}

// "==2.6.*": the release starts with the given components.
bool PrefixMatch(const Version& v, const Version& prefix) {
  if (v.epoch != prefix.epoch) return false;
  for (std::size_t i = 0; i < prefix.release.size(); ++i) {
    long x = i < v.release.size() ? v.release[i] : 0;
    if (x != prefix.release[i]) return false;
  }
  return true;
}

Version WithoutLocal(Version v) {
  v.local.clear();
  return v;
}

}  // namespace

std::string Version::ToString() const {
  std::string out = epoch != 0 ? fmt::format("{}!", epoch) : "";
  out += fmt::format("{}", fmt::join(release, "."));
  if (pre)
    out += fmt::format("{}{}", std::array{"a", "b", "rc"}[static_cast<std::size_t>(pre->first)],
                       pre->second);
  if (post) out += fmt::format(".post{}", *post);
  if (dev) out += fmt::format(".dev{}", *dev);
  if (!local.empty()) out += "+" + local;
  return out;
}

Version ParseVersion(std::string_view text) { return ParseOrThrow(text); }

std::optional<Version> TryParseVersion(std::string_view text) {
  try {
    return ParseOrThrow(text);
  } catch (const VersionError&) {
    return std::nullopt;
  }
}

int Compare(const Version& a, const Version& b) {
  if (int c = Cmp(a.epoch, b.epoch)) return c;
  if (int c = CompareRelease(a.release, b.release)) return c;
  SuffixKey x = KeyOf(a), y = KeyOf(b);
  if (int c = Cmp(x.pre_rank, y.pre_rank)) return c;
  if (int c = Cmp(x.pre_number, y.pre_number)) return c;
  if (int c = Cmp(x.post, y.post)) return c;
  if (int c = Cmp(x.dev, y.dev)) return c;
  // A local version sorts after the same public version; locals compare as text.
  return Cmp(a.local, b.local);
}

bool VersionSpecifier::Contains(const Version& v) const {
  if (op == "===") return v.ToString() == Lower(version_text);
  if (wildcard) {
    bool match = PrefixMatch(v, version);
    return op == "==" ? match : !match;
  }
  // A specifier without a local part ignores the candidate's local part.
  const Version candidate = version.local.empty() ? WithoutLocal(v) : v;
  const int c = Compare(candidate, version);
  if (op == "==") return c == 0;
  if (op == "!=") return c != 0;
  if (op == "<=") return c <= 0;
  if (op == ">=") return c >= 0;
  // "<2.6" does not admit 2.6's own pre-releases, nor ">2.5" its post-releases.
  if (op == "<")
    return c < 0 &&
           !(candidate.IsPreRelease() && !version.IsPreRelease() && SameBase(candidate, version));
  if (op == ">") return c > 0 && !(candidate.post && !version.post && SameBase(candidate, version));
  if (op == "~=") {
    Version prefix = version;
    prefix.release.pop_back();
    return c >= 0 && PrefixMatch(candidate, prefix);
  }
  return false;
}

bool VersionSpecifierSet::Contains(const Version& v) const {
  return std::all_of(specifiers.begin(), specifiers.end(),
                     [&](const VersionSpecifier& s) { return s.Contains(v); });
}

bool VersionSpecifierSet::IsExact() const {
  return specifiers.size() == 1 && specifiers[0].op == "==" && !specifiers[0].wildcard;
}

bool VersionSpecifierSet::MentionsPreRelease() const {
  return std::any_of(specifiers.begin(), specifiers.end(), [](const VersionSpecifier& s) {
    return s.op != "!=" && !s.wildcard && s.version.IsPreRelease();
  });
}

std::string VersionSpecifierSet::ToString() const {
  std::vector<std::string> parts;
  for (const auto& s : specifiers) parts.push_back(s.op + s.version_text);
  return fmt::format("{}", fmt::join(parts, ","));
}

VersionSpecifierSet ParseSpecifierSet(std::string_view text) {
  VersionSpecifierSet set;
  std::string_view rest = text;
  while (true) {
    auto comma = rest.find(',');
    std::string_view part = Trim(rest.substr(0, comma));
    if (part.empty()) {
      if (comma == std::string_view::npos && set.specifiers.empty()) break;
      throw VersionError(fmt::format("'{}': empty version specifier", text));
    }
    VersionSpecifier spec;
    for (std::string_view op : {"===", "==", "!=", "<=", ">=", "~=", "<", ">"}) {
      if (part.starts_with(op)) {
        spec.op = std::string(op);
        break;
      }
    }
    if (spec.op.empty()) {
      throw VersionError(
          fmt::format("'{}': a specifier starts with ==, !=, <, <=, >, >= or ~=", part));
    }
    std::string_view version = Trim(part.substr(spec.op.size()));
    spec.version_text = std::string(version);
    if (spec.op != "===") {
      if (version.ends_with(".*")) {
        if (spec.op != "==" && spec.op != "!=") {
          throw VersionError(fmt::format("'{}': only == and != take a .* wildcard", part));
        }
        spec.wildcard = true;
        version.remove_suffix(2);
      }
      spec.version = ParseOrThrow(version);
      if (spec.op == "~=" && spec.version.release.size() < 2) {
        throw VersionError(fmt::format("'{}': ~= needs at least two release numbers", part));
      }
    }
    set.specifiers.push_back(std::move(spec));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return set;
}

bool IsReleaseSpec(std::string_view text) {
  return text.find_first_of("=<>!~") != std::string_view::npos;
}

ReleaseSpec ParseReleaseSpec(std::string_view text) {
  std::string_view trimmed = Trim(text);
  auto name_end = trimmed.find_first_not_of(
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
  if (name_end == 0 || name_end == std::string_view::npos) {
    throw VersionError(fmt::format(
        "'{}': expected a project and a version, e.g. dspy==2.6.0 or 'dspy>=2.5.38,<2.6'", text));
  }
  ReleaseSpec spec;
  spec.project = NormalisePackageName(std::string(trimmed.substr(0, name_end)));
  spec.versions = ParseSpecifierSet(trimmed.substr(name_end));
  spec.text = std::string(trimmed);
  if (spec.versions.specifiers.empty()) {
    throw VersionError(fmt::format("'{}': no version specifier", text));
  }
  return spec;
}

std::string ChoosePythonVersion(std::string_view requires_python) {
  VersionSpecifierSet allowed;
  try {
    allowed = ParseSpecifierSet(requires_python);
  } catch (const VersionError& e) {
    throw VersionError(fmt::format("Requires-Python {}", e.what()));
  }
  // 3.11 first (the shipped targets' Python), then its neighbours.
  for (std::string_view minor : {"3.11", "3.12", "3.10", "3.13", "3.9", "3.14", "3.8"}) {
    if (allowed.Contains(ParseVersion(minor))) return std::string(minor);
  }
  throw VersionError(
      fmt::format("Requires-Python '{}' allows none of Python 3.8 to 3.14", requires_python));
}

}  // namespace dspy_compat
