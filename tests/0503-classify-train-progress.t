#!/bin/sh
# sm-classify train's progress line, on a terminal (a pseudo-terminal from
# script(1)): it names the run and counts the epochs asked for
. "${SM_SRC:-.}/tests/lib.sh"
command -v script >/dev/null || skip_all "script(1) is not installed"
plan 6

topics_train > train.jsonl
sed -n '1p;13p' train.jsonl > dev.jsonl

# lines: each run's last state (the terminal's \r-separated updates)
lines() {
	tr '\r' '\n' < "$1" | grep -a 'epoch' | sed 's/ *$//'
}
# every "epoch A/B" with A <= B <= the epochs asked for
counts_ok() {	# counts_ok LOG MAX
	lines "$1" | sed -n 's/.*epoch \([0-9]*\)\/\([0-9]*\).*/\1 \2/p' |
	    awk -v max="$2" '$1 > $2 || $2 > max { bad = 1 } END { exit bad || NR == 0 }'
}

script -qec "sm-classify train -l label.topic -o m --folds 0 --epochs 12 train.jsonl" \
    /dev/null > tty0.log
is "without a choice to make: one run, its penalty, the epochs asked for" \
    "$(lines tty0.log | tail -1)" "sm-classify: L2 1e-06: epoch 12/12"

script -qec "sm-classify train -l label.topic -o m --epochs 12 train.jsonl" /dev/null > tty1.log
like "cross-validation: each fold of each weighting counts to the epochs asked for" \
    "$(lines tty1.log | tr '\n' ' ')" \
    'L2 1e-06, balance 1, fold 1/5: epoch 1/12.* L2 1e-06, balance 0, fold 5/5: epoch 12/12, macro-F1 [01]\.[0-9]+'
like "... then the model is learnt from every record, for the epochs chosen" \
    "$(lines tty1.log | tail -1)" 'L2 1e-06, balance (1|0\.5|0), every record: epoch ([0-9]+)/\2$'
if counts_ok tty1.log 12; then ok "... and no count goes past the epochs asked for"
else not_ok "... and no count goes past the epochs asked for"; fi

script -qec "sm-classify train -l label.topic -o m --dev dev.jsonl --epochs 12 train.jsonl" \
    /dev/null > tty2.log
like "with --dev: a run per penalty and weighting, scored on dev" \
    "$(lines tty2.log | tail -1)" '^sm-classify: L2 0\.0001, balance 0: epoch 12/12, macro-F1 [01]\.[0-9]+$'
if counts_ok tty2.log 12; then ok "... no count past the epochs asked for"
else not_ok "... no count past the epochs asked for"; fi
