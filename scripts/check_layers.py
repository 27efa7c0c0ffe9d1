#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Who calls whom in mpgw's libraries and programs, from the object files (issue 18).

Reads the global symbols each object of a build defines and uses (`nm`), draws the graph
of lib/ folders (a folder uses another when one of its objects uses a symbol an object of
the other defines), and checks it against scripts/layers.txt:

  - `layer NAME FOLDER...` lines, lowest first: a folder may use the folders of its own
    layer and of lower ones, never of a higher one; `allow A B SYMBOL` lets one symbol of
    folder B through to folder A (today's debt);
  - every cycle between folders or between files (lib/FOLDER/FILE.c) must be listed there
    as `cycle A B ...` (today's debt); a new cycle, or a listed one that grew, fails;
  - no C file of lib/, app/, tests/ or tools/ is longer than MAX_LINES, but those listed
    as `long FILE` (today's debt);
  - an entry that no longer matches anything fails too, so that the list shrinks as the
    debt is paid.

Calls through static inline functions in headers are not objects' symbols and are not
seen.

  scripts/check_layers.py [BUILD_DIR] [--rules FILE]   (default build/, scripts/layers.txt)
exit 1 on a violation. meson's unit suite runs it on its build (test `layers`), and once
with tests/unit/layers_reversed.txt and --expect-violations (test `layers_refuses`): it must
find the layers upside down broken, else it fails.
"""
import collections
import os
import subprocess
import sys

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(SRC, "scripts", "layers.txt")
MAX_LINES = 700


def objects(build):
    """(folder, source file, object path) for every object of libmpgw and libmpgw_pkt."""
    out = []
    for lib in ("lib/libmpgw.a", "lib/pkt/libmpgw_pkt.a"):
        d = os.path.join(build, lib + ".p")
        if not os.path.isdir(d):
            sys.exit("check_layers: no %s: build first" % d)
        # The archive's members only: an incremental build keeps the objects of files
        # that moved away.
        ar = subprocess.run(["ar", "t", os.path.join(build, lib)], check=True,
                            capture_output=True, text=True).stdout
        members = {os.path.basename(m) for m in ar.split()}
        for name in sorted(os.listdir(d)):
            if not name.endswith(".c.o") or name not in members:
                continue
            stem = name[:-len(".c.o")]
            if lib.startswith("lib/pkt/") and not stem.startswith("."):
                folder, base = "pkt", stem  # named by its file alone
            else:
                # FOLDER_FILE; a file of another folder in the parser's library is named
                # .._FOLDER_FILE (__FOLDER_FILE by older meson).
                folder, base = stem.lstrip("._").split("_", 1)
            out.append((folder, "lib/%s/%s.c" % (folder, base), os.path.join(d, name)))
    # The programs, each a folder of its own above the libraries.
    for app in ("mpgw", "mpgwctl"):
        d = os.path.join(build, "app", app, app + ".p")
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if name.endswith(".c.o"):
                out.append(("app/" + app, "app/%s/%s" % (app, name[:-len(".o")]),
                            os.path.join(d, name)))
    return out


def symbols(path):
    """(defined, used) global symbols of one object."""
    defined, used = set(), set()
    text = subprocess.run(["nm", "-P", path], check=True, capture_output=True, text=True).stdout
    for line in text.splitlines():
        f = line.split()
        if len(f) < 2:
            continue
        name, kind = f[0], f[1]
        if kind == "U":
            used.add(name)
        elif kind.isupper():
            defined.add(name)
    return defined, used


def cycles(graph):
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, comps = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(frozenset(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return comps


def load_rules(rules):
    known, layer, allow, long_ok = [], {}, set(), set()
    with open(rules) as f:
        for n, line in enumerate(f, 1):
            w = line.split("#", 1)[0].split()
            if not w:
                continue
            if w[0] == "cycle" and len(w) >= 3:
                known.append((frozenset(w[1:]), n))
            elif w[0] == "layer" and len(w) >= 3:
                rank = len(set(layer.values()))
                for folder in w[2:]:
                    layer[folder] = rank
            elif w[0] == "long" and len(w) == 2:
                long_ok.add(w[1])
            elif w[0] == "allow" and len(w) == 4:
                allow.add((w[1], w[2], w[3]))
            else:
                sys.exit("%s:%d: cannot read %r" % (rules, n, line.strip()))
    return known, layer, allow, long_ok


def main():
    args = sys.argv[1:]
    rules = RULES
    if "--rules" in args:
        i = args.index("--rules")
        rules = args[i + 1]
        del args[i:i + 2]
    expect = "--expect-violations" in args
    if expect:
        args.remove("--expect-violations")
    build = args[0] if args else os.path.join(SRC, "build")
    objs = objects(build)
    owner = {}
    uses = {}
    for folder, source, path in objs:
        d, u = symbols(path)
        for s in d:
            owner[s] = (folder, source)
        uses[(folder, source)] = u
    # edges[(from folder, to folder)] = {symbol: [user files]}
    edges = collections.defaultdict(lambda: collections.defaultdict(list))
    for (folder, source), used in uses.items():
        for s in used:
            if s in owner and owner[s][0] != folder:
                edges[(folder, owner[s][0])][s].append(source)
    graph = collections.defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    files = collections.defaultdict(set)
    for (folder, source), used in uses.items():
        for s in used:
            if s in owner and owner[s][1] != source:
                files[source].add(owner[s][1])

    known, layer, allow, long_ok = load_rules(rules)
    bad = []
    found = cycles(graph)
    for comp in found:
        if not any(comp <= k for k, _ in known):
            bad.append("a cycle between folders: %s" % " ".join(sorted(comp)))
            for a, b in sorted(edges):
                if a in comp and b in comp:
                    for s, users in sorted(edges[(a, b)].items()):
                        bad.append("    %s -> %s: %s uses %s (%s)" %
                                   (a, b, ", ".join(sorted(set(users))), s, owner[s][1]))
    file_cycles = cycles(files)
    for comp in file_cycles:
        if not any(comp <= k for k, _ in known):
            bad.append("a cycle between files: %s" % " ".join(sorted(comp)))
            folder_of = {src: f for f, src in uses}
            for a in sorted(comp):
                for s in sorted(uses[(folder_of[a], a)]):
                    if s in owner and owner[s][1] in comp and owner[s][1] != a:
                        bad.append("    %s uses %s (%s)" % (a, s, owner[s][1]))
    found += file_cycles
    for k, n in known:
        if not any(comp <= k for comp in found) or not any(k <= comp for comp in found):
            bad.append("layers.txt:%d: `cycle %s` is no longer one (update the list)" %
                       (n, " ".join(sorted(k))))
    for folder in sorted({f for f, _, _ in objs} - set(layer)):
        bad.append("layers.txt: folder %s is in no layer" % folder)
    used_allow = set()
    for a, b in sorted(edges):
        if layer.get(b, -1) <= layer.get(a, -1):
            continue
        for s, users in sorted(edges[(a, b)].items()):
            if (a, b, s) in allow:
                used_allow.add((a, b, s))
                continue
            bad.append("%s may not use %s, a higher layer: %s uses %s (%s)" %
                       (a, b, ", ".join(sorted(set(users))), s, owner[s][1]))
    for a, b, s in sorted(allow - used_allow):
        bad.append("layers.txt: `allow %s %s %s` is no longer used (update the list)" % (a, b, s))

    long_files = set()
    for top in ("lib", "app", "tests", "tools"):
        for d, _, names in os.walk(os.path.join(SRC, top)):
            for name in names:
                if name.endswith(".c"):
                    path = os.path.join(d, name)
                    with open(path, errors="replace") as f:
                        n = sum(1 for _ in f)
                    if n > MAX_LINES:
                        rel = os.path.relpath(path, SRC)
                        long_files.add(rel)
                        if rel not in long_ok:
                            bad.append("%s: %d lines, more than %d: split it by job" %
                                       (rel, n, MAX_LINES))
    for rel in sorted(long_ok - long_files):
        bad.append("layers.txt: `long %s` is no longer so (update the list)" % rel)

    print("check_layers: %d objects, %d folder edges, %d cycles between folders or files "
          "(%d known)" % (len(objs), len(edges), len(found), len(known)))
    for line in bad:
        print(line)
    if expect:
        # The check's own test: rules the build breaks must be reported as broken.
        if any("may not use" in line for line in bad):
            print("check_layers: the violations were found, as expected")
            return 0
        print("check_layers: expected a layer violation, found none")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
