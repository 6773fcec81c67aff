// dspy-compat mock-server's flags (the command: mock_server_command.cc).
#include "cli/flags.h"

namespace dspy_compat {

CLI::App* AddMockServerFlags(CLI::App& app, MockServerOptions& mock) {
  auto* cmd = app.add_subcommand("mock-server",
                                 "Run the OpenAI-compatible mock LM server in the foreground");
  cmd->add_option("--port", mock.port, "Port (0: any free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--bind", mock.bind, "Address to bind")->capture_default_str();
  cmd->add_option("--delay-ms", mock.delay, "Latency per response, MS or MIN-MAX")
      ->capture_default_str();
  cmd->add_option("--seed", mock.seed, "Seed for delays and answers")->capture_default_str();
  cmd->add_flag("--echo-model", mock.echo_model, "Put the model's name into every answer");
  cmd->add_option("--threads", mock.threads, "IO threads")->check(CLI::Range(1, 64));
  cmd->add_option("--fixtures", mock.fixtures,
                  "Fixture rules to load at start (JSON; see harness/mock_server/FIXTURES.md); "
                  "repeatable, tried in order")
      ->check(CLI::ExistingFile);
  cmd->add_option("--max-body-kb", mock.max_body_kb, "Largest request body accepted")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  return cmd;
}

}  // namespace dspy_compat
