# rewind_add_lambda(<name> SOURCES <src>... [HANDLERS <handler-name>...] [LIBRARIES <lib>...]
#                   [NO_BUNDLE])
#
# Builds a Lambda custom runtime (provided.al2023) for the REWIND_HANDLERs in SOURCES (and
# in the static LIBRARIES): an executable named `bootstrap` in
# ${CMAKE_CURRENT_BINARY_DIR}/<name>/, with the Rewind runtime linked in statically and
# libstdc++/libgcc static, and the deployable ${CMAKE_CURRENT_BINARY_DIR}/<name>.zip
# (target <name>_zip, built by ALL): bootstrap at the archive's root and, unless
# NO_BUNDLE, the shared libraries it needs beyond glibc under lib/ (Lambda puts
# /var/task/lib on LD_LIBRARY_PATH; the bootstrap's RUNPATH says $ORIGIN/lib too).
# HANDLERS names the handlers the function must register: the build fails when one is
# missing (checked with `bootstrap --list-handlers`). At run time _HANDLER (the function's
# Handler setting) chooses among them; with a single handler it may be left empty.
#
#   rewind_add_lambda(hello_lambda SOURCES hello_workflow.cpp HANDLERS hello)
set(_REWIND_LAMBDA_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "")

function(rewind_add_lambda name)
  cmake_parse_arguments(ARG "NO_BUNDLE" "" "SOURCES;HANDLERS;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES AND NOT ARG_LIBRARIES)
    message(FATAL_ERROR "rewind_add_lambda(${name}): give SOURCES (or LIBRARIES) with REWIND_HANDLERs")
  endif()
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES OUTPUT_NAME bootstrap
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/${name}"
    BUILD_RPATH "$ORIGIN/lib" INSTALL_RPATH "$ORIGIN/lib")
  if(NOT TARGET rewind::lambda_bootstrap)
    message(FATAL_ERROR "rewind_add_lambda(${name}): rewind::lambda_bootstrap is not built")
  endif()
  target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES} rewind::lambda_bootstrap_main rewind::lambda_bootstrap)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND NOT REWIND_SANITIZE)
    # provided.al2023 has GCC 11's libstdc++ and glibc 2.34: libstdc++ and libgcc go in
    # statically, and rewind::lambda_static_runtime gives them the two glibc 2.35+
    # functions they call and compiles {fmt} in, so that no libfmt.so/libstdc++.so.6 is
    # needed (--as-needed drops libfmt.so once nothing asks it for a symbol).
    target_link_libraries(${name} PRIVATE rewind::lambda_static_runtime)
    target_link_options(${name} PRIVATE -static-libstdc++ -static-libgcc -Wl,--as-needed
      -Wl,--undefined=rewind_lambda_glibc_compat_v1 -Wl,--undefined=rewind_lambda_fmt_runtime_v1)
  endif()
  if(COMMAND rewind_set_options)
    rewind_set_options(${name})
  endif()

  set(_zip "${CMAKE_CURRENT_BINARY_DIR}/${name}.zip")
  set(_bundle ON)
  if(ARG_NO_BUNDLE)
    set(_bundle OFF)
  endif()
  add_custom_command(OUTPUT "${_zip}"
    COMMAND ${CMAKE_COMMAND} "-DBOOTSTRAP=$<TARGET_FILE:${name}>" "-DZIP=${_zip}"
      "-DSTAGE=${CMAKE_CURRENT_BINARY_DIR}/${name}.stage" "-DBUNDLE=${_bundle}"
      "-DHANDLERS=${ARG_HANDLERS}"
      -P "${_REWIND_LAMBDA_DIR}/RewindLambdaPackage.cmake"
    DEPENDS ${name} "${_REWIND_LAMBDA_DIR}/RewindLambdaPackage.cmake"
    COMMENT "Packaging ${name}.zip (bootstrap for provided.al2023)"
    VERBATIM)
  add_custom_target(${name}_zip ALL DEPENDS "${_zip}")
endfunction()
