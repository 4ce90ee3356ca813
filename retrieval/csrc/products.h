/* products.h - what the files of the matrix products share (the encoder sees kernels.h
 * alone): qmat.c lays the weights out for the kernel the CPU runs best and sends each
 * product to it; int8_vnni.c and int8_avx2.c multiply e5's 4-bit weights by 8-bit
 * activations and MiniLM's 7-bit weights by 7-bit ones (ACT_TOP), float_products.c MiniLM's
 * float weights by float ones. */
#ifndef CLAUSEBOT_PRODUCTS_H
#define CLAUSEBOT_PRODUCTS_H

#include "kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* shared between the engine's files, not exported from the library */
#define INTERNAL __attribute__((visibility("hidden")))

/* qmat.c: room for nout x nin weights a byte each and a float scale a block (w, d), the
 * other fields unset; 0 or -1 */
INTERNAL int qmat_alloc(qmat *M, int nout, int nin);
/* int8_vnni.c: the VNNI kernel's layout (16 rows side by side) and its product */
INTERNAL int qmat_interleave(qmat *M, int nout, int nin);
INTERNAL void matmul_vnni(const qmat *M, const float *bias, const uint8_t *aq,
                          const float *ad, float *Y, int L, int nout, int nin);
/* int8_avx2.c: the AVX2 kernel's layouts (8 rows side by side, bytes or e5's nibbles) and
 * its product */
INTERNAL int qmat_interleave8(qmat *M, int nout, int nin);
INTERNAL int qmat_nibbles(qmat *M, int nout, int nin);
INTERNAL void matmul_avx2(const qmat *M, const float *bias, const uint8_t *aq,
                          const float *ad, float *Y, int L, int nout, int nin);

#endif
