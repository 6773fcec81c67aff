# ASan + UBSan for the whole tree when DSPY_COMPAT_SANITIZE is on; the test
# command builds this variant in build-asan/ and runs the unit tests there too.
if(DSPY_COMPAT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
