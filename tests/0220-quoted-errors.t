#!/bin/sh
# diagnostics quote what was read with printable characters only, and do
# not show what a file that is not a configuration holds
. "${SM_SRC:-.}/tests/lib.sh"
plan 7

printf '{"text":"x"}\n' > in.jsonl

# a password file parses as YAML keys; only their beginning is shown
printf 'root:$y$j9T$c2VjcmV0c2FsdA$SECRETHASHSECRETHASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n' > shadow
printf 'classify:\n  include: shadow\n' > sm.yaml
run sm-classify in.jsonl
is "a file that is not YAML: its content is not shown" "$rc $(cat err)" \
    "78 sm-classify: sm.yaml:2:3: unknown key 'root:\$y\$...' in classify"

# a key that is a typo of a name is shown whole
printf 'classify:\n  rules:\n    - {name: a, set: {topic: x}, términos: [x]}\n' > sm.yaml
run sm-classify in.jsonl
is "a misspelt key is shown whole" "$(cat err)" \
    "sm-classify: sm.yaml:3:44: unknown key 'términos' in classify.rules[0] (name 'a')"
printf 'classify:\n  rulez: []\n' > sm.yaml
run sm-classify in.jsonl
is "... as before" "$(cat err)" \
    "sm-classify: sm.yaml:2:10: unknown key 'rulez' in classify (a typo of 'rules'?)"

rm sm.yaml

# a terminal's escape sequences in a bad line are not played
printf '{"text":"ok"}\n\033]0;pwned\007 x\n' > esc.jsonl
run sm-classify esc.jsonl
is "an escape in a bad line is quoted" "$rc $(cat err)" \
    "65 sm-classify: esc.jsonl:2: invalid JSON at column 1: invalid token near '\\x1b'"
printf '\342\200\256 x\n' > bidi.jsonl
run sm-classify bidi.jsonl
is "a bidirectional override is quoted" "$(cat err)" \
    "sm-classify: bidi.jsonl:1: invalid JSON at column 1: invalid token near '\\xe2\\x80\\xae'"
run sm-classify "$(printf 'no\033[2Jfile')"
is "a file name is quoted" "$rc $(cat err)" \
    "66 sm-classify: no\\x1b[2Jfile: No such file or directory"
printf 'classify:\n  include: "a\\e[31mb"\n' > sm.yaml
run sm-classify in.jsonl
is "an include's name is quoted" "$(cat err)" \
    "sm-classify: sm.yaml:2:3: cannot include a\\x1b[31mb: No such file or directory"
