# Sourced by the CLI test scripts (after cd to the repo): a temporary directory removed on exit,
# pass/fail counters and the shared checks.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect_error CODE PATTERN -- command...: exit status CODE, exactly one stderr line matching PATTERN
expect_error() {
  code=$1; pat=$2; shift 3
  "$@" > "$tmp/out" 2> "$tmp/err"; rc=$?
  lines=$(wc -l < "$tmp/err")
  if [ "$rc" -eq "$code" ] && [ "$lines" -eq 1 ] && grep -q "$pat" "$tmp/err"; then ok
  else ko "'$*': exit $rc (want $code), $lines stderr line(s): $(cat "$tmp/err")"; fi
}
