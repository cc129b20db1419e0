# The Debian package (CPack DEB): `cpack -G DEB` in a build tree writes
# rewind_<version>_<arch>.deb holding everything `cmake --install` installs, under /usr.
# find_package(Rewind) finds it there (or under any root it is unpacked into with
# dpkg -x, as tests/package does): the package is relocatable ($ORIGIN RPATHs, a
# relative CMake package).
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "rewind")
set(CPACK_PACKAGE_VENDOR "Rewind")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "durable functions for C++ (AWS Lambda durable-execution model), with a local test runner, replay verifier and linter")
set(CPACK_PACKAGE_CONTACT "Rewind maintainers <rewind@example.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_PACKAGE_FILE_NAME "rewind_${PROJECT_VERSION}_${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
# Shared-library dependencies of the binaries come from dpkg-shlibdeps; the -dev
# packages are what find_package(Rewind) and the installed headers need.
find_program(REWIND_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(REWIND_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  # The package's own libraries are found next to the binaries, not in the system.
  set(_rewind_lib_dirs)
  foreach(_t IN LISTS _rewind_exported_libs)
    get_target_property(_dir ${_t} BINARY_DIR)
    list(APPEND _rewind_lib_dirs ${_dir})
  endforeach()
  list(REMOVE_DUPLICATES _rewind_lib_dirs)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${_rewind_lib_dirs}")
endif()
set(_rewind_deb_depends "cmake (>= 3.25), nlohmann-json3-dev (>= 3.11), libfmt-dev, libssl-dev")
if(TARGET rewind_gtest)
  string(APPEND _rewind_deb_depends ", libgtest-dev, libgmock-dev")
endif()
if(TARGET rewind_checker_rc)
  string(APPEND _rewind_deb_depends ", librapidcheck-dev")
endif()
if(TARGET rewind_lambda)
  string(APPEND _rewind_deb_depends ", libcurl4-openssl-dev")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_rewind_deb_depends}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/rewind")
include(CPack)
