/* model.h - what clausebot's encoder engine shares between its files (e5.h is what it
 * exports): the model and tokenizer as loaded (model.c, tokenizer.c) and encoded with
 * (e5.c), and the reads of a model image. */
#ifndef CLAUSEBOT_MODEL_H
#define CLAUSEBOT_MODEL_H

#include "e5.h"
#include "kernels.h"
#include <stdint.h>
#include <string.h>

typedef struct {
    const block_q4_0 *qw, *kw, *vw, *aow, *fiw, *fow;   /* in the file */
    qmat qx, kx, vx, aox, fix, fox;                     /* expanded at load */
    const float *qb, *kb, *vb, *aob, *aln_w, *aln_b, *fib, *fob, *oln_w, *oln_b;
} layer_t;

typedef struct {
    /* unigram vocab */
    int n_pieces, bos, eos, pad, unk;
    float unk_score;
    int max_piece_bytes;
    uint32_t *offs;      /* n_pieces+1 byte offsets into blob (heap copy) */
    float    *scores;    /* n_pieces (heap copy) */
    const char *blob;    /* piece bytes (mmap) */
    /* open addressing over the pieces: each slot a piece's hash above its low PIECE_BITS and
     * its index + 1 there; 0 = empty (tokenizer.c) */
    uint64_t *ht; uint32_t ht_mask;
    /* a bit for each hash of a piece or a prefix of one, at character boundaries: a span
     * whose bit is clear begins no piece (tokenizer.c, tok_content) */
    uint64_t *begins; uint32_t begins_mask;
    /* normalization map (sorted by cp) */
    int n_norm;
    uint32_t *norm_cp;   /* n_norm sorted codepoints */
    uint32_t *norm_off;  /* n_norm+1 offsets into norm_out */
    uint32_t *norm_out;  /* flattened replacement codepoints */
} tokenizer;

struct e5_model {
    int H, NL, NH, FF, VOC, MAXP, TVS;
    float eps;
    int qk, hd, nb_word;
    const block_q4_0 *word;
    const float *word_f;          /* float word embeddings (bert_load_f32), else NULL */
    int f32;                      /* float weights (bert_load_f32, not in 7 bits): activations not quantized */
    int bf;                       /* ... in bfloat16 (qmat_bf16) */
    const float *pos, *type, *eln_w, *eln_b;
    layer_t *layers;
    tokenizer tok;
    void *map; size_t map_size;   /* mmap region */
};

/* cursor reads (unaligned-safe) */
typedef struct { const uint8_t *p; } cur;
static inline int32_t rd_i32(cur *c){ int32_t v; memcpy(&v,c->p,4); c->p+=4; return v; }
static inline uint32_t rd_u32(cur *c){ uint32_t v; memcpy(&v,c->p,4); c->p+=4; return v; }
static inline uint64_t rd_u64(cur *c){ uint64_t v; memcpy(&v,c->p,8); c->p+=8; return v; }
static inline float rd_f32(cur *c){ float v; memcpy(&v,c->p,4); c->p+=4; return v; }
static inline uint16_t rd_u16(cur *c){ uint16_t v; memcpy(&v,c->p,2); c->p+=2; return v; }

#define INTERNAL_E5 __attribute__((visibility("hidden")))

/* tokenizer.c: the tokenizer's part of a model image from p (its pieces, their scores and
 * the normalization map) read into t, with the pieces' hash table; where the part ends */
INTERNAL_E5 const uint8_t *tok_read(tokenizer *t, const uint8_t *p);
INTERNAL_E5 void tok_free(tokenizer *t);
/* the ids of the text's tokens (no <s>, </s>) into out_ids[0..max_out): how many there are */
INTERNAL_E5 int tok_content(const tokenizer *t, const char *text, int *out_ids, int max_out);

#endif
