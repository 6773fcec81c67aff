// dspy-compat: which of your DSPy async patterns break on upgrade, and why.
#include "cli/app.h"

int main(int argc, char** argv) {
  dspy_compat::CommandLine command_line;
  return command_line.Main(argc, argv);
}
