"""Regenerates tiny.model and expected-ids.json with the reference SentencePiece (Python package).

The training options mirror TokenizerTrainingOptions.sentencePieceOptions (identity normalisation, no dummy
prefix, no whitespace folding, byte fallback, fixed special ids, "\n" as a user-defined symbol). The Swift
test loads tiny.model through our C shim and must produce exactly the ids recorded here.
Run from this folder: python3 make_fixture.py
"""
import hashlib
import io
import json
import sentencepiece as spm

lines = [l for l in open("training-text.txt", encoding="utf-8").read().split("\n") if l]
model = io.BytesIO()
spm.SentencePieceTrainer.train(
    sentence_iterator=iter(lines), model_writer=model,
    model_type="bpe", vocab_size=400, character_coverage=1.0, byte_fallback=True,
    normalization_rule_name="identity", add_dummy_prefix=False, remove_extra_whitespaces=False,
    allow_whitespace_only_pieces=True, split_digits=True, user_defined_symbols=["\n"],
    pad_id=0, unk_id=1, bos_id=2, eos_id=3, pad_piece="<pad>", unk_piece="<unk>", bos_piece="<s>",
    eos_piece="</s>", num_threads=1, minloglevel=2)
open("tiny.model", "wb").write(model.getvalue())

sp = spm.SentencePieceProcessor(model_file="tiny.model")
texts = [
    "", "The quick brown fox", "17 + 25 = 42 so \\boxed{42}", "def add(a, b):\n    return a + b\n",
    "emoji 🙂🚀🧪👩‍🔬", "CJK 漢字かな한글 (unseen: 猫)", "   runs   of  spaces   ", "\t\ttabs\tand\nnewlines\n\n",
    "name: alice\nage: 31\n", "café naïve e\u0301", "zero-width \u200b joiner", "\u0000 nul and \u007f del",
]
cases = [{"text": t, "ids": sp.encode(t), "pieces": sp.encode(t, out_type=str)} for t in texts]
for c in cases:
    assert sp.decode(c["ids"]) == c["text"], c
sha256 = hashlib.sha256(open("tiny.model", "rb").read()).hexdigest()
with open("expected-ids.json", "w", encoding="utf-8") as out:
    out.write('{"vocab_size": %d, "sha256": "%s", "cases": [\n' % (sp.get_piece_size(), sha256))
    out.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in cases))
    out.write("\n]}\n")

# A model with SentencePiece's default special ids (unk 0, bos 1, eos 2, no pad): loading it must fail.
other = io.BytesIO()
spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=other, model_type="bpe", vocab_size=400,
                               byte_fallback=True, character_coverage=1.0, num_threads=1, minloglevel=2)
open("default-ids.model", "wb").write(other.getvalue())
print("vocab", sp.get_piece_size(), "cases", len(cases))
