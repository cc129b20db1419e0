# Install rules: headers, libraries, tools and the Rewind CMake package, so that
# consumers can `find_package(Rewind)` and link rewind::runner and friends.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_rewind_exported)
# rewind_gtest is not exported yet: it links the in-tree conformance matcher library.
foreach(_lib rewind_sdk rewind_runner rewind_plugins rewind_checker rewind_checker_rc rewind_checker_gtest)
  if(TARGET ${_lib})
    list(APPEND _rewind_exported ${_lib})
  endif()
endforeach()
foreach(_inc sdk/include runner/include runner/plugins/include checker/include fixtures/include)
  if(EXISTS "${PROJECT_SOURCE_DIR}/${_inc}")
    install(DIRECTORY ${_inc}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
endforeach()
install(TARGETS ${_rewind_exported} EXPORT RewindTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT RewindTargets NAMESPACE rewind:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Rewind)

set(REWIND_EXPORTS_GTEST OFF)
set(REWIND_EXPORTS_RAPIDCHECK OFF)
if(TARGET rewind_checker_gtest)
  set(REWIND_EXPORTS_GTEST ON)
endif()
if(TARGET rewind_checker_rc)
  set(REWIND_EXPORTS_RAPIDCHECK ON)
endif()
configure_package_config_file(cmake/RewindConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/RewindConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Rewind)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/RewindConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/RewindConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/RewindConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Rewind)
foreach(_tool rewind-run rewind-conformance rewind-check rewind-lint)
  if(TARGET ${_tool})
    install(TARGETS ${_tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
