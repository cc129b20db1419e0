# Install rules: headers, libraries, tools and the Rewind CMake package (find_package(Rewind)).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
install(DIRECTORY runner/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS rewind_runner EXPORT RewindTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT RewindTargets NAMESPACE rewind:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Rewind)
configure_package_config_file(cmake/RewindConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/RewindConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Rewind)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/RewindConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/RewindConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/RewindConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Rewind)
if(TARGET rewind-run)
  install(TARGETS rewind-run rewind-conformance RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
