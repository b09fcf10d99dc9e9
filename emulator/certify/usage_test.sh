#!/usr/bin/env bash
# alicom-certify's command line and its handling of consumers that cannot
# run: bad usage exits 2 naming what is valid; a missing or at-once-exiting
# consumer fails every scenario with its status and output, and never hangs.
#   usage_test.sh ALICOM_CERTIFY
set -uo pipefail
certify="$1"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }

"$certify" --bogus -- true > "$out" 2>&1; [ $? -eq 2 ] || fail "unknown flag: not 2"
grep -q '^usage: alicom-certify' "$out" || fail "unknown flag: no usage"
"$certify" --scenario nope -- true > "$out" 2>&1; [ $? -eq 2 ] || fail "unknown scenario: not 2"
grep -q 'the scenarios are: drains-receipts, long-polls' "$out" || fail "no scenario list"
"$certify" --quick > "$out" 2>&1; [ $? -eq 2 ] || fail "no command: not 2"
"$certify" --timeout-scale 0 -- true > "$out" 2>&1; [ $? -eq 2 ] || fail "scale 0: not 2"
"$certify" --list > "$out" 2>&1 || fail "--list"
grep -q '^refreshes-token (not in --quick)' "$out" || fail "--list lacks refreshes-token"
grep -q '^compensates (opt-in)' "$out" || fail "--list lacks compensates"
for deadline in 0 86401 12x ''; do
  "$certify" --compensation-deadline "$deadline" -- true > "$out" 2>&1
  [ $? -eq 2 ] || fail "--compensation-deadline '$deadline': not 2"
done
"$certify" --type SmsUp --scenario compensates -- true > "$out" 2>&1
[ $? -eq 2 ] && grep -q 'SmsReport consumers only' "$out" || fail "SmsUp compensates: not 2"
echo "ok - bad usage exits 2"

"$certify" --scenario drains-receipts --scenario long-polls --keep-going \
  -- /nonexistent/consumer > "$out" 2>&1; status=$?
[ "$status" -eq 1 ] || fail "missing consumer: status $status"
[ "$(grep -c '^FAIL [a-z-]*: consumer exited with status 127 before its first receive' "$out")" -eq 2 ] \
  || fail "missing consumer: not reported per scenario"
grep -q 'cannot run /nonexistent/consumer' "$out" || fail "missing consumer: no output tail"
echo "ok - a missing consumer fails each scenario with its status"

"$certify" --scenario drains-receipts -- sh -c 'echo gave up >&2; exit 3' > "$out" 2>&1
grep -q '^FAIL drains-receipts: consumer exited with status 3 before its first receive' "$out" \
  || fail "exiting consumer: not reported"
grep -q 'gave up' "$out" || fail "exiting consumer: no stderr tail"
echo "ok - a consumer that exits at once is reported with its stderr"
echo "3 passed, 0 failed"
