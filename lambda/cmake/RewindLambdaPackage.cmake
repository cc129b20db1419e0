# Build-time half of rewind_add_lambda(): checks the handlers, stages bootstrap (+ lib/)
# and writes the zip. Arguments: BOOTSTRAP, ZIP, STAGE, BUNDLE (ON/OFF), HANDLERS (list).
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND "${BOOTSTRAP}" --list-handlers OUTPUT_VARIABLE _listed RESULT_VARIABLE _rc
                ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "[rewind.lambda.package] ${BOOTSTRAP} --list-handlers failed (${_rc}): ${_err}")
endif()
string(REPLACE "\n" ";" _listed "${_listed}")
foreach(_h IN LISTS HANDLERS)
  if(NOT _h IN_LIST _listed)
    message(FATAL_ERROR "[rewind.lambda.package] handler '${_h}' is not registered in ${BOOTSTRAP} "
                        "(it has: ${_listed}); add its REWIND_HANDLER source to SOURCES")
  endif()
endforeach()

file(REMOVE_RECURSE "${STAGE}")
file(MAKE_DIRECTORY "${STAGE}")
file(COPY "${BOOTSTRAP}" DESTINATION "${STAGE}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(_entries bootstrap)
if(BUNDLE)
  # Every shared library the loader resolves for bootstrap, except glibc's own (the
  # provided.al2023 image has its glibc; bundling it would break the loader).
  file(GET_RUNTIME_DEPENDENCIES EXECUTABLES "${BOOTSTRAP}" RESOLVED_DEPENDENCIES_VAR _deps
       UNRESOLVED_DEPENDENCIES_VAR _missing
       PRE_EXCLUDE_REGEXES "^ld-linux" "^libc\\.so" "^libm\\.so" "^libdl\\.so" "^libpthread\\.so" "^librt\\.so"
                           "^libresolv\\.so" "^libutil\\.so" "^libanl\\.so" "^libnsl\\.so" "^linux-vdso")
  if(_missing)
    message(FATAL_ERROR "[rewind.lambda.package] cannot resolve shared libraries of ${BOOTSTRAP}: ${_missing}")
  endif()
  if(_deps)
    file(MAKE_DIRECTORY "${STAGE}/lib")
    foreach(_d IN LISTS _deps)
      get_filename_component(_real "${_d}" REALPATH)
      get_filename_component(_soname "${_d}" NAME)
      file(COPY_FILE "${_real}" "${STAGE}/lib/${_soname}")
    endforeach()
    list(APPEND _entries lib)
  endif()
endif()
# provided.al2023 has glibc 2.34: say so when something in the package needs more.
find_program(_objdump objdump)
if(_objdump)
  set(_needed 0)
  set(_needy "")
  file(GLOB _libs "${STAGE}/lib/*")
  foreach(_f "${STAGE}/bootstrap" ${_libs})
    execute_process(COMMAND "${_objdump}" -T "${_f}" OUTPUT_VARIABLE _syms ERROR_QUIET)
    string(REGEX MATCHALL "GLIBC_2\\.[0-9]+" _vers "${_syms}")
    foreach(_v IN LISTS _vers)
      string(REGEX REPLACE "GLIBC_2\\." "" _minor "${_v}")
      if(_minor GREATER 34 AND _minor GREATER _needed)
        set(_needed ${_minor})
      endif()
      if(_minor GREATER 34)
        get_filename_component(_n "${_f}" NAME)
        list(APPEND _needy ${_n})
      endif()
    endforeach()
  endforeach()
  if(_needed GREATER 34)
    list(REMOVE_DUPLICATES _needy)
    message(WARNING "[rewind.lambda.glibc] ${ZIP}: ${_needy} need glibc 2.${_needed}, provided.al2023 has 2.34; "
                    "build the package on glibc <= 2.34 (e.g. an amazonlinux:2023 container) to deploy it")
  endif()
endif()

file(REMOVE "${ZIP}")
execute_process(COMMAND ${CMAKE_COMMAND} -E tar cf "${ZIP}" --format=zip ${_entries}
                WORKING_DIRECTORY "${STAGE}" RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "[rewind.lambda.package] writing ${ZIP} failed")
endif()
