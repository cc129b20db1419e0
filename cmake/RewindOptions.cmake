# Warning and sanitizer settings, applied per target through rewind_set_options().
function(rewind_set_options target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(REWIND_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()

if(REWIND_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

find_program(REWIND_CCACHE ccache)
if(REWIND_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${REWIND_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${REWIND_CCACHE})
endif()

# rewind_add_test(NAME SOURCES... LIBS ...): one gtest binary registered with ctest.
function(rewind_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  rewind_set_options(${name})
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "REWIND_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
