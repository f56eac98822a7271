#!/bin/sh
# sm.yaml: route rules named as classify rules are
. "${SM_SRC:-.}/tests/lib.sh"
plan 6

# sm-route's rules are named as sm-classify's: index and name
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: r0, queue: a, when: {x: 1}}\n    - {name: potholes, queu: a, when: {x: 1}}\n' > r.yaml
run sm-route --check -c r.yaml
is "an unknown key in a route rule names the rule" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:5:30: unknown key 'queu' in route.rules[1] (name 'potholes')"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: r0, queue: a, when: {x: 1}}\n    - {name: potholes, queue: b, when: {x: 1}}\n' > r.yaml
run sm-route --check -c r.yaml
is "... no such queue" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:5:31: route.rules[1] (name 'potholes').queue: no queue 'b' in route.queues"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: potholes, queue: a, when: {x: {gt: soon}}}\n' > r.yaml
run sm-route --check -c r.yaml
is "... a condition's error" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:4:49: route.rules[0] (name 'potholes').when.x: gt: expected a number or a timestamp"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: potholes, queue: a}\n' > r.yaml
run sm-route --check -c r.yaml
is "... a rule with no condition" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:4:7: route.rules[0] (name 'potholes'): needs when, all, any or none"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: p, queue: a, when: {x: 1}}\n    - {name: p, queue: a, when: {x: 1}}\n' > r.yaml
run sm-route --check -c r.yaml
is "... a name given twice: the index of the second" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:5:14: route.rules[1]: duplicate rule name 'p'"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {queue: a, when: {x: 1}}\n' > r.yaml
run sm-route --check -c r.yaml
is "... a rule without a name: its index" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:4:7: route.rules[0]: a rule needs a name"
