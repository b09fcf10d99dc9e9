#!/usr/bin/env bash
# Runs alicom-certify against one consumer and checks that exactly the
# expected scenarios fail: a check that cannot fail proves nothing, so each
# reference consumer breaks one rule and must fail where it breaks it.
#   certify_test.sh ALICOM_CERTIFY "FAILING,SCENARIOS" [certify flags] -- COMMAND...
set -uo pipefail
certify="$1"; expected_failures="$2"; shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$certify" --keep-going "$@" > "$out" 2>&1
status=$?
cat "$out"
want_status=0
[ -n "$expected_failures" ] && want_status=1
failed=0
while read -r verdict scenario; do
  scenario=${scenario%:}
  if [[ ",$expected_failures," == *",$scenario,"* ]]; then want=FAIL; else want=PASS; fi
  if [ "$verdict" != "$want" ]; then
    echo "certify_test: $scenario was $verdict, expected $want"
    failed=1
  fi
done < <(grep -E '^(PASS|FAIL) [a-z-]+:' "$out" | awk '{print $1, $2}' | sort -u)
for scenario in ${expected_failures//,/ }; do
  grep -q "^FAIL $scenario:" "$out" || { echo "certify_test: $scenario did not run or did not fail"; failed=1; }
done
[ "$status" -eq "$want_status" ] || { echo "certify_test: exit status $status, expected $want_status"; failed=1; }
[ "$failed" -eq 0 ] && echo "certify_test: verdicts as expected"
exit "$failed"
