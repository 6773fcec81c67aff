# Strict warnings for our own targets only; system headers (Boost, fmt) are
# included as SYSTEM by their imported targets and stay quiet. No
# -Wnull-dereference: at -O2 it fires inside Asio's inlined scheduler code.
add_library(dspy_compat_warnings INTERFACE)
target_compile_options(dspy_compat_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(DSPY_COMPAT_WERROR)
  target_compile_options(dspy_compat_warnings INTERFACE -Werror)
endif()
