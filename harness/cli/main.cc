// dspy-compat: which of your DSPy async patterns break on upgrade, and why.
#include <exception>
#include <iostream>

#include "cli/app.h"
#include "cli/exit_codes.h"

int main(int argc, char** argv) {
  // Every command handles the errors it expects; this is the last line, so
  // that an unforeseen one is still a sentence and exit 3, never an abort.
  try {
    dspy_compat::CommandLine command_line;
    return command_line.Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "dspy-compat: internal error: " << e.what()
              << "\n(a bug in dspy-compat: please report it with the command line)\n";
  } catch (...) {
    std::cerr << "dspy-compat: internal error (unknown exception)\n";
  }
  return dspy_compat::kExitInfrastructure;
}
