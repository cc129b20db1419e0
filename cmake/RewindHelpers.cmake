# CMake helpers for projects that use Rewind, in the build tree (add_subdirectory) and in
# the installed package (find_package(Rewind) includes this file):
#
#   rewind_add_crash_check(<handler-lib> HANDLER <name> [EVENT <json>|@<file>] [NAME <test>]
#                          [SCHEDULES <n>] [SEED <n>] [MODE in-process|fork] [ARGS <arg>...])
#       a ctest that runs `rewind-check <lib> --handler <name> --exhaustive` (plus
#       RapidCheck schedules with SCHEDULES) and fails on any finding.
#   rewind_add_lint_test(<target> [NAME <test>] [CHECKS <globs>] [ARGS <arg>...])
#       a ctest that runs rewind-lint over the target's C/C++ sources with the target's
#       own compile flags (its compile_commands.json entries); findings fail the test.
#       Where rewind-lint was not built or installed, the test is registered but
#       reported as skipped (ctest exit code 77 convention) so the gap stays visible.
#   rewind_precompile_headers(<target> [TESTS] [CHECKER])
#       compiles the headers Rewind's users include in every file (rewind/precompiled.hpp:
#       nlohmann/json, rewind/handler.hpp, rewind/retry.hpp and the standard headers they
#       use; with TESTS also GoogleTest, gMock, the DurableTest fixture and matchers; with
#       CHECKER also the checker's gtest macros) once for <target>, and lets every C++ file
#       of it start from that (CMake's target_precompile_headers). Optional: it changes
#       nothing but compile time (bench/compile_cost.sh measures it). <target> must link
#       what the headers need: rewind::sdk or rewind::runner; rewind::gtest with TESTS;
#       rewind::checker_gtest with CHECKER.
#
# The tools are the targets rewind::rewind-check and rewind::rewind-lint, defined by
# the package or, in a build tree, as aliases of rewind-check and rewind-lint.
include_guard(GLOBAL)

# In Rewind's own build (or as a subproject): rewind::rewind-run & co. as in the package.
function(rewind_define_tool_aliases)
  foreach(tool rewind-run rewind-check rewind-lint rewind-conformance)
    if(TARGET ${tool} AND NOT TARGET rewind::${tool})
      add_executable(rewind::${tool} ALIAS ${tool})
    endif()
  endforeach()
endfunction()

# In a build tree (add_subdirectory with EXCLUDE_FROM_ALL) a tool is only built when
# something depends on it: make `target` depend on the tool behind `alias`.
function(_rewind_build_tool_with alias target)
  get_target_property(imported ${alias} IMPORTED)
  if(NOT imported)
    get_target_property(real ${alias} ALIASED_TARGET)
    add_dependencies(${target} ${real})
  endif()
endfunction()

function(rewind_add_crash_check lib)
  cmake_parse_arguments(ARG "" "HANDLER;EVENT;NAME;SCHEDULES;SEED;MODE" "ARGS" ${ARGN})
  if(NOT ARG_HANDLER)
    message(FATAL_ERROR "rewind_add_crash_check(${lib}): HANDLER <name> is required")
  endif()
  if(NOT TARGET ${lib})
    message(FATAL_ERROR "rewind_add_crash_check: '${lib}' is not a target (a shared library of REWIND_HANDLERs)")
  endif()
  if(NOT TARGET rewind::rewind-check)
    message(FATAL_ERROR "rewind_add_crash_check(${lib}): rewind-check is not available "
                        "(Rewind was built without RapidCheck or with REWIND_BUILD_TOOLS=OFF)")
  endif()
  if(NOT ARG_NAME)
    set(ARG_NAME "${lib}_${ARG_HANDLER}_crash_check")
  endif()
  _rewind_build_tool_with(rewind::rewind-check ${lib})
  set(cmd $<TARGET_FILE:rewind::rewind-check> $<TARGET_FILE:${lib}> --handler ${ARG_HANDLER} --exhaustive --no-progress)
  if(DEFINED ARG_EVENT)
    list(APPEND cmd --event ${ARG_EVENT})
  endif()
  if(ARG_SCHEDULES)
    list(APPEND cmd --schedules ${ARG_SCHEDULES})
  endif()
  if(ARG_SEED)
    list(APPEND cmd --seed ${ARG_SEED})
  endif()
  if(ARG_MODE)
    list(APPEND cmd --mode ${ARG_MODE})
  endif()
  add_test(NAME ${ARG_NAME} COMMAND ${cmd} ${ARG_ARGS})
  # The exit status says it (0: no findings, 1: findings, 2: bad arguments); the
  # expression guards against a tool that exits 0 without checking anything.
  set_tests_properties(${ARG_NAME} PROPERTIES PASS_REGULAR_EXPRESSION "OK: no findings" LABELS "rewind;crash-check")
endfunction()

function(rewind_add_lint_test target)
  cmake_parse_arguments(ARG "" "NAME;CHECKS" "ARGS" ${ARGN})
  if(NOT TARGET ${target})
    message(FATAL_ERROR "rewind_add_lint_test: '${target}' is not a target")
  endif()
  if(NOT ARG_NAME)
    set(ARG_NAME "${target}_lint")
  endif()
  if(NOT TARGET rewind::rewind-lint)
    message(STATUS "rewind_add_lint_test(${target}): rewind-lint is not available "
                   "(Rewind built with REWIND_BUILD_LINT=OFF); ${ARG_NAME} will be reported as skipped")
    add_test(NAME ${ARG_NAME} COMMAND ${CMAKE_COMMAND} -E echo
             "rewind-lint was not built (REWIND_BUILD_LINT=OFF): ${target} not linted")
    # ctest shows it as skipped, not passed.
    set_tests_properties(${ARG_NAME} PROPERTIES SKIP_REGULAR_EXPRESSION "rewind-lint was not built"
                                                LABELS "rewind;lint")
    return()
  endif()
  # The target's sources, absolute; generated and header files are left out.
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(files)
  foreach(src IN LISTS sources)
    if(src MATCHES "\\$<" OR NOT src MATCHES "\\.(c|cc|cpp|cxx|c\\+\\+)$")
      continue()
    endif()
    cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY ${source_dir} NORMALIZE OUTPUT_VARIABLE abs)
    list(APPEND files ${abs})
  endforeach()
  if(NOT files)
    message(FATAL_ERROR "rewind_add_lint_test(${target}): the target has no C/C++ sources to lint")
  endif()
  _rewind_build_tool_with(rewind::rewind-lint ${target})
  # The target's own flags: its entries in compile_commands.json.
  set_target_properties(${target} PROPERTIES EXPORT_COMPILE_COMMANDS ON)
  set(cmd $<TARGET_FILE:rewind::rewind-lint> -p ${CMAKE_BINARY_DIR} --warnings-as-errors=*)
  if(ARG_CHECKS)
    list(APPEND cmd --checks=${ARG_CHECKS})
  endif()
  add_test(NAME ${ARG_NAME} COMMAND ${cmd} ${ARG_ARGS} ${files})
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "rewind;lint")
endfunction()

function(rewind_precompile_headers target)
  cmake_parse_arguments(ARG "TESTS;CHECKER" "" "" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "rewind_precompile_headers(${target}): unknown arguments ${ARG_UNPARSED_ARGUMENTS} "
                        "(give TESTS and/or CHECKER)")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "rewind_precompile_headers(${target}): no such target")
  endif()
  if(ARG_CHECKER)
    target_precompile_headers(${target} PRIVATE <rewind/checker/precompiled.hpp>)
  elseif(ARG_TESTS)
    target_precompile_headers(${target} PRIVATE <rewind/testing/precompiled.hpp>)
  else()
    target_precompile_headers(${target} PRIVATE <rewind/precompiled.hpp>)
  endif()
endfunction()
