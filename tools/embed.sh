#!/bin/sh
# embed.sh NAME FILE: prints a C file defining const char NAME[] with FILE's text.
name=$1 file=$2
printf '/* generated from %s by tools/embed.sh; do not edit */\n' "$file"
printf 'const char %s[] =\n' "$name"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$file"
printf ';\n'
