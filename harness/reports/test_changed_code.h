// The changed DSPy code of the pair (broken, dspy-2.5.39 -> dspy-2.5.40), as
// every report format's tests show it: a hunk on the traceback with text to
// escape, and one that both sides ran.
#pragma once

#include "core/model.h"

namespace dspy_compat {

inline ChangedCode SettingsChange() {
  ChangedCode c;
  c.scenario_id = "broken";
  c.baseline_target = "dspy-2.5.39";
  c.target_name = "dspy-2.5.40";
  c.files_compared = 120;
  c.files_changed = 7;
  c.hunks_changed = 31;
  c.hunks = {{"dspy/predict/predict.py", 5, 0, 5, 1, {}, {5}, {"+z <&>"}, true},
             {"dsp/utils/settings.py",
              40,
              1,
              40,
              1,
              {40},
              {40},
              {"-        return self.config.get(name)", "+        return self._local.get(name)"},
              false}};
  return c;
}

}  // namespace dspy_compat
