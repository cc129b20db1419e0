# Install rules: headers, libraries, tools and the Rewind CMake package, so that
# consumers can `find_package(Rewind)` and link rewind::runner, rewind::gtest and friends.
#
# What is installed is found, not listed: every library target named rewind_* that sets
# EXPORT_NAME (the user-facing ones, which also have a rewind:: alias) is exported with
# its public include directories, and the tools that were built are exported as
# rewind::rewind-run, rewind::rewind-check, ... Installed binaries find the installed
# libraries through an $ORIGIN-relative RPATH, so a prefix can be moved or unpacked
# anywhere (cmake --install --prefix, the Debian package, dpkg -x).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# All build-system targets defined under `dir`, recursively.
function(_rewind_collect_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _rewind_collect_targets(${sub} sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

_rewind_collect_targets(${PROJECT_SOURCE_DIR} _rewind_all_targets)
set(_rewind_exported_libs)
foreach(_t IN LISTS _rewind_all_targets)
  get_target_property(_type ${_t} TYPE)
  get_target_property(_export_name ${_t} EXPORT_NAME)
  if(_t MATCHES "^rewind_" AND _export_name AND _type MATCHES "^(SHARED|STATIC|INTERFACE)_LIBRARY$")
    list(APPEND _rewind_exported_libs ${_t})
  endif()
endforeach()
set(_rewind_exported_tools)
if(REWIND_BUILD_TOOLS OR REWIND_BUILD_LINT)
  # rewind-server runs handler libraries through rewind-lambda-host, found next to it;
  # rewind is the execution client (rewind-server or AWS).
  foreach(_tool rewind-run rewind-check rewind-conformance rewind-lint rewind-server rewind rewind-lambda-host)
    if(TARGET ${_tool})
      list(APPEND _rewind_exported_tools ${_tool})
    endif()
  endforeach()
endif()
# Without the tools, their targets may still exist EXCLUDE_FROM_ALL: never install them.
if(NOT REWIND_BUILD_TOOLS)
  list(REMOVE_ITEM _rewind_exported_tools rewind-run rewind-check rewind-conformance rewind-server rewind
       rewind-lambda-host)
endif()
if(NOT REWIND_BUILD_LINT)
  list(REMOVE_ITEM _rewind_exported_tools rewind-lint)
endif()

# RPATH: tools look in ../lib relative to themselves, libraries next to themselves.
file(RELATIVE_PATH _rewind_bin_to_lib "${CMAKE_INSTALL_FULL_BINDIR}" "${CMAKE_INSTALL_FULL_LIBDIR}")
foreach(_t IN LISTS _rewind_exported_tools)
  set_property(TARGET ${_t} APPEND PROPERTY INSTALL_RPATH "$ORIGIN/${_rewind_bin_to_lib}")
  set_target_properties(${_t} PROPERTIES EXPORT_NAME ${_t})
endforeach()
foreach(_t IN LISTS _rewind_exported_libs)
  get_target_property(_type ${_t} TYPE)
  if(_type STREQUAL "SHARED_LIBRARY")
    set_property(TARGET ${_t} APPEND PROPERTY INSTALL_RPATH "$ORIGIN")
  endif()
endforeach()

# Public headers: the build-tree include directories of the exported libraries.
set(_rewind_include_dirs)
foreach(_t IN LISTS _rewind_exported_libs)
  get_target_property(_incs ${_t} INTERFACE_INCLUDE_DIRECTORIES)
  if(_incs)
    string(REGEX MATCHALL "\\$<BUILD_INTERFACE:[^>]+>" _build_incs "${_incs}")
    foreach(_inc IN LISTS _build_incs)
      string(REGEX REPLACE "^\\$<BUILD_INTERFACE:(.+)>$" "\\1" _inc "${_inc}")
      list(APPEND _rewind_include_dirs ${_inc})
    endforeach()
  endif()
endforeach()
list(REMOVE_DUPLICATES _rewind_include_dirs)
foreach(_inc IN LISTS _rewind_include_dirs)
  install(DIRECTORY ${_inc}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h" PATTERN "*.inl")
endforeach()

install(TARGETS ${_rewind_exported_libs} ${_rewind_exported_tools} EXPORT RewindTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT RewindTargets NAMESPACE rewind:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Rewind)

# The packages a consumer must find for the exported targets: what their interfaces
# (and, for static libraries, their private link lines) name.
set(_rewind_link_text "")
foreach(_t IN LISTS _rewind_exported_libs)
  get_target_property(_type ${_t} TYPE)
  get_target_property(_iface ${_t} INTERFACE_LINK_LIBRARIES)
  if(_iface)
    string(APPEND _rewind_link_text ";${_iface}")
  endif()
  if(_type STREQUAL "STATIC_LIBRARY")
    get_target_property(_private ${_t} LINK_LIBRARIES)
    if(_private)
      string(APPEND _rewind_link_text ";${_private}")
    endif()
  endif()
endforeach()
set(REWIND_FIND_DEPENDENCIES "")
# pattern in a link line | find_dependency() arguments
foreach(_dep
    "nlohmann_json::|nlohmann_json 3.11 CONFIG"
    "fmt::|fmt CONFIG"
    "OpenSSL::|OpenSSL COMPONENTS Crypto SSL"
    "Threads::|Threads"
    "GTest::|GTest CONFIG"
    "rapidcheck|rapidcheck CONFIG"
    "CURL::|CURL"
    "SQLite::|SQLite3"
    "httplib::|httplib CONFIG"
    "yaml-cpp|yaml-cpp CONFIG"
    "CLI11::|CLI11 CONFIG")
  string(REPLACE "|" ";" _dep "${_dep}")
  list(GET _dep 0 _pattern)
  list(GET _dep 1 _args)
  string(FIND "${_rewind_link_text}" "${_pattern}" _at)
  if(_at GREATER -1)
    string(APPEND REWIND_FIND_DEPENDENCIES "find_dependency(${_args})\n")
  endif()
endforeach()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/RewindConfig.cmake.in
  ${PROJECT_BINARY_DIR}/RewindConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Rewind)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/RewindConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/RewindConfig.cmake
  ${PROJECT_BINARY_DIR}/RewindConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/RewindHelpers.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Rewind)
# rewind_add_lambda() for find_package users (RewindConfig includes it when the Lambda
# bootstrap's libraries were installed).
if(TARGET rewind_lambda_bootstrap)
  install(FILES ${PROJECT_SOURCE_DIR}/lambda/cmake/RewindLambda.cmake
    ${PROJECT_SOURCE_DIR}/lambda/cmake/RewindLambdaPackage.cmake
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Rewind)
endif()
message(STATUS "Rewind package: ${_rewind_exported_libs} ${_rewind_exported_tools}")
