# DSPY_COMPAT_SANITIZE picks a sanitizer build of the whole tree:
#   ON (or "address")  ASan + UBSan: the test command builds it in build-asan/
#   thread             ThreadSanitizer: the test command builds the threaded
#                      parts' test binaries in build-tsan/ (the scheduler and
#                      session, the Asio server, the fork-server threads)
# and runs those unit tests there too.
if(DSPY_COMPAT_SANITIZE STREQUAL "thread")
  # -Wno-tsan: g++ warns that TSan does not model atomic_thread_fence, which
  # Boost.Asio's handler invocation uses (std_fenced_block); with -Werror
  # that warning would stop the build of the mock server.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
elseif(DSPY_COMPAT_SANITIZE STREQUAL "address" OR DSPY_COMPAT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
