#!/usr/bin/env bash
# mnsctl against the built emulator: every command once, the JSON output,
# and an error's code, request id and exit status.
#   mnsctl_test.sh MNSCTL MNS_EMULATOR
set -euo pipefail
mnsctl="$1"
emulator="$2"
dir=$(mktemp -d)
"$emulator" --port 0 --port-file "$dir/port" > "$dir/emulator.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
export MNS_ENDPOINT="http://127.0.0.1:$(cat "$dir/port")"

fail() { echo "FAIL: $*"; exit 1; }
expect() {  # expect NAME ACTUAL PATTERN
  [[ "$2" =~ $3 ]] || fail "$1: got '$2', wanted /$3/"
  echo "ok - $1"
}

expect create "$("$mnsctl" create-queue orders --visibility-timeout 60)" '^created orders$'
expect create-again "$("$mnsctl" create-queue orders --visibility-timeout 60)" '^exists with the same attributes: orders$'
"$mnsctl" set-queue orders --delay 0 --logging true
expect get "$("$mnsctl" get-queue orders)" 'visibility_timeout: 60'
expect list "$("$mnsctl" list-queues --prefix ord)" '^orders$'
expect send "$("$mnsctl" send orders 'hello & <world>')" '^[0-9A-F]{32}$'
expect peek "$("$mnsctl" peek orders)" 'hello & <world>'
json=$("$mnsctl" --json receive orders --wait 1)
expect receive-json "$json" '"body": "hello & <world>"'
handle=$(echo "$json" | sed -n 's/.*"receipt_handle": "\([^"]*\)".*/\1/p')
new_handle=$("$mnsctl" change-visibility orders "$handle" 100)
expect change-visibility "$new_handle" '^[0-9A-Za-z-]+$'
"$mnsctl" delete orders "$new_handle"
echo "ok - delete"
if "$mnsctl" delete orders "$new_handle" 2> "$dir/err"; then fail "a deleted message deleted again"; fi
expect stale-handle-error "$(cat "$dir/err")" '^error: MessageNotExist: Message not exist\. \(request id [0-9A-F]{24}\)$'
set +e
"$mnsctl" --json get-queue nope > "$dir/out"; status=$?
set -e
[ "$status" -eq 1 ] || fail "exit status $status for an error"
expect error-json "$(cat "$dir/out")" '"error": "QueueNotExist"'
set +e
"$mnsctl" frobnicate > /dev/null 2>&1; status=$?
set -e
[ "$status" -eq 2 ] || fail "exit status $status for bad usage"
echo "ok - usage"
for args in "--bogus x list-queues" "list-queues --bogus" "list-queues --prefix" \
            "get-queue orders --delay" "-x list-queues"; do
  set +e
  # shellcheck disable=SC2086
  "$mnsctl" $args > /dev/null 2> "$dir/err"; status=$?
  set -e
  [ "$status" -eq 2 ] || fail "exit status $status for: mnsctl $args"
  grep -q '^usage: mnsctl' "$dir/err" || fail "no usage for: mnsctl $args"
done
echo "ok - unknown flags and missing values"
expect dash-body "$("$mnsctl" send orders -- '-starts-with-a-dash')" '^[0-9A-F]{32}$'
expect dash-body-peek "$("$mnsctl" peek orders)" '-starts-with-a-dash'
"$mnsctl" delete-queue orders > /dev/null
"$mnsctl" create-queue orders > /dev/null
"$mnsctl" delete-queue orders

# Topics: a queue subscription round trip, every topic command once.
expect create-topic "$("$mnsctl" create-topic news --max-size 4096)" '^topic: news'
expect get-topic "$("$mnsctl" get-topic news)" 'maximum_message_size: 4096'
"$mnsctl" set-topic news --logging true
expect set-topic "$("$mnsctl" --json get-topic news)" '"logging_enabled": true'
expect list-topics "$("$mnsctl" list-topics --prefix ne)" '^news$'
"$mnsctl" --raw create-queue inbox > /dev/null
expect subscribe "$("$mnsctl" subscribe news to-inbox acs:mns:cn-hangzhou:1234567890123456:queues/inbox --format SIMPLIFIED --filter-tag vip)" 'created: true'
"$mnsctl" set-subscription news to-inbox --strategy EXPONENTIAL_DECAY_RETRY
expect get-subscription "$("$mnsctl" get-subscription news to-inbox)" 'notify_strategy: EXPONENTIAL_DECAY_RETRY'
expect list-subscriptions "$("$mnsctl" list-subscriptions news)" '^to-inbox$'
expect publish "$("$mnsctl" publish news 'breaking' --tag vip)" '^[0-9A-F]{32}$'
expect publish-delivered "$("$mnsctl" --raw receive inbox --wait 1)" 'breaking'
set +e
"$mnsctl" subscribe news bad http://127.0.0.1/ --strategy SOMETIMES > /dev/null 2> "$dir/err"; status=$?
set -e
[ "$status" -eq 2 ] || fail "exit status $status for a bad --strategy"
"$mnsctl" unsubscribe news to-inbox
"$mnsctl" delete-topic news
set +e
"$mnsctl" get-topic news 2> "$dir/err"; status=$?
set -e
[ "$status" -eq 1 ] || fail "exit status $status for a missing topic"
expect topic-error "$(cat "$dir/err")" '^error: TopicNotExist: The topic you provided does not exist\.'
echo "25 passed, 0 failed"
