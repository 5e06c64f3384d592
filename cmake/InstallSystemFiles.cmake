# Install-time script (install(SCRIPT), component runtime): the files whose
# place and content depend on the prefix being installed to. As GNUInstallDirs
# does, prefix /usr (the Debian package) puts configuration in /etc; any other
# prefix P uses P/etc. State always lives in /var/lib/ccm-gateway, the
# systemd unit's StateDirectory. The caller sets CCM_STAGE_DIR, CCM_SOURCE_DIR,
# CCM_VERSION, CCM_BINDIR, CCM_PLUGIN_INSTALL_DIR, CCM_DOC_INSTALL_DIR,
# CCM_SCHEMA_INSTALL_DIR, CCM_MAN_INSTALL_DIR and CCM_SYSTEMD_UNIT_DIR (empty:
# /lib/systemd/system for prefix /usr, P/lib/systemd/system otherwise).

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(CCM_SYSCONFDIR "/etc")
  set(unit_dir "/lib/systemd/system")
else()
  set(CCM_SYSCONFDIR "${CMAKE_INSTALL_PREFIX}/etc")
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
if(CCM_SYSTEMD_UNIT_DIR)
  set(unit_dir "${CCM_SYSTEMD_UNIT_DIR}")
endif()

function(ccm_absolute out path)
  if(IS_ABSOLUTE "${path}")
    set(${out} "${path}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${path}" PARENT_SCOPE)
  endif()
endfunction()
ccm_absolute(CCM_BINDIR "${CCM_BINDIR}")
ccm_absolute(CCM_PLUGIN_DIR "${CCM_PLUGIN_INSTALL_DIR}")
ccm_absolute(CCM_DOCDIR "${CCM_DOC_INSTALL_DIR}")
ccm_absolute(CCM_SCHEMA_DIR "${CCM_SCHEMA_INSTALL_DIR}")
ccm_absolute(man_dir "${CCM_MAN_INSTALL_DIR}")
set(CCM_STATE_DIR "/var/lib/ccm-gateway")

set(packaging "${CCM_SOURCE_DIR}/packaging")
file(MAKE_DIRECTORY "${CCM_STAGE_DIR}")
configure_file("${packaging}/gateway.json.in" "${CCM_STAGE_DIR}/gateway.json" @ONLY)
configure_file("${packaging}/ccm-gateway.service.in" "${CCM_STAGE_DIR}/ccm-gateway.service" @ONLY)
configure_file("${packaging}/ccm-gateway.1.in" "${CCM_STAGE_DIR}/ccm-gateway.1" @ONLY)
configure_file("${packaging}/ccm-gateway.default" "${CCM_STAGE_DIR}/ccm-gateway" COPYONLY)
# -n: no name or time stamp in the header, so the package is reproducible.
execute_process(COMMAND gzip -9nf "${CCM_STAGE_DIR}/ccm-gateway.1" RESULT_VARIABLE gzip_status)
if(NOT gzip_status EQUAL 0)
  message(FATAL_ERROR "gzip of the man page failed: ${gzip_status}")
endif()

set(mode PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(INSTALL DESTINATION "${CCM_SYSCONFDIR}/ccm-gateway" TYPE FILE ${mode}
     FILES "${CCM_STAGE_DIR}/gateway.json")
file(INSTALL DESTINATION "${CCM_SYSCONFDIR}/default" TYPE FILE ${mode}
     FILES "${CCM_STAGE_DIR}/ccm-gateway")
file(INSTALL DESTINATION "${unit_dir}" TYPE FILE ${mode}
     FILES "${CCM_STAGE_DIR}/ccm-gateway.service")
file(INSTALL DESTINATION "${man_dir}/man1" TYPE FILE ${mode}
     FILES "${CCM_STAGE_DIR}/ccm-gateway.1.gz")
