#!/usr/bin/env bash
# The Debian packages, end to end. One phase per ctest test (tests/packaging/CMakeLists.txt):
#   build          cpack -G DEB in the build dir; the .deb files go to $CCM_DEB_DIR
#   metadata       dpkg-deb: names, computed dependencies, conffiles, contents,
#                  maintainer scripts; the SDK has no RapidJSON/Poco/Boost in it;
#                  the man page documents every option of --help
#   maintainer-scripts  postinst/prerm/postrm with stub commands: system user,
#                  config permissions, unit enabled; nothing touches this host
#   systemd-unit   systemd-analyze verify on the packaged unit (skipped, exit 77,
#                  when systemd-analyze is missing)
#   example-plugin unpack both packages into a temporary root, build
#                  plugins/examples/summary-sink out of tree against that SDK
#                  only, run the unpacked gateway with it as a sink, create a
#                  definition over the REST API and check the plugin got the event
# Environment (set by CMake): CCM_BUILD_DIR CCM_SOURCE_DIR CCM_DEB_DIR CCM_VERSION
# CCM_PLUGIN_INSTALL_DIR CCM_INSTALL_PREFIX CCM_INSTALL_LIBDIR CCM_JEMALLOC (1: the
# executable links jemalloc)
set -euo pipefail

phase=${1:?usage: deb_packages_test.sh build|metadata|maintainer-scripts|systemd-unit|example-plugin}
: "${CCM_BUILD_DIR:?}" "${CCM_SOURCE_DIR:?}" "${CCM_DEB_DIR:?}" "${CCM_VERSION:?}" "${CCM_PLUGIN_INSTALL_DIR:?}"
plugin_dir="usr/${CCM_PLUGIN_INSTALL_DIR}"
sdk_libdir="usr/${CCM_INSTALL_LIBDIR:-lib}"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
note() { echo "-- $*"; }

tmp=""
gateway_pid=""
cleanup() {
  if [ -n "$gateway_pid" ] && kill -0 "$gateway_pid" 2>/dev/null; then
    kill -KILL "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT

make_tmp() { tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccm-packaging.XXXXXX"); }

deb_file() {
  local name=$1 file
  file=$(find "$CCM_DEB_DIR" -maxdepth 1 -name "${name}_${CCM_VERSION}-*_*.deb" | head -n 1)
  [ -n "$file" ] || fail "no ${name}_${CCM_VERSION}-*_*.deb in $CCM_DEB_DIR (did PackagingBuildsDebPackages run?)"
  echo "$file"
}

# Waits up to $1 seconds for the command in "${@:2}" to succeed.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

contains() { grep -qF -- "$2" <<<"$1"; }

phase_build() {
  # The packages hold what the build dir built; make sure it is all there.
  cmake --build "$CCM_BUILD_DIR" --target ccm_package_inputs
  rm -rf "$CCM_DEB_DIR"
  mkdir -p "$CCM_DEB_DIR"
  cpack --config "$CCM_BUILD_DIR/CPackConfig.cmake" -G DEB -B "$CCM_DEB_DIR"
  rm -rf "$CCM_DEB_DIR/_CPack_Packages"
  deb_file ccm-gateway >/dev/null
  deb_file ccm-gateway-dev >/dev/null
  ls -l "$CCM_DEB_DIR"
}

phase_metadata() {
  local runtime dev field contents deb_version
  runtime=$(deb_file ccm-gateway)
  dev=$(deb_file ccm-gateway-dev)
  make_tmp

  # Runtime package: computed dependencies (dpkg-shlibdeps) plus adduser.
  [ "$(dpkg-deb -f "$runtime" Package)" = ccm-gateway ] || fail "runtime package name"
  deb_version=$(dpkg-deb -f "$runtime" Version)
  [[ "$deb_version" == "$CCM_VERSION"-* ]] || fail "runtime version $deb_version is not $CCM_VERSION-<revision>"
  field=$(dpkg-deb -f "$runtime" Depends)
  note "ccm-gateway Depends: $field"
  grep -Eq '(^|, )libpoco[a-z]*[0-9]+[^,]*' <<<"$field" || fail "Depends has no libpoco* package (shlibdeps?): $field"
  grep -Eq '(^|, )libc6 \(>= [0-9.]+\)' <<<"$field" || fail "Depends has no versioned libc6: $field"
  grep -Eq '(^|, )libyaml-cpp[0-9.]+' <<<"$field" || fail "Depends has no libyaml-cpp: $field"
  grep -Eq '(^|, )adduser(,|$)' <<<"$field" || fail "Depends lacks adduser (postinst uses it): $field"
  if [ "${CCM_JEMALLOC:-0}" = 1 ]; then
    grep -Eq '(^|, )libjemalloc2' <<<"$field" || fail "Depends has no libjemalloc2 (the allocator): $field"
  fi

  field=$(dpkg-deb -I "$runtime" conffiles)
  [ "$field" = $'/etc/ccm-gateway/gateway.json\n/etc/default/ccm-gateway' ] || fail "conffiles: $field"
  dpkg-deb --ctrl-tarfile "$runtime" | tar -x -C "$tmp" ./postinst ./prerm ./postrm
  for script in postinst prerm postrm; do
    [ -x "$tmp/$script" ] || fail "$script missing or not executable"
    sh -n "$tmp/$script" || fail "$script is not valid sh"
  done
  grep -q 'adduser --system' "$tmp/postinst" || fail "postinst does not create the system user"

  contents=$(dpkg-deb -c "$runtime" | awk '{print $6}')
  for path in ./usr/bin/ccm-gateway ./etc/ccm-gateway/gateway.json ./etc/default/ccm-gateway \
              ./lib/systemd/system/ccm-gateway.service ./usr/share/man/man1/ccm-gateway.1.gz \
              ./usr/share/ccm-gateway/schemas/gateway.schema.json \
              ./usr/share/ccm-gateway/console/index.html ./usr/share/ccm-gateway/console/app.js \
              ./usr/share/ccm-gateway/schemas/events/ccm.lablet.definition.created.json \
              ./usr/share/doc/ccm-gateway/operations.md ./usr/share/doc/ccm-gateway/configuration.md \
              ./usr/share/doc/ccm-gateway/openapi.json; do
    contains "$contents" "$path" || fail "ccm-gateway lacks $path"
  done
  # Every shipped plugin the build made is in the package.
  local built=0
  for so in "$CCM_BUILD_DIR"/plugins/libccm-*.so; do
    [ -e "$so" ] || continue
    built=$((built + 1))
    contains "$contents" "./$plugin_dir/$(basename "$so")" || fail "ccm-gateway lacks plugin $(basename "$so")"
  done
  [ "$built" -gt 0 ] || fail "no plugin in $CCM_BUILD_DIR/plugins"
  ! grep -qE '/usr/local|libccm-fixture' <<<"$contents" ||
    fail "ccm-gateway holds /usr/local paths or test fixtures"

  # Development package: exactly this gateway version, headers, archive, CMake package.
  [ "$(dpkg-deb -f "$dev" Package)" = ccm-gateway-dev ] || fail "dev package name"
  field=$(dpkg-deb -f "$dev" Depends)
  note "ccm-gateway-dev Depends: $field"
  contains "$field" "ccm-gateway (= $deb_version)" || fail "ccm-gateway-dev does not pin ccm-gateway $deb_version: $field"
  grep -Eq '(^|, )libyaml-cpp-dev(,|$)' <<<"$field" || fail "ccm-gateway-dev lacks libyaml-cpp-dev (the SDK links yaml-cpp): $field"
  contents=$(dpkg-deb -c "$dev" | awk '{print $6}')
  local cmake_dir="./$sdk_libdir/cmake/CcmGatewaySdk"
  for path in ./usr/include/ccm/sdk/plugin.hpp ./usr/include/ccm/sdk/sink.hpp \
              ./usr/include/ccm/sdk/testing/fake_host.hpp "./$sdk_libdir/libccm_sdk.a" \
              "$cmake_dir/CcmGatewaySdkConfig.cmake" "$cmake_dir/CcmGatewaySdkConfigVersion.cmake" \
              "$cmake_dir/CcmGatewaySdkTargets.cmake" "$cmake_dir/CcmGatewayPlugin.cmake" \
              ./usr/share/doc/ccm-gateway-dev/plugin-author-guide.md \
              ./usr/share/doc/ccm-gateway-dev/examples/summary-sink/CMakeLists.txt; do
    contains "$contents" "$path" || fail "ccm-gateway-dev lacks $path"
  done

  dpkg -x "$runtime" "$tmp/root"
  dpkg -x "$dev" "$tmp/root"
  # The installed SDK stands alone: no RapidJSON, Poco or Boost at the consumer.
  ! grep -rlE '#include *[<"](rapidjson|Poco|boost)/' "$tmp/root/usr/include/ccm" ||
    fail "an SDK header includes RapidJSON, Poco or Boost"
  ! grep -li 'rapidjson' "$tmp/root/$sdk_libdir"/cmake/CcmGatewaySdk/CcmGatewaySdkTargets*.cmake ||
    fail "the exported CcmGateway::sdk target refers to RapidJSON"
  # Nothing installed points back into the source or build tree.
  ! grep -rlF -e "$CCM_BUILD_DIR" -e "$CCM_SOURCE_DIR" "$tmp/root/etc" "$tmp/root/lib" \
      "$tmp/root/$sdk_libdir/cmake" ||
    fail "installed files refer to the source or build tree"

  # The packaged config: installed plugin directory, state under /var/lib/ccm-gateway.
  local config="$tmp/root/etc/ccm-gateway/gateway.json"
  grep -qF "\"/$plugin_dir\"" "$config" || fail "packaged config does not load plugins from /$plugin_dir"
  grep -qF '"/var/lib/ccm-gateway/ccm-gateway.db"' "$config" || fail "packaged config's store is not in /var/lib/ccm-gateway"
  grep -qF '"/var/lib/ccm-gateway/events.jsonl"' "$config" || fail "packaged file sink does not write to /var/lib/ccm-gateway"
  # ... and it is valid for the packaged gateway with the packaged plugins.
  sed -e "s|\"/$plugin_dir\"|\"$tmp/root/$plugin_dir\"|" -e "s|/var/lib/ccm-gateway/|$tmp/state/|g" \
    "$config" >"$tmp/gateway.json"
  "$tmp/root/usr/bin/ccm-gateway" --check-config --config "$tmp/gateway.json" ||
    fail "the packaged config does not pass --check-config"

  # The man page documents every long option --help shows.
  local help man
  help=$("$tmp/root/usr/bin/ccm-gateway" --help)
  man=$(zcat "$tmp/root/usr/share/man/man1/ccm-gateway.1.gz" | sed 's/\\-/-/g')
  for option in $(grep -oE -- '--[a-z][a-z-]+' <<<"$help" | sort -u); do
    contains "$man" "$option" || fail "man page does not document $option"
  done
  if [ "${CCM_INSTALL_PREFIX:-}" = /usr ] && [ "${CCM_INSTALL_LIBDIR:-}" = lib ]; then
    contains "$help" "/etc/ccm-gateway/gateway.json" || fail "--help does not name /etc/ccm-gateway/gateway.json as default"
  else
    note "build dir prefix ${CCM_INSTALL_PREFIX:-?}: compiled-in defaults differ from the package layout (make package builds with /usr)"
  fi
  note "metadata ok"
}

phase_maintainer_scripts() {
  local runtime
  runtime=$(deb_file ccm-gateway)
  make_tmp
  dpkg -x "$runtime" "$tmp/root"
  dpkg-deb --ctrl-tarfile "$runtime" | tar -x -C "$tmp" ./postinst ./prerm ./postrm
  # Stubs record every command the scripts run; DPKG_ROOT points them at the
  # unpacked root and keeps them away from this host's services.
  mkdir "$tmp/stubs"
  local cmd
  for cmd in getent adduser chown chmod dpkg-statoverride deb-systemd-helper deb-systemd-invoke systemctl; do
    cat >"$tmp/stubs/$cmd" <<EOF
#!/bin/sh
echo "$cmd \$*" >>"$tmp/calls"
case "$cmd \$*" in
  "getent passwd ccm-gateway") [ -f "$tmp/user-exists" ] ;;
  "adduser "*) touch "$tmp/user-exists" ;;
  "dpkg-statoverride --list "*) [ -f "$tmp/statoverride" ] ;;
esac
EOF
    chmod +x "$tmp/stubs/$cmd"
  done
  run_script() {
    : >"$tmp/calls"
    PATH="$tmp/stubs:$PATH" DPKG_ROOT="$tmp/root" sh "$tmp/$1" "${@:2}" || fail "$* exited with $?"
  }
  called() { grep -qxF -- "$1" "$tmp/calls" || fail "$2 did not run: $1 (ran: $(tr '\n' ';' <"$tmp/calls"))"; }
  not_called() { ! grep -q -- "$1" "$tmp/calls" || fail "$2 ran $1 (ran: $(tr '\n' ';' <"$tmp/calls"))"; }
  local config="$tmp/root/etc/ccm-gateway/gateway.json"

  run_script postinst configure
  called "adduser --system --group --quiet --home /var/lib/ccm-gateway --no-create-home --gecos ccm-gateway daemon ccm-gateway" \
    "postinst configure (install)"
  called "chown root:ccm-gateway $config" "postinst configure (install)"
  called "chmod 0640 $config" "postinst configure (install)"
  called "deb-systemd-helper enable ccm-gateway.service" "postinst configure (install)"
  not_called systemctl "postinst into another root"

  run_script postinst configure 0.0.9-1
  not_called adduser "postinst configure (upgrade, user exists)"
  called "chown root:ccm-gateway $config" "postinst configure (upgrade)"

  touch "$tmp/statoverride"
  run_script postinst configure 0.0.9-1
  not_called chown "postinst configure with a dpkg-statoverride"

  run_script prerm remove
  not_called deb-systemd-invoke "prerm remove into another root"
  run_script postrm remove
  called "deb-systemd-helper mask ccm-gateway.service" "postrm remove"
  run_script postrm purge
  called "deb-systemd-helper purge ccm-gateway.service" "postrm purge"
  note "maintainer scripts ok"
}

phase_systemd_unit() {
  if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "systemd-analyze not found: skipping the unit verification"
    exit 77
  fi
  local runtime unit
  runtime=$(deb_file ccm-gateway)
  make_tmp
  dpkg -x "$runtime" "$tmp/root"
  unit="$tmp/root/lib/systemd/system/ccm-gateway.service"
  for line in 'User=ccm-gateway' 'StateDirectory=ccm-gateway' 'WorkingDirectory=/var/lib/ccm-gateway' \
              'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure' 'NoNewPrivileges=yes' \
              'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
              'ProtectKernelTunables=yes' 'ProtectKernelModules=yes' 'ProtectControlGroups=yes' \
              'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
              'ExecStart=/usr/bin/ccm-gateway --config /etc/ccm-gateway/gateway.json $CCM_GATEWAY_OPTS'; do
    grep -qxF -- "$line" "$unit" || fail "unit lacks the line: $line"
  done
  # verify checks the syntax, the directives and that the commands exist: run
  # it on a copy whose ExecStart is the unpacked binary (the host has none).
  mkdir "$tmp/unit"
  sed "s|^ExecStart=/usr/bin/ccm-gateway |ExecStart=$tmp/root/usr/bin/ccm-gateway |" "$unit" \
    >"$tmp/unit/ccm-gateway.service"
  local out
  if ! out=$(systemd-analyze verify --man=no "$tmp/unit/ccm-gateway.service" 2>&1); then
    echo "$out" >&2
    fail "systemd-analyze verify failed"
  fi
  if [ -n "$out" ]; then
    echo "$out"
    fail "systemd-analyze verify printed warnings"
  fi
  if out=$(systemd-analyze security --offline=yes "$tmp/unit/ccm-gateway.service" 2>&1); then
    grep -E 'Overall exposure' <<<"$out" || true
  fi
  note "unit ok"
}

phase_example_plugin() {
  local runtime dev
  runtime=$(deb_file ccm-gateway)
  dev=$(deb_file ccm-gateway-dev)
  make_tmp
  local root="$tmp/root"
  dpkg -x "$runtime" "$root"
  dpkg -x "$dev" "$root"

  # A third party copies the example and builds it against the SDK package only.
  cp -r "$CCM_SOURCE_DIR/plugins/examples/summary-sink" "$tmp/src"
  # Warnings are errors: the SDK headers must compile cleanly in anyone's project.
  cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$root/usr" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="-Wall -Wextra -Wpedantic -Werror" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$tmp/configure.log" ||
    { cat "$tmp/configure.log"; fail "configuring the example against the unpacked SDK failed"; }
  local sdk_dir
  sdk_dir=$(sed -n 's/^CcmGatewaySdk_DIR:PATH=//p' "$tmp/build/CMakeCache.txt")
  [[ "$sdk_dir" == "$root"/* ]] || fail "found CcmGatewaySdk at $sdk_dir, not in the unpacked packages"
  cmake --build "$tmp/build" -j2 || fail "building the example against the unpacked SDK failed"
  ! grep -qF -e "$CCM_SOURCE_DIR" -e "$CCM_BUILD_DIR" "$tmp/build/compile_commands.json" ||
    fail "the example's compile commands refer to the gateway's source or build tree"
  grep -qF -- "$root/usr/include" "$tmp/build/compile_commands.json" ||
    fail "the example is not compiled against the unpacked SDK headers"
  ctest --test-dir "$tmp/build" --output-on-failure || fail "the example's unit test (FakeHost) failed"

  local plugin="$tmp/build/libccm-sink-example-summary.so" exported
  [ -f "$plugin" ] || fail "ccm_gateway_add_plugin did not produce $plugin"
  exported=$(nm -D --defined-only "$plugin" | awk '{print $3}' | sort | tr '\n' ' ')
  [ "$exported" = "ccm_plugin_abi_version ccm_plugin_descriptor " ] ||
    fail "the example plugin exports more than the descriptor symbols: $exported"

  cat >"$tmp/gateway.json" <<EOF
{
  "server": {"host": "127.0.0.1", "port": 0},
  "cloudevents": {"source": "urn:ccm-gateway:packaging-test"},
  "plugins": {"directories": ["$root/$plugin_dir", "$tmp/build"]},
  "sinks": [
    {"name": "summary", "plugin": "example-summary", "config": {"path": "$tmp/summary.log"}},
    {"name": "events-file", "plugin": "file", "config": {"path": "$tmp/events.jsonl"}}
  ],
  "store": {"driver": "sqlite", "sqlite": {"path": "$tmp/state/gateway.db"}}
}
EOF
  local gateway="$root/usr/bin/ccm-gateway"
  "$gateway" --check-config --config "$tmp/gateway.json" || fail "--check-config refuses the example config"
  "$gateway" --list-plugins --config "$tmp/gateway.json" | grep -qP '^example-summary\tsink\t0\.1\.0\t' ||
    fail "--list-plugins does not list example-summary"

  "$gateway" --config "$tmp/gateway.json" 2>"$tmp/gateway.err" &
  gateway_pid=$!
  listening() { grep -q '"message":"listening"' "$tmp/gateway.err"; }
  wait_for 30 listening || { cat "$tmp/gateway.err" >&2; fail "the gateway did not log \"listening\""; }
  local port
  port=$(grep '"message":"listening"' "$tmp/gateway.err" | grep -oE '"port":"[0-9]+"' | grep -oE '[0-9]+' | head -n 1)
  [ -n "$port" ] || fail "no port in the listening line"
  local api="http://127.0.0.1:$port"
  ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$api/readyz")" = 200 ]; }
  wait_for 30 ready || { cat "$tmp/gateway.err" >&2; fail "/readyz did not answer 200"; }
  grep -q '"message":"plugin instance created".*"instance":"summary"' "$tmp/gateway.err" ||
    fail "the gateway did not create the example sink instance"

  local body status id
  body=$(curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' \
    -d '{"name":"packaging-test","lab_yaml":"nodes: []\n"}' "$api/api/v1/definitions")
  status=$(tail -n 1 <<<"$body")
  [ "$status" = 201 ] || fail "POST /api/v1/definitions answered $status: $body"
  id=$(head -n 1 <<<"$body" | grep -oE '"id":"[^"]+"' | head -n 1 | cut -d'"' -f4)
  [ -n "$id" ] || fail "no id in the created definition: $body"
  curl -s "$api/api/v1/events?type=ccm.lablet.definition.created&subject=$id" | grep -qF "\"subject\":\"$id\"" ||
    fail "the event log has no ccm.lablet.definition.created for $id"

  received() { grep -qP "\tccm\.lablet\.definition\.created\t\Q$id\E\t" "$tmp/summary.log" 2>/dev/null; }
  if ! wait_for 20 received; then
    tail -n 20 "$tmp/gateway.err" >&2
    fail "the example plugin did not receive ccm.lablet.definition.created for $id within 20 s (summary.log: $(cat "$tmp/summary.log" 2>/dev/null))"
  fi
  note "example plugin received: $(grep -F "$id" "$tmp/summary.log")"
  delivered_to_file() { grep -qF "\"subject\":\"$id\"" "$tmp/events.jsonl" 2>/dev/null; }
  wait_for 20 delivered_to_file || fail "the packaged file sink did not receive the event"

  kill -TERM "$gateway_pid"
  local code=0
  wait "$gateway_pid" || code=$?
  gateway_pid=""
  [ "$code" = 0 ] || { cat "$tmp/gateway.err" >&2; fail "the gateway exited with $code on SIGTERM"; }
  note "example plugin ok"
}

case "$phase" in
  build) phase_build ;;
  metadata) phase_metadata ;;
  maintainer-scripts) phase_maintainer_scripts ;;
  systemd-unit) phase_systemd_unit ;;
  example-plugin) phase_example_plugin ;;
  *) fail "unknown phase $phase" ;;
esac
