// What keeps a run inside the harness: which of the parent's variables reach a
// scenario (passed with --pass-env) or reach it only as a dummy (keys and
// tokens, --scrub), and a loopback port that refuses every connection, given
// to runs as their HTTP(S) proxy so that code outside the Python runner's
// audit hook (subprocesses, C libraries honouring proxy variables) cannot
// reach past loopback either. The runner itself refuses and records any
// connection but loopback (target_runner/dspy_compat_runner.py).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dspy_compat {

inline constexpr const char* kDummyApiKey = "dspy-compat-dummy-key";

// Scrubbed whatever the user says: provider keys and tokens.
inline constexpr const char* kDefaultScrubPatterns[] = {
    "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_*", "AWS_*",    "GOOGLE_*",
    "HF_TOKEN",       "*_API_KEY",         "*_TOKEN", "*_SECRET*"};

struct ContainmentPolicy {
  std::vector<std::string> scrub{};  // --scrub NAME (globs), on top of kDefaultScrubPatterns
  std::vector<std::string> pass{};   // --pass-env NAME (globs): passed through unchanged
  // "http://127.0.0.1:PORT" of a port that refuses connections; "" sets no
  // proxy variables (unit tests).
  std::string refusing_proxy{};
};

// Names only, never values: what a session's results record.
struct EnvironmentDecision {
  std::vector<std::string> passed;    // in the parent and matched by --pass-env; sorted
  std::vector<std::string> scrubbed;  // in the parent, matched by a scrub pattern; sorted
};

// Shell-style glob (*, ?, [..]) on a whole variable name.
bool NameMatches(std::string_view pattern, std::string_view name);

// --pass-env wins over scrubbing: the user asked for that variable by name.
EnvironmentDecision DecideEnvironment(const std::map<std::string, std::string>& parent,
                                      const ContainmentPolicy& policy);

// A loopback TCP port bound but never listening: a connection to it is
// refused at once (RST), and while this object lives no one else can take the
// port. Move-only; closes the socket when destroyed.
class RefusingPort {
 public:
  RefusingPort();  // throws std::system_error if no port can be bound
  ~RefusingPort();
  RefusingPort(RefusingPort&& other) noexcept;
  RefusingPort& operator=(RefusingPort&&) = delete;
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  int port() const { return port_; }
  std::string ProxyUrl() const;  // "http://127.0.0.1:PORT"

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace dspy_compat
