#include "reports/knowledge_base.h"

#include <regex>
#include <string>

#include "core/model.h"

namespace dspy_compat {
namespace {

constexpr Reference kPr1860{"stanfordnlp/dspy#1860",
                            "https://github.com/stanfordnlp/dspy/pull/1860"};
constexpr Reference kIssue1867{"stanfordnlp/dspy#1867",
                               "https://github.com/stanfordnlp/dspy/issues/1867"};
constexpr Reference kPr1947{"stanfordnlp/dspy#1947",
                            "https://github.com/stanfordnlp/dspy/pull/1947"};
constexpr Reference kPr8080{"stanfordnlp/dspy#8080",
                            "https://github.com/stanfordnlp/dspy/pull/8080"};

constexpr std::string_view kAsyncifyOnce =
    "Keep the program synchronous and set its LM inside it (or once, globally, with "
    "`dspy.configure`); wrap the whole program once with `dspy.asyncify` at the outermost level, "
    "in the main thread, and await that, as the DSPy maintainers advised in #1867. Or stay on "
    "2.5.39: DSPy 2.6.0 (#1947) copies the caller's overrides into asyncify's worker threads.";

std::vector<KnownChange> Build() {
  return {
      {"context-threading-local",
       R"(^AssertionError: No LM is loaded\.)",
       "2.5.40",
       "2.6.0",
       "`dspy.context` overrides no longer reach `dspy.asyncify` worker threads",
       "DSPy 2.5.40 (#1860) moved `dspy.context` overrides in `dsp/utils/settings.py` from a "
       "`contextvars.ContextVar` to a `threading.local`.",
       "the move of `dspy.context` overrides to a `threading.local` in DSPy 2.5.40 (#1860)",
       "`dspy.asyncify` runs the program in an anyio worker thread. anyio copies the caller's "
       "ContextVars into the worker, so on 2.5.39 an LM set with `dspy.context` reached it; a "
       "`threading.local` is not copied, so on 2.5.40 the worker sees only the global settings. "
       "The global holds the LM only while the `dspy.context` blocks that set it in the main "
       "thread are open: one call can pass, but concurrent calls race (one call's exit restores a "
       "global without the LM while another's worker still reads it), calls queued behind the 8 "
       "asyncify workers start after earlier ones left, and `dspy.context` in an event loop "
       "outside the main thread never reaches the global. `Predict.forward` then asserts "
       "`No LM is loaded.`",
       kAsyncifyOnce,
       true,
       {kPr1860, kIssue1867, kPr1947}},
      {"context-override-ignored",
       R"(dspy\.context\(.*\).*ignored|globally configured)",
       "2.5.40",
       "2.6.0",
       "A `dspy.context` override is silently ignored in `dspy.asyncify` worker threads",
       "DSPy 2.5.40 (#1860) moved `dspy.context` overrides from a `contextvars.ContextVar` to a "
       "`threading.local`.",
       "the move of `dspy.context` overrides to a `threading.local` in DSPy 2.5.40 (#1860)",
       "The worker thread `dspy.asyncify` runs the program in does not see a `threading.local` "
       "override set in the caller, so DSPy falls back to what `dspy.configure` set globally. "
       "Nothing raises: the program talks to the wrong model (or uses the wrong adapter), and only "
       "the LM traffic shows it.",
       kAsyncifyOnce,
       true,
       {kPr1860, kIssue1867, kPr1947}},
      {"asyncify-main-thread",
       R"(asyncify can only be called from the main thread)",
       "",
       "",
       "`dspy.asyncify` must be called from the main thread",
       "None between 2.5.39 and 2.5.40: `dspy/utils/asyncify.py` is the same file in both and "
       "asserts that it runs in the main thread, so this is not an upgrade regression.",
       "asyncify's main-thread assertion (in both releases)",
       "The program calls `dspy.asyncify` outside the main thread: inside a program that already "
       "runs in an asyncify worker, or from an event loop in a background thread.",
       "Call `dspy.asyncify` once, in the main thread (at import or start-up), on the outermost "
       "program, and await the result from any coroutine; inside a synchronous program, call "
       "sub-modules directly.",
       false,
       {kIssue1867}},
      {"native-async-missing",
       R"(has no attribute '(acall|aforward)')",
       "",
       "3.0.0",
       "Native async (`acall`, `aforward`) does not exist before DSPy 3.0",
       "Native async modules arrived in DSPy 3.0 (#8080).",
       "the absence of native async before DSPy 3.0 (#8080)",
       "The program awaits `acall`/`aforward`, which the DSPy release under test does not have.",
       "On 2.5.x, wrap the program once with `dspy.asyncify` at the outermost level; or upgrade "
       "to DSPy 3.",
       false,
       {kPr8080}},
      {"configure-other-thread",
       R"(dspy\.settings can only be changed by the thread that initially configured it)",
       "2.6.0",
       "",
       "Only the thread that first configured DSPy may call `dspy.configure` again",
       "DSPy 2.6.0 (#1947, \"Refined semantics for Settings thread-safety\") rejects "
       "`dspy.configure` from any other thread.",
       "the single-configuring-thread rule of DSPy 2.6.0 (#1947)",
       "The program calls `dspy.configure` from a worker thread or a second thread.",
       "Call `dspy.configure` once, from the main thread; use `dspy.context` for per-request "
       "settings (from 2.6.0 it works in any thread and reaches the threads DSPy starts).",
       true,
       {kPr1947}},
  };
}

bool InRange(const KnownChange& change, std::string_view version) {
  if (change.since.empty() && change.until.empty()) return true;
  if (version.empty()) return false;
  if (!change.since.empty() && CompareVersions(version, change.since) < 0) return false;
  if (!change.until.empty() && CompareVersions(version, change.until) >= 0) return false;
  return true;
}

}  // namespace

const std::vector<KnownChange>& KnownChanges() {
  static const std::vector<KnownChange> changes = Build();
  return changes;
}

const KnownChange* Diagnose(std::string_view signature, std::string_view dspy_version) {
  // Patterns are constants; compile each once.
  static const std::vector<std::regex> patterns = [] {
    std::vector<std::regex> compiled;
    for (const KnownChange& change : KnownChanges()) {
      compiled.emplace_back(std::string(change.signature_pattern));
    }
    return compiled;
  }();
  const std::string text(signature);
  for (std::size_t i = 0; i < KnownChanges().size(); ++i) {
    const KnownChange& change = KnownChanges()[i];
    if (InRange(change, dspy_version) && std::regex_search(text, patterns[i])) return &change;
  }
  return nullptr;
}

}  // namespace dspy_compat
