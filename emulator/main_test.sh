#!/usr/bin/env bash
# The mns-emulator binary's command line: bad usage exits 2 with the usage,
# a non-loopback --host warns, and --control-token (or the environment)
# guards the controls.
#   main_test.sh MNS_EMULATOR
set -euo pipefail
emulator="$1"
dir=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for args in "--bogus x" "--port" "--port 70000" "--auth maybe" "--seed x" \
            "--log-level verbose" "--log-level"; do
  set +e
  # shellcheck disable=SC2086
  "$emulator" $args > /dev/null 2> "$dir/err"; status=$?
  set -e
  [ "$status" -eq 2 ] || fail "exit status $status for: mns-emulator $args"
done
set +e; "$emulator" --bogus x 2> "$dir/err"; set -e
grep -q '^usage: mns-emulator' "$dir/err" || fail "no usage for an unknown flag"
echo "ok - bad usage exits 2"

# Starts the emulator with "$@"; waits for its port.
start() {
  rm -f "$dir/port"
  "$emulator" --port 0 --port-file "$dir/port" "$@" > "$dir/out" 2> "$dir/log" &
  pid=$!
  for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
  [ -s "$dir/port" ] || fail "emulator did not start: $(cat "$dir/log")"
  port=$(cat "$dir/port")
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }
status_of() {  # status_of METHOD PATH [curl args...]
  local method="$1" path="$2"; shift 2
  curl -s -o /dev/null -w '%{http_code}' -X "$method" "$@" \
    "http://127.0.0.1:$port$path"
}

start
grep -q 'warning' "$dir/log" && fail "a warning on loopback: $(cat "$dir/log")"
[ "$(status_of GET /_emulator/health)" = 200 ] || fail "health without a token"
stop
echo "ok - loopback: no warning, open controls"

start --host 0.0.0.0
grep -q 'warning: listening on 0.0.0.0, not loopback' "$dir/log" \
  || fail "no warning off loopback: $(cat "$dir/log")"
stop
echo "ok - off loopback: a warning"

for how in flag env; do
  if [ "$how" = flag ]; then start --control-token t0ken
  else MNS_EMULATOR_CONTROL_TOKEN=t0ken start; fi
  [ "$(status_of GET /_emulator/health)" = 401 ] || fail "$how: no token"
  [ "$(status_of GET /_emulator/health -H 'Authorization: Bearer wrong')" = 401 ] \
    || fail "$how: wrong token"
  [ "$(status_of POST /_emulator/reset -H 'Authorization: Bearer t0ken' \
        -H 'Content-Type: application/json')" = 200 ] || fail "$how: right token"
  stop
  echo "ok - control token from the $how"
done
start --log-requests --log-level debug --journal-bodies
[ "$(status_of PUT /queues/logged)" = 400 ] || fail "an unsigned request"
sleep 0.2
grep -Eq ' CreateQueue logged 400 MissingAuthorizationHeader [0-9]+ms [0-9A-F]{24}$' \
  "$dir/log" || fail "--log-requests wrote no line: $(cat "$dir/log")"
stop
echo "ok - --log-requests writes a line per request"

# The environment: each option has a variable, a flag wins over it, and a
# variable that names no option is an error, never ignored.
set +e
MNS_EMULATOR_PROT=9000 "$emulator" --port 0 > /dev/null 2> "$dir/err"; status=$?
set -e
[ "$status" -eq 2 ] || fail "exit status $status for an unknown variable"
grep -q 'unknown environment variable MNS_EMULATOR_PROT; the variables are: .*MNS_EMULATOR_PORT'   "$dir/err" || fail "the unknown variable is not named: $(cat "$dir/err")"
set +e
MNS_EMULATOR_LOG_REQUESTS=yes "$emulator" --port 0 > /dev/null 2> "$dir/err"; status=$?
set -e
[ "$status" -eq 2 ] || fail "exit status $status for a switch that is not true or false"
rm -f "$dir/port"
MNS_EMULATOR_PORT=0 MNS_EMULATOR_PORT_FILE="$dir/port" MNS_EMULATOR_LOG_REQUESTS=true \
  MNS_EMULATOR_BIN=/ignored "$emulator" > "$dir/out" 2> "$dir/log" &
pid=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
[ -s "$dir/port" ] || fail "no port from MNS_EMULATOR_PORT_FILE: $(cat "$dir/log")"
port=$(cat "$dir/port")
[ "$(status_of PUT /queues/from-env)" = 400 ] || fail "env: an unsigned request"
# The line is written before the answer (Server::Record): no wait needed.
grep -q ' CreateQueue from-env 400 ' "$dir/log" || fail "MNS_EMULATOR_LOG_REQUESTS had no effect"
stop
# A flag wins: the variable's port would not parse.
MNS_EMULATOR_PORT=99999 start
stop
echo "ok - options from the environment, flags first"

"$emulator" --version > "$dir/out"
grep -Eq '^mns-emulator [0-9]+\.[0-9]+\.[0-9]+' "$dir/out" || fail "--version: $(cat "$dir/out")"
grep -q '^cpp-httplib ' "$dir/out" || fail "--version names no libraries"
start
curl -s -D "$dir/headers" -o /dev/null "http://127.0.0.1:$port/_emulator/health"
grep -qi '^Server: mns-emulator/' "$dir/headers" || fail "no Server header"
stop
echo "ok - --version and the Server header"

MNS_EMULATOR_SEED=42 "$emulator" --print-config --port 1234 --control-token s3cret > "$dir/out"
grep -q '"port": 1234' "$dir/out" || fail "--print-config: no port"
grep -q '"seed": 42' "$dir/out" || fail "--print-config: no seed from the environment"
grep -q '"control_token": "\*\*\*\*"' "$dir/out" || fail "--print-config: the token is not masked"
if grep -q 's3cret\|mns-emulator-secret' "$dir/out"; then fail "--print-config shows a secret"; fi
echo "ok - --print-config, secrets masked"

# HTTPS: the ready line names https:// and the CA; --tls-port serves both.
ready() { for _ in $(seq 100); do grep -q 'listening on http' "$dir/out" && break; sleep 0.05; done; }
start --tls --tls-dir "$dir/tls"
ready
grep -q "^mns-emulator listening on https://127.0.0.1:$port (trust the CA in $dir/tls/ca.pem)$" "$dir/out" \
  || fail "--tls: ready line $(cat "$dir/out")"
curl -sf --cacert "$dir/tls/ca.pem" "https://127.0.0.1:$port/_emulator/health" > /dev/null \
  || fail "--tls: no HTTPS with the CA"
curl -sf --cacert "$dir/tls/ca.pem" --resolve "dybaseapi.aliyuncs.com:$port:127.0.0.1" \
  "https://dybaseapi.aliyuncs.com:$port/_emulator/health" > /dev/null \
  || fail "--tls: the certificate does not name dybaseapi.aliyuncs.com"
if curl -sf "https://127.0.0.1:$port/_emulator/health" > /dev/null 2>&1; then
  fail "--tls: trusted without the CA"
fi
stop
MNS_EMULATOR_TLS_PORT=0 MNS_EMULATOR_TLS_DIR="$dir/tls" MNS_EMULATOR_TLS_NAME=emulator.test,10.1.2.3 start
ready
tls_port=$(sed -n 's|^mns-emulator listening on https://127.0.0.1:\([0-9]*\) .*|\1|p' "$dir/out")
[ -n "$tls_port" ] || fail "--tls-port: no HTTPS line in $(cat "$dir/out")"
[ "$(status_of GET /_emulator/health)" = 200 ] || fail "--tls-port: plain HTTP is gone"
curl -sf --cacert "$dir/tls/ca.pem" --resolve "emulator.test:$tls_port:127.0.0.1" \
  "https://emulator.test:$tls_port/_emulator/health" > /dev/null \
  || fail "MNS_EMULATOR_TLS_NAME: emulator.test is not covered"
stop
echo "ok - --tls and --tls-port, from flags and the environment"

# Bad TLS input: one line naming the file or port, exit 2.
tls_fails() {  # tls_fails "expected message" args...
  local expected="$1"; shift
  set +e
  "$emulator" --port 0 "$@" > /dev/null 2> "$dir/err"; status=$?
  set -e
  [ "$status" -eq 2 ] || fail "exit status $status for: $*"
  [ "$(wc -l < "$dir/err")" -eq 1 ] || fail "not one line for $*: $(cat "$dir/err")"
  grep -qF "$expected" "$dir/err" || fail "for $*: $(cat "$dir/err"), not $expected"
}
touch "$dir/a-file"
tls_fails "cannot use --tls-dir $dir/a-file/tls: Not a directory" --tls --tls-dir "$dir/a-file/tls"
mkdir -p "$dir/broken" && echo junk > "$dir/broken/ca.pem" && echo junk > "$dir/broken/ca-key.pem"
tls_fails "$dir/broken/ca.pem holds no PEM certificate" --tls --tls-dir "$dir/broken"
mkdir -p "$dir/other"
start --tls --tls-dir "$dir/other"; stop
tls_fails "the certificate $dir/tls/server.pem does not match the key $dir/other/server-key.pem" \
  --tls --tls-cert "$dir/tls/server.pem" --tls-key "$dir/other/server-key.pem"
tls_fails "cannot read $dir/missing.pem" --tls --tls-cert "$dir/missing.pem" --tls-key "$dir/tls/server-key.pem"
tls_fails "bad --tls-name \"no spaces\"" --tls --tls-dir "$dir/tls" --tls-name "no spaces"
tls_fails "with --tls, --port speaks HTTPS already" --tls --tls-port 0
start
tls_fails "cannot listen on 127.0.0.1:$port: Address already in use" --tls-port "$port" --tls-dir "$dir/tls"
tls_fails "cannot listen on 127.0.0.1:$port: Address already in use" --port "$port"
stop
echo "ok - bad TLS input and a port in use: one line, exit 2"
echo "11 passed, 0 failed"
