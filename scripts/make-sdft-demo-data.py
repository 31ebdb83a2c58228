#!/usr/bin/env python3
"""Writes configs/data/sdft_demo.jsonl (64) and configs/data/sdft_heldout.jsonl (16).

The new skill: "Which is larger, A or B?" for two-digit numbers, answered in the built-in corpus's
question/answer format (Question: ... / Answer: work / The answer is \\boxed{N}.). The pretraining corpus
has additions, subtractions, products and algebra, but never comparisons. Deterministic (seed 7); the
held-out pairs never occur in the training file.
"""
import json
import random

rng = random.Random(7)
pairs = set()
while len(pairs) < 80:
    a, b = rng.randint(10, 99), rng.randint(10, 99)
    if a != b and (a, b) not in pairs and (b, a) not in pairs:
        pairs.add((a, b))
pairs = sorted(pairs, key=lambda p: rng.random())


def record(a, b):
    big, small = max(a, b), min(a, b)
    return {
        "prompt": f"Question: Which is larger, {a} or {b}?\nAnswer:",
        "demonstration": f"{big} is larger than {small}.\nThe answer is \\boxed{{{big}}}.",
        "answer": str(big),
    }


for path, chunk in (("configs/data/sdft_demo.jsonl", pairs[:64]), ("configs/data/sdft_heldout.jsonl", pairs[64:])):
    with open(path, "w") as f:
        for a, b in chunk:
            f.write(json.dumps(record(a, b)) + "\n")
