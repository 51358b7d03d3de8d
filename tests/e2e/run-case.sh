#!/usr/bin/env bash
# run-case.sh - runs one end-to-end case file (tests/e2e/cases/*.case).
#
#   bash run-case.sh [--collect PATH] [--pooltriage PATH] CASEFILE
#
# A case is a list of steps.  Each step is a `run:` line (a bash command line,
# run in the case's scratch directory) followed by what must hold afterwards:
#
#   # comment                 ignored, as are blank lines
#   title: TEXT               what the case checks (printed)
#   run: COMMAND              a step; its first word must be an existing program
#   exit: 0 | N | nonzero     expected exit status (default 0)
#   stdout: GLOB              a line of stdout matches GLOB; several stdout:
#   stderr: GLOB                lines match in order (other lines may come between)
#   not-stdout: GLOB          no line of stdout matches GLOB
#   not-stderr: GLOB          no line of stderr matches GLOB
#   exists: PATH              a file exists and is not empty
#   absent: PATH              no file (nor directory) at PATH
#   same: PATH PATH           the two files have the same bytes
#
# GLOB is a bash pattern matched against the whole line (a CR ending it is ignored) (*, ?, [...]; escape
# a literal [ or * with \).  Variables in any line: %COLLECT (pooltriage-collect),
# %PT (pooltriage), %REAL (shared/data/real), %SRC (source tree), %E2E (this
# folder), %TMP (the case's scratch directory, created empty).
#
# Nothing is skipped: a case whose program is missing, that uses an unknown
# key or variable, or that has no step, fails.  A step that runs longer than
# PT_E2E_TIMEOUT seconds (default 300) fails.  Exit status: 0 pass, 1 fail.
set -u

e2e_dir=$(cd "$(dirname "$0")" && pwd)
collect=${PT_COLLECT:-}
pooltriage=${PT_POOLTRIAGE:-}
while [ $# -gt 1 ]; do
  case $1 in
    --collect) collect=$2; shift 2 ;;
    --pooltriage) pooltriage=$2; shift 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 1 ]; then
  echo "usage: $0 [--collect PATH] [--pooltriage PATH] CASEFILE" >&2
  exit 1
fi
case_file=$1
case_name=$(basename "$case_file" .case)
# Steps run in the scratch directory: make relative program paths absolute.
[ -z "$collect" ] || [[ $collect == /* ]] || collect=$PWD/$collect
[ -z "$pooltriage" ] || [[ $pooltriage == /* ]] || pooltriage=$PWD/$pooltriage
timeout_s=${PT_E2E_TIMEOUT:-300}

failures=0
fail() {
  printf 'FAIL %s: %s\n' "$case_name" "$*"
  failures=$((failures + 1))
}

if [ ! -f "$case_file" ]; then
  fail "no case file $case_file"
  exit 1
fi

scratch_root=${PT_E2E_TMP:-${TMPDIR:-/tmp}}
tmp=$scratch_root/$case_name
rm -rf "$tmp"
if ! mkdir -p "$tmp"; then
  fail "cannot create scratch directory $tmp"
  exit 1
fi
tmp=$(cd "$tmp" && pwd)

# Variables, longest name first so that no name is replaced inside another.
var_names=(COLLECT REAL SRC E2E TMP PT)
var_value() {
  case $1 in
    COLLECT) printf '%s' "$collect" ;;
    PT) printf '%s' "$pooltriage" ;;
    REAL) printf '%s' "${PT_REAL_DATA:-}" ;;
    SRC) printf '%s' "${PT_SOURCE_DIR:-$(cd "$e2e_dir/../.." && pwd)}" ;;
    E2E) printf '%s' "$e2e_dir" ;;
    TMP) printf '%s' "$tmp" ;;
  esac
}

# Expands %NAME in $1 into $expanded; returns 1 (after saying why) when a
# variable is unknown or has no value.
expand() {
  local s=$1 name value
  for name in "${var_names[@]}"; do
    if [[ $s == *"%$name"* ]]; then
      value=$(var_value "$name")
      if [ -z "$value" ]; then
        fail "line $line_no: %$name has no value (not built or not configured?)"
        return 1
      fi
      s=${s//"%$name"/$value}
    fi
  done
  if [[ $s =~ %[A-Z][A-Z0-9_]* ]]; then
    fail "line $line_no: unknown variable ${BASH_REMATCH[0]}"
    return 1
  fi
  expanded=$s
}

# The step being collected: its command and its expectations.
step_cmd=""
step_line=0
step_checks=()
steps_run=0

# Lines of FILE matching the patterns in order; prints the failure if not.
match_in_order() {
  local stream=$1 file=$2
  shift 2
  local -a lines
  local pattern i=0 found
  mapfile -t lines <"$file"
  # CRLF output (CSV is RFC 4180) matches like LF output.
  lines=("${lines[@]/%$'\r'/}")
  for pattern in "$@"; do
    found=0
    while [ "$i" -lt "${#lines[@]}" ]; do
      # shellcheck disable=SC2053
      if [[ ${lines[$i]} == $pattern ]]; then
        found=1
        i=$((i + 1))
        break
      fi
      i=$((i + 1))
    done
    if [ "$found" -eq 0 ]; then
      fail "step at line $step_line: no line of $stream matches '$pattern' (in order)"
      return 1
    fi
  done
  return 0
}

no_line_matches() {
  local stream=$1 file=$2 pattern=$3 line
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    # shellcheck disable=SC2053
    if [[ $line == $pattern ]]; then
      fail "step at line $step_line: $stream has a line matching '$pattern': $line"
      return 1
    fi
  done <"$file"
  return 0
}

show_output() {
  local label=$1 file=$2 n
  n=$(wc -l <"$file")
  printf -- '--- %s (%s lines)\n' "$label" "$n"
  head -n 40 "$file"
  [ "$n" -le 40 ] || printf -- '--- (%s more lines)\n' "$((n - 40))"
}

# Runs the collected step and checks it.
run_step() {
  [ -n "$step_cmd" ] || return 0
  local program out=$tmp/.step.stdout err=$tmp/.step.stderr status expect_exit=0
  local -a out_globs=() err_globs=() checks=("${step_checks[@]+"${step_checks[@]}"}")
  local before=$failures check key value a b

  steps_run=$((steps_run + 1))
  # The program must exist: a missing one is a failure, never a skip.
  read -r program _ <<<"$step_cmd"
  if [[ $program == */* ]]; then
    if [ ! -x "$program" ] || [ -d "$program" ]; then
      fail "step at line $step_line: command missing: $program"
      return
    fi
  elif ! command -v "$program" >/dev/null 2>&1; then
    fail "step at line $step_line: command missing: $program"
    return
  fi

  printf '$ %s\n' "$step_cmd"
  (cd "$tmp" && timeout "$timeout_s" bash -c "$step_cmd") >"$out" 2>"$err"
  status=$?
  if [ "$status" -eq 124 ]; then
    fail "step at line $step_line: still running after ${timeout_s}s"
  fi

  for check in "${checks[@]+"${checks[@]}"}"; do
    key=${check%%$'\t'*}
    value=${check#*$'\t'}
    case $key in
      exit) expect_exit=$value ;;
      stdout) out_globs+=("$value") ;;
      stderr) err_globs+=("$value") ;;
    esac
  done

  case $expect_exit in
    nonzero)
      [ "$status" -ne 0 ] || fail "step at line $step_line: exit status 0, expected non-zero" ;;
    *)
      [ "$status" -eq "$expect_exit" ] ||
        fail "step at line $step_line: exit status $status, expected $expect_exit" ;;
  esac
  [ "${#out_globs[@]}" -eq 0 ] || match_in_order stdout "$out" "${out_globs[@]}"
  [ "${#err_globs[@]}" -eq 0 ] || match_in_order stderr "$err" "${err_globs[@]}"

  for check in "${checks[@]+"${checks[@]}"}"; do
    key=${check%%$'\t'*}
    value=${check#*$'\t'}
    case $key in
      not-stdout) no_line_matches stdout "$out" "$value" ;;
      not-stderr) no_line_matches stderr "$err" "$value" ;;
      exists)
        [ -s "$value" ] || fail "step at line $step_line: $value does not exist or is empty" ;;
      absent)
        [ ! -e "$value" ] || fail "step at line $step_line: $value exists, expected none" ;;
      same)
        read -r a b <<<"$value"
        if [ -z "${b:-}" ]; then
          fail "step at line $step_line: same: needs two paths"
        elif ! cmp -s "$a" "$b"; then
          fail "step at line $step_line: $a and $b differ"
        fi ;;
    esac
  done

  if [ "$failures" -ne "$before" ]; then
    printf -- '--- exit status %s\n' "$status"
    show_output stdout "$out"
    show_output stderr "$err"
  fi
}

line_no=0
title=""
while IFS= read -r raw || [ -n "$raw" ]; do
  line_no=$((line_no + 1))
  line=${raw%$'\r'}
  [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
  if [[ ! $line =~ ^([a-z-]+):[[:space:]]?(.*)$ ]]; then
    fail "line $line_no: not 'key: value': $line"
    continue
  fi
  key=${BASH_REMATCH[1]}
  value=${BASH_REMATCH[2]}
  case $key in
    title) title=$value; printf '== %s: %s\n' "$case_name" "$title"; continue ;;
    run|exit|stdout|stderr|not-stdout|not-stderr|exists|absent|same) ;;
    *) fail "line $line_no: unknown key '$key'"; continue ;;
  esac
  expand "$value" || continue
  value=$expanded
  if [ "$key" = run ]; then
    [ "$failures" -eq 0 ] && run_step
    step_cmd=$value
    step_line=$line_no
    step_checks=()
    continue
  fi
  if [ -z "$step_cmd" ]; then
    fail "line $line_no: '$key:' before any 'run:'"
    continue
  fi
  if [ "$key" = exit ] && [[ ! $value =~ ^([0-9]+|nonzero)$ ]]; then
    fail "line $line_no: exit: takes a number or 'nonzero', not '$value'"
    continue
  fi
  step_checks+=("$key"$'\t'"$value")
done <"$case_file"
[ "$failures" -eq 0 ] && run_step

[ -n "$title" ] || fail "no title: line"
[ "$steps_run" -gt 0 ] || [ "$failures" -gt 0 ] || fail "no step was run (no run: line)"
if [ "$failures" -eq 0 ]; then
  printf 'PASS %s (%d steps)\n' "$case_name" "$steps_run"
  rm -rf "$tmp"
  exit 0
fi
printf '%d failure(s); scratch directory kept: %s\n' "$failures" "$tmp"
exit 1
