#!/bin/sh
# mixed.sh ROUNDS: a build-like workload. For every directory of /bench/tree
# (made when the image is built), a shell lists it, then spawns a short-lived
# static reader per file and a compiler-like step (sh -c 'reader; true') per
# directory: many short processes reading files. ROUNDS passes over the tree.
n=${1:-1}
i=0
while [ "$i" -lt "$n" ]; do
	for d in /bench/tree/*; do
		for f in "$d"/*; do
			/usr/local/bin/reader "$f"
		done
		/bin/sh -c "/usr/local/bin/reader $d/* && /usr/local/bin/true"
	done
	i=$((i + 1))
done
