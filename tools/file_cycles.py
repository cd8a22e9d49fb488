#!/usr/bin/env python3
"""Import cycles between the source files of each crate of the workspace.

A file depends on another when it names an item of that file's module through `crate::…`,
`super::…` or a `use` of a sibling module; a module's `mod` declarations and its own
`#[cfg(test)] mod tests` are not dependencies. Prints every cycle and exits 1 if there is one.
usage: tools/file_cycles.py [CRATE_SRC_DIR...]   (default: src and crates/*/src)
"""
import glob
import os
import re
import sys

def modules(src):
    files = {}
    for path in glob.glob(os.path.join(src, "**", "*.rs"), recursive=True):
        rel = os.path.relpath(path, src)[:-3].split(os.sep)
        if rel[-1] in ("lib", "main", "mod"):
            rel = rel[:-1]
        if "bin" in rel[:1]:
            continue
        files[tuple(rel)] = path
    return files

def strip_tests(text):
    m = re.search(r"#\[cfg\(test\)\]\s*(pub(\([a-z]+\))?\s+)?mod tests", text)
    text = text[: m.start()] if m else text
    text = re.sub(r"//[^\n]*", "", text)
    return text

def expand_use_groups(text):
    """`use super::{a, b::c}` → `super::a super::b::c` (one level of braces)."""
    out = []
    for m in re.finditer(r"\b((?:crate|super|self)(?:::[A-Za-z_0-9]+)*)::\{([^{}]*)\}", text):
        for part in m.group(2).split(","):
            part = part.strip()
            if part:
                out.append(m.group(1) + "::" + part)
    return " ".join(out)

def resolve(path, here, mods):
    parts = path.split("::")
    base = list(here)
    i = 0
    if parts[0] == "crate":
        base, i = [], 1
    while i < len(parts) and parts[i] in ("super", "self"):
        if parts[i] == "super":
            base = base[:-1]
        i += 1
    rest = parts[i:]
    best = None
    for n in range(len(rest), -1, -1):
        cand = tuple(base + rest[:n])
        if cand in mods:
            best = cand
            break
    return best

def cycles(src):
    mods = modules(src)
    graph = {m: set() for m in mods}
    for mod, path in mods.items():
        text = strip_tests(open(path, encoding="utf-8").read())
        text += " " + expand_use_groups(text)
        for m in re.finditer(r"\b(?:crate|super)(?:::[A-Za-z_0-9]+)+", text):
            target = resolve(m.group(0), mod, mods)
            if target is not None and target != mod:
                graph[mod].add(target)
    found, index, low, stack, on, counter = [], {}, {}, [], set(), [0]
    def strong(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(mods[c] for c in comp))
    for v in graph:
        if v not in index:
            strong(v)
    return found

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    srcs = sys.argv[1:] or [os.path.join(root, "src")] + sorted(glob.glob(os.path.join(root, "crates", "*", "src")))
    bad = 0
    for src in srcs:
        for comp in cycles(src):
            bad += 1
            print("cycle: " + " <-> ".join(os.path.relpath(p, root) for p in comp))
    print(f"{bad} cycle(s) in {len(srcs)} crates")
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
