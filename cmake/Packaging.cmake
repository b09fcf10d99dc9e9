# The Debian package: cpack -G DEB in the build directory (ci/package.sh).
#
# It ships the four programs (component "runtime"), the default
# configuration as a conffile in /etc/mns-emulator/, the README, and a
# systemd unit that runs the emulator as a dynamic unprivileged user; the
# unit is installed, not enabled (the package has no maintainer scripts).
# The dependencies are computed by dpkg-shlibdeps from the programs' shared
# libraries, not listed by hand.

# The service files live at Debian's absolute paths, so they are a
# component of their own that only the package installs: a plain
# `cmake --install --prefix DIR` must not write to /etc.
install(FILES packaging/config.json DESTINATION /etc/mns-emulator
        COMPONENT service EXCLUDE_FROM_ALL)
install(FILES packaging/mns-emulator.service DESTINATION /lib/systemd/system
        COMPONENT service EXCLUDE_FROM_ALL)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/mns-emulator
        COMPONENT service EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mns-emulator)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "mns-emulator maintainers <mns-emulator@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "local, wire-exact emulator of Alibaba Cloud MNS and Alicom SMS receipts")
set(CPACK_PACKAGE_DESCRIPTION
    "mns-emulator speaks the MNS queue and topic REST API and the Alicom POP \
APIs (QueryTokenForMnsQueue, SendSms, QuerySendDetails) so that unmodified \
official SDKs work against it offline, with virtual time, fault injection, \
an SMS outbox and scripted receipts. Also ships mnsctl, alicom-receive and \
alicom-certify.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Only what a user of the programs needs; the headers and static libraries
# are for cmake --install.
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${CMAKE_BINARY_DIR};${PROJECT_NAME};runtime;/"
    "${CMAKE_BINARY_DIR};${PROJECT_NAME};service;/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/conffiles)
# The programs carry debug information (RelWithDebInfo); the package does
# not need it.
set(CPACK_STRIP_FILES ON)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
include(CPack)
