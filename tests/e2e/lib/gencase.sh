# Sourced by the `pre` script of cases that run on generated data: writes
# sametable-gen --splits --fx --cancellations output (scale 1, seed 42, plain style) and the INI of
# gendata.ini_rich() into $OUT/../gen. BIN names the sametable binary; sametable-gen is beside it.
set -eu
gen_dir="$OUT/../gen"
lib="$CASE/../../lib"
"$(dirname "$BIN")/sametable-gen" --splits --fx --cancellations --out "$gen_dir"
/usr/bin/python3 -c "import sys; sys.path.insert(0, sys.argv[1]); from gendata import ini_rich; \
open(sys.argv[2], 'w').write(ini_rich())" "$lib" "$gen_dir/case.ini"
