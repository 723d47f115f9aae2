#!/usr/bin/env python3
"""Benign technical text for measuring false positives: crate READMEs from the local cargo
registry and 4 KB pieces of Rust, Python and /usr/share/doc files, each with a request
("Summarize this README for me:", "Explain what this code does:", ...).

    python3 scripts/technical_corpus.py OUT_DIR
    cargo run --release -- eval OUT_DIR/readmes.jsonl
    cargo run --release -- eval OUT_DIR/code.jsonl

The files come from this machine, so the corpus differs between machines; the seeds fix the
sample on one. Every row is labelled benign: `eval` prints the share blocked per set.
"""
import glob
import json
import os
import random
import sys


def registry_src():
    home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    return os.path.join(home, "registry", "src")


def readmes(out):
    files = sorted(glob.glob(os.path.join(registry_src(), "*", "*", "README.md")))
    random.seed(7)
    random.shuffle(files)
    n = 0
    for f in files[:300]:
        text = open(f, errors="replace").read()
        if len(text) < 300:
            continue
        row = {"text": "Summarize this README for me:\n\n" + text[:6000], "label": "benign",
               "set": "readmes"}
        out.write(json.dumps(row) + "\n")
        n += 1
    return n


def code(out):
    random.seed(11)
    rust = sorted(glob.glob(os.path.join(registry_src(), "*", "*", "src", "**", "*.rs"),
                            recursive=True))
    random.shuffle(rust)
    docs = sorted(glob.glob("/usr/share/doc/*/README*") + glob.glob("/usr/share/doc/*/*.md"))
    random.shuffle(docs)
    python = sorted(glob.glob("/usr/lib/python3*/**/*.py", recursive=True))
    random.shuffle(python)
    n = 0

    def add(prefix, path, name):
        nonlocal n
        try:
            text = open(path, errors="replace").read()
        except OSError:
            return
        if len(text) < 400 or path.endswith(".gz"):
            return
        start = random.randint(0, max(0, len(text) - 4000))
        row = {"text": prefix + text[start:start + 4000], "label": "benign", "set": name}
        out.write(json.dumps(row) + "\n")
        n += 1

    for f in rust[:300]:
        add("Explain what this code does:\n\n", f, "rust")
    for f in docs[:150]:
        add("Summarize this:\n\n", f, "sharedoc")
    for f in python[:300]:
        add("Can you review this Python code?\n\n", f, "python")
    return n


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: technical_corpus.py OUT_DIR")
    os.makedirs(sys.argv[1], exist_ok=True)
    with open(os.path.join(sys.argv[1], "readmes.jsonl"), "w") as out:
        r = readmes(out)
    with open(os.path.join(sys.argv[1], "code.jsonl"), "w") as out:
        c = code(out)
    print(f"{r} READMEs, {c} pieces of code and documentation")


if __name__ == "__main__":
    main()
