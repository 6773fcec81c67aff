// PEP 440 versions and specifiers, for the forms package indexes serve and
// users type: "2.6.0", "2.6.0rc11", "1.53.1.dev1", "2.5.0.post1", "1!2.0",
// ">=2.5.38,<2.6", "~=2.5.0", "==2.6.*". No C++ library for this is packaged
// in Debian; the rules below follow the PEP's ordering and its pre-release
// and post-release exclusions for < and >.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dspy_compat {

class VersionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Version {
  int epoch = 0;
  std::vector<long> release;  // 2.6.0 -> {2, 6, 0}
  // Pre-release: kind 0 = a, 1 = b, 2 = rc; absent for none.
  std::optional<std::pair<int, long>> pre;
  std::optional<long> post;
  std::optional<long> dev;
  std::string local;  // after '+', lower case; compared only as a tie-breaker

  bool IsPreRelease() const { return pre.has_value() || dev.has_value(); }
  // The normalised form: "2.6.0rc11", "1.53.1.dev1", "1!2.0.post1".
  std::string ToString() const;
};

// Throws VersionError for text that is not a PEP 440 version.
Version ParseVersion(std::string_view text);
std::optional<Version> TryParseVersion(std::string_view text);

// PEP 440 ordering: epoch, release (trailing zeros ignored), then dev-only <
// pre-releases < final < post-releases, dev before what it develops.
int Compare(const Version& a, const Version& b);
inline bool operator<(const Version& a, const Version& b) { return Compare(a, b) < 0; }
inline bool operator==(const Version& a, const Version& b) { return Compare(a, b) == 0; }

struct VersionSpecifier {
  std::string op;  // "==", "!=", "<", "<=", ">", ">=", "~=", "==="
  std::string version_text;
  Version version;
  bool wildcard = false;  // "==2.6.*" / "!=2.6.*"
  bool Contains(const Version& v) const;
};

// A comma-separated specifier set, e.g. ">=2.5.38,<2.6". Empty text: any version.
struct VersionSpecifierSet {
  std::vector<VersionSpecifier> specifiers;
  bool Contains(const Version& v) const;
  // An "==V" (no wildcard): names one release, pre-release or not.
  bool IsExact() const;
  // Whether a specifier itself names a pre-release (">=2.6.0rc1"): then
  // pre-releases match without --pre, as PEP 440 says.
  bool MentionsPreRelease() const;
  std::string ToString() const;  // ">=2.5.38,<2.6"
};

VersionSpecifierSet ParseSpecifierSet(std::string_view text);

// "dspy==2.6.0" or "dspy>=2.5.38,<2.6": a project and the versions wanted.
struct ReleaseSpec {
  std::string project;  // normalised name
  VersionSpecifierSet versions;
  std::string text;  // as typed
};

// True when text looks like a requirement with a version specifier rather
// than a target name ("dspy-2.5.40" is a name; "dspy==2.6.0" a spec).
bool IsReleaseSpec(std::string_view text);
ReleaseSpec ParseReleaseSpec(std::string_view text);

// The Python version ("3.11") to resolve and run a release with: 3.11 when
// its Requires-Python allows it, else the nearest minor that does. Throws
// VersionError when none of 3.8 to 3.14 fits.
std::string ChoosePythonVersion(std::string_view requires_python);

}  // namespace dspy_compat
