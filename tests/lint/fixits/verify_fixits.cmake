# Applies every rewind-lint fix-it in fixits_real.cpp and compiles the result
# against the real Rewind headers, twice: through --export-fixes and
# clang-apply-replacements-16, and through clang-tidy-16 --fix with the
# rewind plugin. Each fixed file must compile (clang++-16 -fsyntax-only) and
# lint clean (exit 0 with --warnings-as-errors=*), and the original must not.
#   cmake -DLINT=... -DCLANG_TIDY=... -DPLUGIN=... -DAPPLY=... -DCXX=...
#         -DREPO=... -DWORK=... -P verify_fixits.cmake
set(fixture "${REPO}/tests/lint/fixits/fixits_real.cpp")
# The public headers, wherever the layout keeps them (<dir>/rewind/*.hpp).
file(GLOB_RECURSE headers "${REPO}/*/rewind/durable_context.hpp")
set(include_flags "")
foreach(header IN LISTS headers)
  if(NOT header MATCHES "/build[^/]*/")
    get_filename_component(dir "${header}" DIRECTORY)
    get_filename_component(dir "${dir}" DIRECTORY)
    list(APPEND include_flags "-I${dir}")
  endif()
endforeach()
file(GLOB_RECURSE all_headers "${REPO}/*/include/rewind/*.hpp")
foreach(header IN LISTS all_headers)
  if(NOT header MATCHES "/build[^/]*/")
    string(REGEX REPLACE "/rewind/[^/]+\\.hpp$" "" dir "${header}")
    list(APPEND include_flags "-I${dir}")
  endif()
endforeach()
list(REMOVE_DUPLICATES include_flags)
if(NOT include_flags)
  message(FATAL_ERROR "rewind/durable_context.hpp not found under ${REPO}")
endif()
set(flags -std=c++20 ${include_flags})
set(failures "")

execute_process(COMMAND ${LINT} --quiet --warnings-as-errors=* ${fixture} -- ${flags}
  OUTPUT_VARIABLE original ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 1)
  message(FATAL_ERROR "the unfixed fixture should have findings (exit 1), got ${status}:\n${original}${errors}")
endif()

function(check_fixed dir how)
  execute_process(COMMAND ${CXX} -fsyntax-only ${flags} ${dir}/fixits_real.cpp
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    file(READ ${dir}/fixits_real.cpp text)
    set(failures "${failures}${how}: the fixed file does not compile:\n${err}\n--- fixed file ---\n${text}\n" PARENT_SCOPE)
    return()
  endif()
  execute_process(COMMAND ${LINT} --quiet --warnings-as-errors=* ${dir}/fixits_real.cpp -- ${flags}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    set(failures "${failures}${how}: findings left after the fixes (exit ${status}):\n${out}${err}\n" PARENT_SCOPE)
  endif()
endfunction()

# 1. rewind-lint --export-fixes + clang-apply-replacements-16.
set(dir1 "${WORK}/apply")
file(REMOVE_RECURSE ${dir1})
file(MAKE_DIRECTORY ${dir1})
file(COPY ${fixture} DESTINATION ${dir1})
execute_process(COMMAND ${LINT} --quiet --export-fixes=${dir1}/fixes.yaml ${dir1}/fixits_real.cpp -- ${flags}
  OUTPUT_QUIET ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "rewind-lint --export-fixes failed (${status}):\n${errors}")
endif()
execute_process(COMMAND ${APPLY} ${dir1} ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "clang-apply-replacements failed (${status}):\n${errors}")
endif()
check_fixed(${dir1} "clang-apply-replacements")

# 2. clang-tidy-16 --fix with the plugin.
if(CLANG_TIDY AND PLUGIN)
  set(dir2 "${WORK}/tidy")
  file(REMOVE_RECURSE ${dir2})
  file(MAKE_DIRECTORY ${dir2})
  file(COPY ${fixture} DESTINATION ${dir2})
  execute_process(COMMAND ${CLANG_TIDY} --load=${PLUGIN} --checks=-*,rewind-* --fix --quiet
                          ${dir2}/fixits_real.cpp -- ${flags}
    OUTPUT_VARIABLE out ERROR_VARIABLE errors RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "clang-tidy --fix failed (${status}):\n${out}${errors}")
  endif()
  check_fixed(${dir2} "clang-tidy --fix")
endif()

if(failures)
  message(FATAL_ERROR "fix-its do not compile:\n${failures}")
endif()
message(STATUS "every fix-it applies and compiles against the real headers")
