// The bundled knowledge file, loaded once for the reports' tests.
#pragma once

#include "reports/knowledge_base.h"
#include "test_support/source_tree.h"

namespace dspy_compat {

inline const KnowledgeBase& BundledKnowledge() {
  static const KnowledgeBase knowledge({BundledKnowledgeFile(test_support::SourceRoot())});
  return knowledge;
}

}  // namespace dspy_compat
