/* late.c - products of a few vectors with many rows, in single precision, where BLAS would
 * pack the many rows for every call:
 * - late interaction's token matches (retrieval/late.py, token_matches): for each clause read,
 *   each question token's best cosine with any of the clause's tokens. NumPy gathered the
 *   clauses' token states into one matrix (a copy of about 5 MB for twenty paragraphs of the
 *   public benchmark) and multiplied it with the question's; this reads each clause's states
 *   where they lie, in single or half precision (converted exactly, eight at a time), and
 *   keeps only the maxima;
 * - the word bridge's cosines (retrieval/bridge.py): a question's words and its own vector
 *   against every word of the corpus vocabulary. For a dozen vectors OpenBLAS took as long as
 *   a dozen products with one (0.6-1.0 ms for xquad-dev's 3,490 words); this reads each word
 *   once.
 * Both take six of the many rows against sixteen of the few vectors a pass, and share the rows
 * out between threads. The many rows come from memory as a rule (a model pass, or another
 * program on the machine, has pushed them out of the caches since the last question), and
 * the hardware's prefetcher stops at each 4 KB page: each pass brings in the next pass's rows
 * while it computes (ahead), which took token matches over twenty clauses from 0.57 to 0.49
 * ms (the bundled corpus) and 0.91 to 0.73 ms (xquad-dev), and a dozen cosines with 3,490
 * words from 0.65 to 0.44 ms (docs/performance.md, forty-third session). Each cosine is
 * summed dimension by dimension, not in BLAS's order: NumPy's values to the last bits of a
 * float (within 7e-7, tests/test_native.py). */
#include "e5.h"

#include <immintrin.h>
#include <float.h>
#include <stdint.h>
#include <stdlib.h>

#define ROWS 6 /* clause tokens a pass */
#define COLS 16 /* question tokens a pass: two vectors */

/* The cosines of the ROWS rows a[] with nv vectors of eight question tokens (or vectors) from
 * column j of qt (nv a constant where it is inlined: 2, or 1 for the last eight), into acc.
 * With `ahead` (else NULL), the next pass's ROWS rows, which lie there side by side in single
 * precision (half: in half precision), are fetched into the cache while this pass computes:
 * ROWS lines every 16 dimensions (32 in half precision), all of them by the pass's end. */
static inline __attribute__((always_inline)) void
rows_pass(const float *const a[ROWS], const float *qt, int width, int j, int dim,
          __m256 acc[ROWS][2], const int nv, const char *ahead, int half) {
    __m256 sum[ROWS][2]; /* summed here, in registers: acc[] is written once, at the end */
    for (int i = 0; i < ROWS; i++)
        for (int v = 0; v < nv; v++) sum[i][v] = _mm256_setzero_ps();
    for (int k = 0; k < dim; k++) {
        /* a mask: `k % (16 << half)` divided at every step (no constant), twice the time */
        if (ahead && !(k & ((16 << half) - 1))) { /* the lines from k * ROWS values on */
            const char *line = ahead + ((size_t)k * ROWS * sizeof(float) >> half);
            for (int l = 0; l < ROWS; l++) _mm_prefetch(line + 64 * l, _MM_HINT_T0);
        }
        __m256 b[2];
        for (int v = 0; v < nv; v++) b[v] = _mm256_loadu_ps(qt + (int64_t)k * width + j + 8 * v);
        for (int i = 0; i < ROWS; i++) {
            __m256 x = _mm256_broadcast_ss(a[i] + k);
            for (int v = 0; v < nv; v++) sum[i][v] = _mm256_fmadd_ps(x, b[v], sum[i][v]);
        }
    }
    for (int i = 0; i < ROWS; i++)
        for (int v = 0; v < nv; v++) acc[i][v] = sum[i][v];
}

/* rows_pass for ROWS clause tokens, and each column's best so far in best[]. */
static inline __attribute__((always_inline)) void
cols_pass(const float *const a[ROWS], const float *qt, int width, int j, int dim, float *best,
          const int nv, const char *ahead, int half) {
    __m256 acc[ROWS][2];
    rows_pass(a, qt, width, j, dim, acc, nv, ahead, half);
    for (int v = 0; v < nv; v++) {
        __m256 m = _mm256_loadu_ps(best + j + 8 * v);
        for (int i = 0; i < ROWS; i++) m = _mm256_max_ps(m, acc[i][v]);
        _mm256_storeu_ps(best + j + 8 * v, m);
    }
}

/* The vectors (nq of dim floats) transposed: dim rows of `width` floats (nq padded with zeros
 * to a multiple of 8), or NULL when out of memory. */
static float *transposed(const float *vectors, int nq, int dim, int *width) {
    *width = (nq + 7) / 8 * 8;
    float *qt = calloc((size_t)dim * *width, sizeof(float));
    if (qt)
        for (int j = 0; j < nq; j++)
            for (int k = 0; k < dim; k++) qt[(int64_t)k * *width + j] = vectors[(int64_t)j * dim + k];
    return qt;
}

/* One clause: best[j] = the best of question token j's cosines with rows s0..s1 of the
 * states. The question comes transposed (qt: dim rows of `width` floats, its tokens side by
 * side, padded with zeros to a multiple of 8); each pass (cols_pass) broadcasts one float of
 * each of ROWS clause tokens against COLS question tokens, or against the last eight (in half
 * precision, the ROWS rows are first converted into `rows`). */
static void clause_best(const void *states, int half, int64_t s0, int64_t s1, const float *qt,
                        int width, int dim, float *rows, float *best) {
    for (int j = 0; j < width; j += 8) _mm256_storeu_ps(best + j, _mm256_set1_ps(-FLT_MAX));
    for (int64_t r = s0; r < s1; r += ROWS) {
        int nr = s1 - r < ROWS ? (int)(s1 - r) : ROWS;
        const float *a[ROWS];
        for (int i = 0; i < ROWS; i++) {
            int64_t row = r + (i < nr ? i : nr - 1); /* a short pass repeats its last row */
            if (half) {
                const uint16_t *h = (const uint16_t *)states + row * dim;
                for (int k = 0; k < dim; k += 8)
                    _mm256_storeu_ps(rows + i * dim + k,
                                     _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + k))));
                a[i] = rows + i * dim;
            } else {
                a[i] = (const float *)states + row * dim;
            }
        }
        /* the clause's next rows, fetched during the first pass over this pass's */
        const char *next =
            r + ROWS < s1 ? (const char *)states + (r + ROWS) * dim * (half ? 2 : 4) : NULL;
        for (int j = 0; j < width; j += COLS) {
            const char *ahead = j ? NULL : next;
            if (width - j >= COLS) cols_pass(a, qt, width, j, dim, best, 2, ahead, half);
            else cols_pass(a, qt, width, j, dim, best, 1, ahead, half); /* the last eight */
        }
    }
}

int late_token_matches(const void *states, int half, const int64_t *starts, const int64_t *ids,
                       int n, const float *question, int nq, int dim, float *out) {
    if (dim % 8 || n < 0 || nq < 0) return -1;
    if (n == 0 || nq == 0) return 0;
    int width;
    float *qt = transposed(question, nq, dim, &width);
    if (!qt) return -1;
    int failed = 0;
#pragma omp parallel
    {
        float *rows = malloc(sizeof(float) * ((size_t)ROWS * dim + width));
        if (!rows) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int c = 0; c < n; c++) {
            if (!rows) continue;
            int64_t s0 = starts[ids[c]], s1 = starts[ids[c] + 1];
            float *best = rows + (size_t)ROWS * dim;
            if (s1 > s0) clause_best(states, half, s0, s1, qt, width, dim, rows, best);
            for (int j = 0; j < nq; j++) out[(int64_t)c * nq + j] = s1 > s0 ? best[j] : 0.f;
        }
        free(rows);
    }
    free(qt);
    return failed ? -1 : 0;
}

int rows_cosines(const float *rows, int64_t n, const float *vectors, int nv, int dim, float *out) {
    if (dim % 8 || n < 0 || nv < 0) return -1;
    if (n == 0 || nv == 0) return 0;
    int width;
    float *qt = transposed(vectors, nv, dim, &width);
    if (!qt) return -1;
    int64_t passes = (n + ROWS - 1) / ROWS;
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < passes; p++) {
        int64_t r = p * ROWS;
        int nr = n - r < ROWS ? (int)(n - r) : ROWS;
        const float *a[ROWS];
        for (int i = 0; i < ROWS; i++) a[i] = rows + (r + (i < nr ? i : nr - 1)) * dim;
        for (int j = 0; j < width; j += COLS) {
            __m256 acc[ROWS][2];
            float tile[ROWS][COLS];
            int nvec = width - j >= COLS ? 2 : 1;
            const char *ahead =
                !j && p + 1 < passes ? (const char *)(rows + (r + ROWS) * dim) : NULL;
            if (nvec == 2) rows_pass(a, qt, width, j, dim, acc, 2, ahead, 0);
            else rows_pass(a, qt, width, j, dim, acc, 1, ahead, 0); /* the last eight */
            for (int i = 0; i < nr; i++)
                for (int v = 0; v < nvec; v++) _mm256_storeu_ps(tile[i] + 8 * v, acc[i][v]);
            for (int c = j; c < j + 8 * nvec && c < nv; c++)
                for (int i = 0; i < nr; i++) out[(int64_t)c * n + r + i] = tile[i][c - j];
        }
    }
    free(qt);
    return 0;
}
