/* 1×1 convolution as a GEMM without the GEMM library's extra passes.
 *
 * OpenBLAS computes C = A·B by zeroing C (its beta pass), packing A and B, then accumulating;
 * a 1×1 convolution over small images also needed its images copied into one column matrix and
 * the product copied back out into NCHW with the bias and activation. Here a strip of 16 columns
 * (positions of one or more images) is copied once into a K×16 panel, six output channels at a
 * time are accumulated in twelve AVX registers over all K, and the bias, residual sum and
 * activation are applied while storing straight into the NCHW output.
 */
#include "CKernels.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

int otk_has_avx2_fma(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int otk_has_avx512f(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}
#else
int otk_has_avx2_fma(void) { return 0; }
int otk_has_avx512f(void) { return 0; }
#endif

enum { ROWS = 6, COLS = 16 };

/* A strip of up to 16 columns (column j: position j % p of image j / p), as runs within one
   image: image, first position, offset in the strip, length. */
typedef struct {
  int segs, width;
  long image[COLS + 1];
  int pos[COLS + 1], off[COLS + 1], len[COLS + 1];
} strip;

static inline void strip_segments(long j0, int width, int p, strip *st) {
  int segs = 0;
  for (int off = 0; off < width;) {
    long j = j0 + off;
    long n = j / p;
    int q = (int)(j % p);
    int len = p - q < width - off ? p - q : width - off;
    st->image[segs] = n;
    st->pos[segs] = q;
    st->off[segs] = off;
    st->len[segs] = len;
    segs++;
    off += len;
  }
  st->segs = segs;
  st->width = width;
}

/* How many strips share one pass over the weights (at most 8, their panels within 256 KiB):
   each six-row block of weights is read once per group of strips, so on few, narrow strips
   (small planes) the weights are not streamed from the outer caches for every 16 columns. */
static int otk_strip_group_limit = 8;

void otk_set_strip_group_limit(int limit) { otk_strip_group_limit = limit; }
static int otk_rows_in_place = 1;
void otk_set_rows_in_place(int on) { otk_rows_in_place = on; }
static int otk_prefetch_rows = 1;
/* The in-place rows only up to this K (see otk_pointwise_columns). */
static int otk_in_place_max_k = 256;
void otk_set_in_place_max_k(int k) { otk_in_place_max_k = k; }
void otk_set_prefetch_rows(int on) { otk_prefetch_rows = on; }

static inline int group_max(int k) {
  int g = 4096 / (k > 0 ? k : 1);
  int limit = otk_strip_group_limit < 1 ? 1 : otk_strip_group_limit > 8 ? 8 : otk_strip_group_limit;
  return g < 1 ? 1 : g > limit ? limit : g;
}

/* The group size for `strips` strips: as even as the maximum allows. */
static inline int group_size(long strips, int k) {
  long gmax = group_max(k);
  long groups = (strips + gmax - 1) / gmax;
  return groups > 0 ? (int)((strips + groups - 1) / groups) : 1;
}

/* Floats of one strip's panel: K×16, plus 16 spare floats (the windowed gather's spill). */
static inline size_t panel_floats(int k) { return (size_t)k * COLS + COLS; }


/* A group's panels, the result tile (6×16), partial sums (group·blocks·6·16), K row offsets,
   alignment. */
size_t otk_pointwise_scratch_size(int m, int k) {
  size_t g = (size_t)group_max(k);
  return g * panel_floats(k) + ROWS * COLS + g * (size_t)((m + ROWS - 1) / ROWS) * ROWS * COLS + (size_t)k + 16;
}

size_t otk_packed_weights_size(int m, int k) { return (size_t)((m + ROWS - 1) / ROWS) * ROWS * (size_t)k; }

void otk_pack_weights(const float *w, int m, int k, float *packed) {
  int blocks = (m + ROWS - 1) / ROWS;
  for (int b = 0; b < blocks; b++) {
    float *dst = packed + (size_t)b * ROWS * k;
    for (int r = 0; r < ROWS; r++) {
      int row = b * ROWS + r;
      if (row < m) {
        const float *src = w + (size_t)row * k;
        for (int kk = 0; kk < k; kk++) dst[(size_t)kk * ROWS + r] = src[kk];
      } else {
        for (int kk = 0; kk < k; kk++) dst[(size_t)kk * ROWS + r] = 0;
      }
    }
  }
}

#if defined(__x86_64__)
#include "activate.h"

/* dst[i] = act(src[i] + bias (+ sum[i])) for i < len: eight at a time, then one at a time with
   the same rules. */
__attribute__((target("avx2,fma"))) static inline void store_row(
  float *restrict dst, const float *restrict src, int len, float bias, const float *restrict sum, int activation,
  float p0, float p1) {
  int i = 0;
  const __m256 vb = _mm256_set1_ps(bias);
  for (; i + 8 <= len; i += 8) {
    __m256 v = _mm256_add_ps(_mm256_loadu_ps(src + i), vb);
    if (sum) v = _mm256_add_ps(v, _mm256_loadu_ps(sum + i));
    _mm256_storeu_ps(dst + i, activate8(v, activation, p0, p1));
  }
  for (; i < len; i++) {
    float v = src[i] + bias;
    if (sum) v += sum[i];
    dst[i] = activate1(v, activation, p0, p1);
  }
}

/* acc[rows×16] (+)= `rows` (2, 4 or 6) weight rows · panel[kc×16], in registers; row r's
   element kk is a_r[kk·step]; panel row kk is the 16 floats at bp + 16·kk, or, with `offsets`,
   at bp + offsets[kk] (read in place from a bordered image). `from` (or zero) holds the
   starting sums. Inlined with constant rows, step (1: rows in place; ROWS: packed) and
   offsets-or-NULL, so each variant keeps only its own accumulators and addressing. */
__attribute__((target("avx2,fma"), always_inline)) static inline void kernel_rows_x16(
  const int rows, const float *a0, const float *a1, const float *a2, const float *a3, const float *a4,
  const float *a5, const ptrdiff_t step, const float *bp, const int32_t *offsets, const float *pf, int kc,
  const float *from, float *acc) {
  __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
  c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
  if (from) {
    c00 = _mm256_load_ps(from + 0); c01 = _mm256_load_ps(from + 8);
    c10 = _mm256_load_ps(from + 16); c11 = _mm256_load_ps(from + 24);
    if (rows > 2) {
      c20 = _mm256_load_ps(from + 32); c21 = _mm256_load_ps(from + 40);
      c30 = _mm256_load_ps(from + 48); c31 = _mm256_load_ps(from + 56);
    }
    if (rows > 4) {
      c40 = _mm256_load_ps(from + 64); c41 = _mm256_load_ps(from + 72);
      c50 = _mm256_load_ps(from + 80); c51 = _mm256_load_ps(from + 88);
    }
  }
  for (int kk = 0; kk < kc; kk++) {
    __m256 b0, b1;
    if (offsets) {
      b0 = _mm256_loadu_ps(bp + offsets[kk]);
      b1 = _mm256_loadu_ps(bp + offsets[kk] + 8);
      if (pf) _mm_prefetch((const char *)(pf + offsets[kk]), _MM_HINT_T0);
    } else {
      b0 = _mm256_load_ps(bp);
      b1 = _mm256_load_ps(bp + 8);
      bp += COLS;
    }
    __m256 v;
    ptrdiff_t i = kk * step;
    v = _mm256_broadcast_ss(a0 + i); c00 = _mm256_fmadd_ps(v, b0, c00); c01 = _mm256_fmadd_ps(v, b1, c01);
    v = _mm256_broadcast_ss(a1 + i); c10 = _mm256_fmadd_ps(v, b0, c10); c11 = _mm256_fmadd_ps(v, b1, c11);
    if (rows > 2) {
      v = _mm256_broadcast_ss(a2 + i); c20 = _mm256_fmadd_ps(v, b0, c20); c21 = _mm256_fmadd_ps(v, b1, c21);
      v = _mm256_broadcast_ss(a3 + i); c30 = _mm256_fmadd_ps(v, b0, c30); c31 = _mm256_fmadd_ps(v, b1, c31);
    }
    if (rows > 4) {
      v = _mm256_broadcast_ss(a4 + i); c40 = _mm256_fmadd_ps(v, b0, c40); c41 = _mm256_fmadd_ps(v, b1, c41);
      v = _mm256_broadcast_ss(a5 + i); c50 = _mm256_fmadd_ps(v, b0, c50); c51 = _mm256_fmadd_ps(v, b1, c51);
    }
  }
  _mm256_store_ps(acc + 0, c00); _mm256_store_ps(acc + 8, c01);
  _mm256_store_ps(acc + 16, c10); _mm256_store_ps(acc + 24, c11);
  if (rows > 2) {
    _mm256_store_ps(acc + 32, c20); _mm256_store_ps(acc + 40, c21);
    _mm256_store_ps(acc + 48, c30); _mm256_store_ps(acc + 56, c31);
  }
  if (rows > 4) {
    _mm256_store_ps(acc + 64, c40); _mm256_store_ps(acc + 72, c41);
    _mm256_store_ps(acc + 80, c50); _mm256_store_ps(acc + 88, c51);
  }
}

/* The kernel's variants as functions of their own (rows 2, 4 or 6; weights in place or
   packed), so that each gets all sixteen registers: inlined into the strip loops, the compiler
   kept the store path's constants in registers and spilled accumulators inside the loop (2x
   slower). */
#define OTK_KERNEL(name, rows, step)                                                                         \
  __attribute__((target("avx2,fma"), noinline)) static void name(                                          \
    const float *a0, const float *a1, const float *a2, const float *a3, const float *a4, const float *a5,    \
    const float *bp, int kc, const float *from, float *acc) {                                               \
    kernel_rows_x16(rows, a0, a1, a2, a3, a4, a5, step, bp, NULL, NULL, kc, from, acc);                     \
  }
OTK_KERNEL(kernel_6_in_place, 6, 1)
OTK_KERNEL(kernel_4_in_place, 4, 1)
OTK_KERNEL(kernel_2_in_place, 2, 1)
OTK_KERNEL(kernel_6_packed, 6, ROWS)
OTK_KERNEL(kernel_4_packed, 4, ROWS)
OTK_KERNEL(kernel_2_packed, 2, ROWS)
#undef OTK_KERNEL

/* The same with the panel read in place (rows at base + offsets[kk]: a bordered image in
   otk_conv_padded_rows, the input itself in otk_pointwise_columns); `pf` (or NULL) is another
   strip's base whose rows are prefetched meanwhile, one per kk. */
#define OTK_DIRECT_KERNEL(name, rows, step)                                                                  \
  __attribute__((target("avx2,fma"), noinline)) static void name(                                          \
    const float *a0, const float *a1, const float *a2, const float *a3, const float *a4, const float *a5,    \
    const float *base, const int32_t *offsets, const float *pf, int kc, const float *from, float *acc) {    \
    kernel_rows_x16(rows, a0, a1, a2, a3, a4, a5, step, base, offsets, pf, kc, from, acc);                  \
  }
OTK_DIRECT_KERNEL(direct_6_in_place, 6, 1)
OTK_DIRECT_KERNEL(direct_4_in_place, 4, 1)
OTK_DIRECT_KERNEL(direct_2_in_place, 2, 1)
OTK_DIRECT_KERNEL(direct_6_packed, 6, ROWS)
OTK_DIRECT_KERNEL(direct_4_packed, 4, ROWS)
OTK_DIRECT_KERNEL(direct_2_packed, 2, ROWS)
#undef OTK_DIRECT_KERNEL

/* The same, weights read in place with a run-time step between a row's elements
   (otk_conv_images: one tap's column of each weight row, `taps` floats apart). */
#define OTK_STRIDED_KERNEL(name, rows)                                                                        \
  __attribute__((target("avx2,fma"), noinline)) static void name(                                          \
    const float *a0, const float *a1, const float *a2, const float *a3, const float *a4, const float *a5,    \
    ptrdiff_t step, const float *base, const int32_t *offsets, int kc, const float *from, float *acc) {     \
    kernel_rows_x16(rows, a0, a1, a2, a3, a4, a5, step, base, offsets, NULL, kc, from, acc);                \
  }
OTK_STRIDED_KERNEL(strided_6, 6)
OTK_STRIDED_KERNEL(strided_4, 4)
OTK_STRIDED_KERNEL(strided_2, 2)
#undef OTK_STRIDED_KERNEL

/* One block of up to six weight rows (`rows` of them are outputs): the 2-, 4- or 6-row kernel. */
static inline void kernel_block(
  int rows, int packed, const float *a0, const float *a1, const float *a2, const float *a3, const float *a4,
  const float *a5, const float *bp, int kc, const float *from, float *acc) {
  if (packed) {
    if (rows > 4) kernel_6_packed(a0, a1, a2, a3, a4, a5, bp, kc, from, acc);
    else if (rows > 2) kernel_4_packed(a0, a1, a2, a3, a4, a5, bp, kc, from, acc);
    else kernel_2_packed(a0, a1, a2, a3, a4, a5, bp, kc, from, acc);
  } else {
    if (rows > 4) kernel_6_in_place(a0, a1, a2, a3, a4, a5, bp, kc, from, acc);
    else if (rows > 2) kernel_4_in_place(a0, a1, a2, a3, a4, a5, bp, kc, from, acc);
    else kernel_2_in_place(a0, a1, a2, a3, a4, a5, bp, kc, from, acc);
  }
}

/* kernel_block with the panel read in place (rows at base + offsets[kk]). */
static inline void kernel_block_direct(
  int rows, int packed, const float *a0, const float *a1, const float *a2, const float *a3, const float *a4,
  const float *a5, const float *base, const int32_t *offsets, const float *pf, int kc, const float *from,
  float *acc) {
  if (packed) {
    if (rows > 4) direct_6_packed(a0, a1, a2, a3, a4, a5, base, offsets, pf, kc, from, acc);
    else if (rows > 2) direct_4_packed(a0, a1, a2, a3, a4, a5, base, offsets, pf, kc, from, acc);
    else direct_2_packed(a0, a1, a2, a3, a4, a5, base, offsets, pf, kc, from, acc);
  } else {
    if (rows > 4) direct_6_in_place(a0, a1, a2, a3, a4, a5, base, offsets, pf, kc, from, acc);
    else if (rows > 2) direct_4_in_place(a0, a1, a2, a3, a4, a5, base, offsets, pf, kc, from, acc);
    else direct_2_in_place(a0, a1, a2, a3, a4, a5, base, offsets, pf, kc, from, acc);
  }
}

/* Reduction rows per pass over the weight blocks: a 256×16 slice of the panel (16 KiB) stays in
   the first-level cache while every block of six weight rows runs over it. */
enum { KC = 256 };

/* Finishes one block's `rows` rows of a strip from `tile` (bias, sum, activation) into NCHW. */
__attribute__((target("avx2,fma"))) static void store_tile(
  const strip *st, int b, int rows, const float *tile, int p, float *y, ptrdiff_t y_image, const otk_epilogue *e) {
  const int activation = e->activation;
  const float p0 = e->p0, p1 = e->p1;
  if (st->segs == 1 && st->width == COLS) {
    /* The whole strip is 16 positions of one image: two vectors per row. */
    for (int r = 0; r < rows; r++) {
      int row = b * ROWS + r;
      __m256 bias = _mm256_set1_ps(e->bias ? e->bias[row] : 0.0f);
      ptrdiff_t at = st->image[0] * y_image + (ptrdiff_t)row * p + st->pos[0];
      __m256 v0 = _mm256_add_ps(_mm256_load_ps(tile + r * COLS), bias);
      __m256 v1 = _mm256_add_ps(_mm256_load_ps(tile + r * COLS + 8), bias);
      if (e->sum) {
        v0 = _mm256_add_ps(v0, _mm256_loadu_ps(e->sum + at));
        v1 = _mm256_add_ps(v1, _mm256_loadu_ps(e->sum + at + 8));
      }
      _mm256_storeu_ps(y + at, activate8(v0, activation, p0, p1));
      _mm256_storeu_ps(y + at + 8, activate8(v1, activation, p0, p1));
    }
    return;
  }
  for (int r = 0; r < rows; r++) {
    int row = b * ROWS + r;
    float bias = e->bias ? e->bias[row] : 0.0f;
    const float *t = tile + r * COLS;
    for (int s = 0; s < st->segs; s++) {
      ptrdiff_t at = st->image[s] * y_image + (ptrdiff_t)row * p + st->pos[s];
      store_row(y + at, t + st->off[s], st->len[s], bias, e->sum ? e->sum + at : NULL, activation, p0, p1);
    }
  }
}

/* The products of a group of `count` strips: C[m×16] = W[m×k] · panel[k×16] for each, six
   rows at a time, K in slices of KC, every strip of the group under one six-row block of weights
   before the next (partial sums kept in `partial`, count·blocks·6·16 floats, between slices;
   each output is still one sum in K order), each row finished (bias, sum, activation) while it
   is stored into NCHW. W is read in place (row-major M×K) or, when `packed`, from
   otk_pack_weights's layout. Strip g's panel is `panels` + g·panel_floats(k) (rows of 16
   floats), or, when `offsets` is given, read in place: row kk at bases[g] + offsets[kk]; then,
   with `prefetch` (count bases, or NULL), the first block's pass over strip g prefetches the rows
   of prefetch[g] (the next group's strip g), so that they come in while this group computes. */
__attribute__((target("avx2,fma"))) static void multiply_and_store(
  const float *w, const float *packed, int m, int k, const float *panels, const float *const *bases,
  const int32_t *offsets, const float *const *prefetch, int count, const strip *strips, float *tile, float *partial,
  int p, float *y, ptrdiff_t y_image, const otk_epilogue *e) {
  int blocks = (m + ROWS - 1) / ROWS;
  const size_t stride = panel_floats(k);
  for (int k0 = 0; k0 < k || k0 == 0; k0 += KC) {
    int kc = k - k0 < KC ? k - k0 : KC;
    int last = k0 + kc >= k;
    for (int b = 0; b < blocks; b++) {
      int rows = m - b * ROWS < ROWS ? m - b * ROWS : ROWS;
      const float *a0, *a1, *a2, *a3, *a4, *a5;
      if (packed) {
        a0 = packed + ((size_t)b * k + k0) * ROWS;
        a1 = a0 + 1; a2 = a0 + 2; a3 = a0 + 3; a4 = a0 + 4; a5 = a0 + 5;
      } else {
        /* The block's six weight rows, read in place (the last row again past M). */
        a0 = w + (size_t)(b * ROWS + 0 < m ? b * ROWS + 0 : m - 1) * k + k0;
        a1 = w + (size_t)(b * ROWS + 1 < m ? b * ROWS + 1 : m - 1) * k + k0;
        a2 = w + (size_t)(b * ROWS + 2 < m ? b * ROWS + 2 : m - 1) * k + k0;
        a3 = w + (size_t)(b * ROWS + 3 < m ? b * ROWS + 3 : m - 1) * k + k0;
        a4 = w + (size_t)(b * ROWS + 4 < m ? b * ROWS + 4 : m - 1) * k + k0;
        a5 = w + (size_t)(b * ROWS + 5 < m ? b * ROWS + 5 : m - 1) * k + k0;
      }
      for (int g = 0; g < count; g++) {
        float *sums = partial + ((size_t)g * blocks + b) * ROWS * COLS;
        const float *from = k0 == 0 ? NULL : sums;
        float *acc = last ? tile : sums;
        if (offsets) {
          const float *pf = prefetch && b == 0 ? prefetch[g] : NULL;
          kernel_block_direct(rows, packed != NULL, a0, a1, a2, a3, a4, a5, bases[g], offsets + k0, pf, kc, from, acc);
        } else {
          kernel_block(rows, packed != NULL, a0, a1, a2, a3, a4, a5, panels + g * stride + (size_t)k0 * COLS, kc, from, acc);
        }
        if (last) store_tile(strips + g, b, rows, tile, p, y, y_image, e);
      }
    }
  }
}

__attribute__((target("avx2,fma")))
void otk_pointwise_columns(
  const float *w, const float *packed, int m, int k, const float *x, ptrdiff_t x_image, const otk_subsample *in, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch) {
  /* Output position q reads input position (q / out_width)·row_step + (q % out_width)·column_step
     of each input plane (plane floats apart); q itself when the input is not subsampled. */
  const int contiguous = in->row_step == in->out_width && in->column_step == 1;
  const ptrdiff_t plane = in->plane;
  /* 32-byte aligned panels, result tile and partial sums inside the scratch. */
  float *panels = (float *)(((size_t)scratch + 31) & ~(size_t)31);
  float *tile = panels + group_max(k) * panel_floats(k);
  float *partial = tile + ROWS * COLS;
  const int group = group_size((col1 - col0 + COLS - 1) / COLS, k);
  strip strips[8];
  if (otk_rows_in_place && contiguous && m <= k && k <= otk_in_place_max_k && p % COLS == 0 && col0 % COLS == 0 && (col1 - col0) % COLS == 0 &&
      (ptrdiff_t)k * plane <= INT32_MAX - COLS) {
    /* Every strip is 16 positions of one image, 16 consecutive floats of each input plane: the
       kernel reads them in place (row kk at the strip's base + kk·plane), no panel copy. Only
       for M ≤ K: MobileNetV2's projections (96→24, 144→24, 192→32) ran 7–15% faster so, its
       expansions (24→144, 32→192), re-reading the rows for many more weight blocks, 5–10% slower.
       And only for K ≤ 256: the batch-folded 6x6 and 3x3 projections (K 384–960, rows 1,152 or
       288 floats apart) ran 6–10% slower in place than through the panel. */
    int32_t *offsets = (int32_t *)(partial + (size_t)group_max(k) * ((m + ROWS - 1) / ROWS) * ROWS * COLS);
    for (int kk = 0; kk < k; kk++) offsets[kk] = (int32_t)((ptrdiff_t)kk * plane);
    const float *bases[8], *next[8];
    for (long g0 = col0; g0 < col1; g0 += (long)group * COLS) {
      int count = 0;
      for (long j0 = g0; j0 < col1 && count < group; j0 += COLS, count++) {
        strip_segments(j0, COLS, p, strips + count);
        bases[count] = x + strips[count].image[0] * x_image + strips[count].pos[0];
        /* The next group's strip: the input rows 16·group columns on (none past this range). */
        long jn = j0 + (long)group * COLS;
        next[count] = jn < col1 ? x + (jn / p) * x_image + jn % p : NULL;
      }
      multiply_and_store(
        w, packed, m, k, NULL, bases, offsets, otk_prefetch_rows ? next : NULL, count, strips, tile, partial, p, y,
        y_image, e);
    }
    return;
  }
  for (long g0 = col0; g0 < col1; g0 += (long)group * COLS) {
    int count = 0;
    for (long j0 = g0; j0 < col1 && count < group; j0 += COLS, count++) {
      strip *st = strips + count;
      float *panel = panels + count * panel_floats(k);
      int width = (int)(col1 - j0 < COLS ? col1 - j0 : COLS);
      strip_segments(j0, width, p, st);
      /* The K×16 panel of this strip (zero past the last column). */
      if (contiguous && st->segs == 1 && width == COLS) {
        const float *src = x + st->image[0] * x_image + st->pos[0];
        /* (Prefetching the next group's rows here, as the in-place case does, measured no faster:
           the expansions that come here read few rows, K < M, which the hardware prefetcher
           follows.) */
        for (int kk = 0; kk < k; kk++) {
          _mm256_store_ps(panel + (size_t)kk * COLS, _mm256_loadu_ps(src + (ptrdiff_t)kk * plane));
          _mm256_store_ps(panel + (size_t)kk * COLS + 8, _mm256_loadu_ps(src + (ptrdiff_t)kk * plane + 8));
        }
      } else if (contiguous) {
        /* Segments (runs of one image) side by side, 16 floats loaded and stored per segment: the
           lanes past a segment land where the next segment, the zeroing past the width or the next
           row then writes. Loads that would read past the image's last plane go masked. */
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        for (int kk = 0; kk < k; kk++) {
          float *dst = panel + (size_t)kk * COLS;
          for (int sg = 0; sg < st->segs; sg++) {
            const float *src = x + st->image[sg] * x_image + (ptrdiff_t)kk * plane + st->pos[sg];
            int len = st->len[sg];
            if ((ptrdiff_t)kk * plane + st->pos[sg] + COLS <= (ptrdiff_t)k * plane) {
              _mm256_storeu_ps(dst + st->off[sg], _mm256_loadu_ps(src));
              if (len > 8) _mm256_storeu_ps(dst + st->off[sg] + 8, _mm256_loadu_ps(src + 8));
            } else {
              __m256i n = _mm256_set1_epi32(len);
              _mm256_storeu_ps(dst + st->off[sg], _mm256_maskload_ps(src, _mm256_cmpgt_epi32(n, lanes)));
              if (len > 8) {
                __m256i hi = _mm256_cmpgt_epi32(n, _mm256_add_epi32(lanes, _mm256_set1_epi32(8)));
                _mm256_storeu_ps(dst + st->off[sg] + 8, _mm256_maskload_ps(src + 8, hi));
              }
            }
          }
          for (int c = width; c < COLS; c++) dst[c] = 0;
        }
      } else {
        /* Where each column of the strip reads, then a gather per input channel. */
        ptrdiff_t from[COLS];
        for (int s = 0; s < st->segs; s++) {
          for (int i = 0; i < st->len[s]; i++) {
            int q = st->pos[s] + i;
            ptrdiff_t at = contiguous ? q : (ptrdiff_t)(q / in->out_width) * in->row_step + (ptrdiff_t)(q % in->out_width) * in->column_step;
            from[st->off[s] + i] = st->image[s] * x_image + at;
          }
        }
        for (int kk = 0; kk < k; kk++) {
          float *dst = panel + (size_t)kk * COLS;
          const float *src = x + (ptrdiff_t)kk * plane;
          for (int c = 0; c < width; c++) dst[c] = src[from[c]];
          for (int c = width; c < COLS; c++) dst[c] = 0;
        }
      }
    }
    multiply_and_store(w, packed, m, k, panels, NULL, NULL, NULL, count, strips, tile, partial, p, y, y_image, e);
  }
}

/* One panel entry: where a run of a strip's columns reads for one kernel tap (relative to the
   input channel's plane), and which of its columns are inside the image. */
typedef struct {
  ptrdiff_t src;
  int off, len, lo, hi, whole;
} tap_run;

size_t otk_conv_scratch_size(int m, int k, int taps) {
  /* otk_pointwise_columns's, then the tap runs (eight floats each) */
  return otk_pointwise_scratch_size(m, k) + (size_t)taps * COLS * 8 + 16;
}

/* Lanes whose column (cols + h) is in [lo, hi): all ones, else zero. */
__attribute__((target("avx2,fma"))) static inline __m256i columns_in(__m256i cols, int h, int lo, int hi) {
  __m256i c = _mm256_add_epi32(cols, _mm256_set1_epi32(h));
  return _mm256_and_si256(_mm256_cmpgt_epi32(c, _mm256_set1_epi32(lo - 1)), _mm256_cmpgt_epi32(_mm256_set1_epi32(hi), c));
}

__attribute__((target("avx2,fma")))
void otk_conv_columns(
  const float *w, const float *packed, int m, int channels, const float *x, ptrdiff_t x_image, const otk_window *win, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch) {
  const int taps = win->kernel_h * win->kernel_w;
  const int k = channels * taps;
  const int ow = win->out_w, iw = win->in_w, ih = win->in_h;
  const int sw = win->stride_w;
  const ptrdiff_t plane = (ptrdiff_t)ih * iw;
  float *panels = (float *)(((size_t)scratch + 31) & ~(size_t)31);
  float *tile = panels + group_max(k) * panel_floats(k);
  float *partial = tile + ROWS * COLS;
  tap_run *entries = (tap_run *)(partial + (size_t)group_max(k) * ((m + ROWS - 1) / ROWS) * ROWS * COLS);
  /* Lane j's column: stride 1, j (and 8 + j); stride 2, of the loads at 2h and 2h + 8, h + j/2
     (resp. h + 4 + j/2) for even j, none (a column past any run) for odd j. */
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i lanes_hi = _mm256_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15);
  const __m256i evens = _mm256_setr_epi32(0, 1 << 20, 1, 1 << 20, 2, 1 << 20, 3, 1 << 20);
  const __m256i evens_hi = _mm256_setr_epi32(4, 1 << 20, 5, 1 << 20, 6, 1 << 20, 7, 1 << 20);
  const int group = group_size((col1 - col0 + COLS - 1) / COLS, k);
  strip strips[8];
  for (long g0 = col0; g0 < col1; g0 += (long)group * COLS) {
    int count = 0;
    for (long j0 = g0; j0 < col1 && count < group; j0 += COLS, count++) {
      strip *st = strips + count;
      float *panel = panels + count * panel_floats(k);
      int width = (int)(col1 - j0 < COLS ? col1 - j0 : COLS);
      strip_segments(j0, width, p, st);
      /* Runs of columns within one output row: the first input row and column of their windows. */
      int runs = 0;
      int run_off[COLS], run_len[COLS], run_y[COLS], run_x[COLS];
      ptrdiff_t run_base[COLS];
      for (int s = 0; s < st->segs; s++) {
        int q = st->pos[s], off = st->off[s], left = st->len[s];
        while (left > 0) {
          int oy = q / ow, ox = q % ow;
          int len = ow - ox < left ? ow - ox : left;
          run_off[runs] = off;
          run_len[runs] = len;
          run_y[runs] = oy * win->stride_h - win->pad_h;
          run_x[runs] = ox * sw - win->pad_w;
          run_base[runs] = st->image[s] * x_image;
          runs++;
          q += len;
          off += len;
          left -= len;
        }
      }
      /* Per tap and run: the source offset and the columns inside the image (none when the row is
         outside), and whether the vector loads stay inside the image row (no masks needed). */
      for (int t = 0; t < taps; t++) {
        int ky = t / win->kernel_w, kx = t % win->kernel_w;
        for (int r = 0; r < runs; r++) {
          tap_run *en = entries + t * runs + r;
          int iy = run_y[r] + ky * win->dilation_h;
          int ix = run_x[r] + kx * win->dilation_w;
          int lo = 0, hi = 0;
          if (iy >= 0 && iy < ih) {
            lo = ix >= 0 ? 0 : (-ix + sw - 1) / sw;
            hi = ix >= iw ? 0 : (iw - ix + sw - 1) / sw;
            if (hi > run_len[r]) hi = run_len[r];
            if (lo > hi) lo = hi;
          }
          en->src = run_base[r] + (ptrdiff_t)iy * iw + ix;
          en->off = run_off[r];
          en->len = run_len[r];
          en->lo = lo;
          en->hi = hi;
          /* The loads read sw·(8 or 16) floats from ix: whole when all of them are in the row
             (lanes past the run then hold image values, which the next run or the zeroing past
             the strip's width overwrites, as they would the masked loads' zeros). */
          int loaded = sw * (run_len[r] > 8 ? 16 : 8);
          en->whole = iy >= 0 && iy < ih && ix >= 0 && ix + loaded <= iw && (sw == 1 || sw == 2);
        }
      }
      /* The K×16 panel, rows in order (channel, tap) and runs left to right: a run's vector store
         may spill zeros past its end, which the next run or row then overwrites (the panel has 16
         spare floats after its last row). */
      for (int c = 0; c < channels; c++) {
        const float *xc = x + (ptrdiff_t)c * plane;
        for (int t = 0; t < taps; t++) {
          float *dst = panel + (size_t)(c * taps + t) * COLS;
          const tap_run *en = entries + t * runs;
          if (sw == 1 && runs == 1 && en[0].whole) {
            /* (One run: no loop, aligned stores; measured 4% faster on ResNet's 16x16 layers.) */
            const float *src = xc + en[0].src;
            _mm256_store_ps(dst, _mm256_loadu_ps(src));
            _mm256_store_ps(dst + 8, _mm256_loadu_ps(src + 8));
          } else if (sw == 1) {
            for (int r = 0; r < runs; r++) {
              const float *src = xc + en[r].src;
              if (en[r].whole) {
                _mm256_storeu_ps(dst + en[r].off, _mm256_loadu_ps(src));
                if (en[r].len > 8) _mm256_storeu_ps(dst + en[r].off + 8, _mm256_loadu_ps(src + 8));
                continue;
              }
              _mm256_storeu_ps(dst + en[r].off, _mm256_maskload_ps(src, columns_in(lanes, 0, en[r].lo, en[r].hi)));
              if (en[r].len > 8) {
                _mm256_storeu_ps(
                  dst + en[r].off + 8, _mm256_maskload_ps(src + 8, columns_in(lanes_hi, 0, en[r].lo, en[r].hi)));
              }
            }
          } else if (sw == 2) {
            for (int r = 0; r < runs; r++) {
              const float *src = xc + en[r].src;
              for (int h = 0; h < en[r].len; h += 8) {
                __m256 v0, v1;
                if (en[r].whole) {
                  v0 = _mm256_loadu_ps(src + 2 * h);
                  v1 = _mm256_loadu_ps(src + 2 * h + 8);
                } else {
                  v0 = _mm256_maskload_ps(src + 2 * h, columns_in(evens, h, en[r].lo, en[r].hi));
                  v1 = _mm256_maskload_ps(src + 2 * h + 8, columns_in(evens_hi, h, en[r].lo, en[r].hi));
                }
                /* even lanes: v0 0 2 v1 0 2 | v0 4 6 v1 4 6, then the middle pairs swapped */
                __m256 even = _mm256_shuffle_ps(v0, v1, _MM_SHUFFLE(2, 0, 2, 0));
                _mm256_storeu_ps(
                  dst + en[r].off + h, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), 0xD8)));
              }
            }
          } else {
            for (int r = 0; r < runs; r++) {
              const float *src = xc + en[r].src;
              float *d = dst + en[r].off;
              for (int i = 0; i < en[r].len; i++) d[i] = 0;
              for (int i = en[r].lo; i < en[r].hi; i++) d[i] = src[(ptrdiff_t)i * sw];
            }
          }
          for (int i = width; i < COLS; i++) dst[i] = 0;
        }
      }
    }
    multiply_and_store(w, packed, m, k, panels, NULL, NULL, NULL, count, strips, tile, partial, p, y, y_image, e);
  }
}

size_t otk_padded_rows_scratch_size(int m, int k) {
  /* offsets (k ints), result tile, a group's partial sums, alignment */
  return (size_t)k + 16 + ROWS * COLS + (size_t)group_max(k) * ((m + ROWS - 1) / ROWS) * ROWS * COLS + 32;
}

__attribute__((target("avx2,fma")))
void otk_conv_padded_rows(
  const float *w, const float *packed, int m, int channels, const float *padded, int padded_h, int padded_w,
  int stride, int kernel_h, int kernel_w, int dilation_h, int dilation_w, int out_w, int p, long strip0, long strip1,
  float *y, const otk_epilogue *e, float *scratch) {
  const int taps = kernel_h * kernel_w;
  const int k = channels * taps;
  const int blocks = (m + ROWS - 1) / ROWS;
  const int per_row = out_w / COLS;
  float *tile = (float *)(((size_t)scratch + 31) & ~(size_t)31);
  float *partial = tile + ROWS * COLS;
  int32_t *offsets = (int32_t *)(partial + (size_t)group_max(k) * blocks * ROWS * COLS);
  /* Row (c, ky, kx) of every strip's panel is the 16 floats at its base + offsets[row]. At
     stride 2, bordered row and column i are row and column i / 2 of phase plane (i % 2) of
     the channel's four. */
  const ptrdiff_t plane = (ptrdiff_t)padded_h * padded_w;
  for (int c = 0, row = 0; c < channels; c++) {
    for (int ky = 0; ky < kernel_h; ky++) {
      for (int kx = 0; kx < kernel_w; kx++, row++) {
        const int dy = ky * dilation_h, dx = kx * dilation_w;
        offsets[row] = stride == 1
          ? (int32_t)((ptrdiff_t)c * plane + (ptrdiff_t)dy * padded_w + dx)
          : (int32_t)(((ptrdiff_t)c * 4 + (dy & 1) * 2 + (dx & 1)) * plane + (ptrdiff_t)(dy >> 1) * padded_w + (dx >> 1));
      }
    }
  }
  const int group = group_size(strip1 - strip0, k);
  strip strips[8];
  const float *bases[8];
  for (long g0 = strip0; g0 < strip1; g0 += group) {
    int count = 0;
    for (long sx = g0; sx < strip1 && count < group; sx++, count++) {
      int oy = (int)(sx / per_row), ox = (int)(sx % per_row) * COLS;
      strip *st = strips + count;
      st->segs = 1;
      st->width = COLS;
      st->image[0] = 0;
      st->pos[0] = oy * out_w + ox;
      st->off[0] = 0;
      st->len[0] = COLS;
      bases[count] = padded + (ptrdiff_t)oy * padded_w + ox;
    }
    multiply_and_store(w, packed, m, k, NULL, bases, offsets, NULL, count, strips, tile, partial, p, y, 0, e);
  }
}
/* Images side by side in the columns (small planes, batches of 16 and more). A strip is one
   output position of 16 images; every tap of its window is then inside the image for all 16
   columns or for none, so the taps on the zero border are skipped (ResNet-18 at 64x64: 31% of
   the multiply-adds of its 4x4 layers, 56% of its 2x2 ones), and each panel row is 16
   consecutive floats of the images-last copy of the input, read in place (no gather). */

static inline long images_padded(int images) { return ((long)images + COLS - 1) / COLS * COLS; }

/* Floats from one channel to the next in the images-last copy: a plane of 16-image rows, plus
   16 floats, so that a strip's panel rows (consecutive channels) do not all fall into one set
   of the first-level cache (8 KiB apart on 8x8 planes without the extra floats). */
static inline long images_channel_stride(int images, long plane) { return plane * images_padded(images) + COLS; }

size_t otk_images_layout_size(int images, int channels, long plane) {
  return (size_t)channels * (size_t)images_channel_stride(images, plane);
}

void otk_images_layout(const float *x, int images, int channels, long plane, int c0, int c1, float *xt) {
  const long padded = images_padded(images);
  const long cs = images_channel_stride(images, plane);
  /* Channel by channel (its copy, plane·padded floats, stays in the first-level cache while
     each image's plane is read in order). */
  for (int c = c0; c < c1; c++) {
    float *dst = xt + (size_t)c * cs;
    for (int n = 0; n < images; n++) {
      const float *src = x + ((size_t)n * channels + c) * plane;
      for (long q = 0; q < plane; q++) dst[q * padded + n] = src[q];
    }
    for (long q = 0; q < plane; q++) {
      for (long n = images; n < padded; n++) dst[q * padded + n] = 0;
    }
  }
}

/* Channels per slice; positions per pass over the weights. */
enum { IMAGE_SLICE = 64, IMAGE_POSITIONS = 64, IMAGE_TAPS = 64 };

size_t otk_conv_images_scratch_size(long positions, int images) {
  long pass = positions < IMAGE_POSITIONS ? positions : IMAGE_POSITIONS;
  /* result tile, partial sums per position and image group of a pass, offsets, alignment */
  return ROWS * COLS + (size_t)pass * (size_t)(images_padded(images) / COLS) * ROWS * COLS + IMAGE_SLICE + 32;
}

/* Finishes rows [b·6, b·6 + rows) of output position q for images n0..n0+15 (those < images). */
static void store_images_tile(
  int b, int rows, const float *tile, long q, long n0, int images, int p, float *y, ptrdiff_t y_image,
  const otk_epilogue *e) {
  const int activation = e->activation;
  const float p0 = e->p0, p1 = e->p1;
  int count = images - n0 < COLS ? (int)(images - n0) : COLS;
  for (int r = 0; r < rows; r++) {
    int row = b * ROWS + r;
    float bias = e->bias ? e->bias[row] : 0.0f;
    for (int i = 0; i < count; i++) {
      ptrdiff_t at = (n0 + i) * y_image + (ptrdiff_t)row * p + q;
      float v = tile[r * COLS + i] + bias;
      if (e->sum) v += e->sum[at];
      y[at] = activate1(v, activation, p0, p1);
    }
  }
}

__attribute__((target("avx2,fma")))
void otk_conv_images(
  const float *w, int m, int channels, const float *xt, int images, const otk_window *win, int p, long q0, long q1,
  float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch) {
  const int taps = win->kernel_h * win->kernel_w;
  const ptrdiff_t k = (ptrdiff_t)channels * taps;
  const long padded = images_padded(images);
  const int groups = (int)(padded / COLS);
  const int blocks = (m + ROWS - 1) / ROWS;
  const long cs = images_channel_stride(images, (long)win->in_h * win->in_w);
  float *tile = (float *)(((size_t)scratch + 31) & ~(size_t)31);
  float *partial = tile + ROWS * COLS;
  long pass_max = q1 - q0 < IMAGE_POSITIONS ? q1 - q0 : IMAGE_POSITIONS;
  int32_t *offsets = (int32_t *)(partial + (size_t)pass_max * groups * ROWS * COLS);
  /* Panel row c of a slice: channel c0 + c of the images-last input, relative to the slice's base. */
  for (int c = 0; c < IMAGE_SLICE && c < channels; c++) offsets[c] = (int32_t)((ptrdiff_t)c * cs);
  /* Per position of a pass: its taps inside the image and where they read. */
  static _Thread_local int valid[IMAGE_POSITIONS];
  static _Thread_local int tap_index[IMAGE_POSITIONS][IMAGE_TAPS];
  static _Thread_local long tap_at[IMAGE_POSITIONS][IMAGE_TAPS];
  for (long pass0 = q0; pass0 < q1; pass0 += IMAGE_POSITIONS) {
    const int count = (int)(q1 - pass0 < IMAGE_POSITIONS ? q1 - pass0 : IMAGE_POSITIONS);
    for (int i = 0; i < count; i++) {
      long q = pass0 + i;
      int oy = (int)(q / win->out_w), ox = (int)(q % win->out_w);
      int v = 0;
      for (int ky = 0; ky < win->kernel_h; ky++) {
        int iy = oy * win->stride_h - win->pad_h + ky * win->dilation_h;
        if (iy < 0 || iy >= win->in_h) continue;
        for (int kx = 0; kx < win->kernel_w; kx++) {
          int ix = ox * win->stride_w - win->pad_w + kx * win->dilation_w;
          if (ix < 0 || ix >= win->in_w) continue;
          tap_index[i][v] = ky * win->kernel_w + kx;
          tap_at[i][v] = (long)iy * win->in_w + ix;
          v++;
        }
      }
      valid[i] = v;
    }
    /* Every position and image group of the pass under one block of six weight rows before the
       next (the block, 6·K floats, stays in the second-level cache; the whole weights are read
       once per pass, not once per position), channel slices outside the taps (a slice's weight
       lines, 6 rows × 64 channels × taps, stay in the first-level cache while its taps run). */
    for (int b = 0; b < blocks; b++) {
      int rows = m - b * ROWS < ROWS ? m - b * ROWS : ROWS;
      /* The block's six weight rows (the last row again past M), each read `taps` floats apart. */
      const float *row[ROWS];
      for (int r = 0; r < ROWS; r++) row[r] = w + (ptrdiff_t)(b * ROWS + r < m ? b * ROWS + r : m - 1) * k;
      for (int i = 0; i < count; i++) {
        if (valid[i] > 0) continue;
        /* Every tap on the border: bias (and sum) alone. */
        memset(tile, 0, ROWS * COLS * sizeof(float));
        for (int g = 0; g < groups; g++) store_images_tile(b, rows, tile, pass0 + i, (long)g * COLS, images, p, y, y_image, e);
      }
      for (int c0 = 0; c0 < channels; c0 += IMAGE_SLICE) {
        int kc = channels - c0 < IMAGE_SLICE ? channels - c0 : IMAGE_SLICE;
        int last_slice = c0 + kc >= channels;
        for (int i = 0; i < count; i++) {
          for (int t = 0; t < valid[i]; t++) {
            int first = c0 == 0 && t == 0;
            int last = last_slice && t == valid[i] - 1;
            ptrdiff_t at = (ptrdiff_t)c0 * taps + tap_index[i][t];
            for (int g = 0; g < groups; g++) {
              float *sums = partial + ((size_t)i * groups + g) * ROWS * COLS;
              const float *base = xt + (size_t)c0 * cs + (size_t)tap_at[i][t] * padded + (size_t)g * COLS;
              const float *from = first ? NULL : sums;
              float *acc = last ? tile : sums;
              if (rows > 4)
                strided_6(row[0] + at, row[1] + at, row[2] + at, row[3] + at, row[4] + at, row[5] + at, taps, base, offsets, kc, from, acc);
              else if (rows > 2)
                strided_4(row[0] + at, row[1] + at, row[2] + at, row[3] + at, row[4] + at, row[5] + at, taps, base, offsets, kc, from, acc);
              else
                strided_2(row[0] + at, row[1] + at, row[2] + at, row[3] + at, row[4] + at, row[5] + at, taps, base, offsets, kc, from, acc);
              if (last) store_images_tile(b, rows, tile, pass0 + i, (long)g * COLS, images, p, y, y_image, e);
            }
          }
        }
      }
    }
  }
}
#else
size_t otk_images_layout_size(int images, int channels, long plane) { (void)images; (void)channels; (void)plane; return 0; }
void otk_images_layout(const float *x, int images, int channels, long plane, int c0, int c1, float *xt) {
  (void)x; (void)images; (void)channels; (void)plane; (void)c0; (void)c1; (void)xt;
}
size_t otk_conv_images_scratch_size(long positions, int images) { (void)positions; (void)images; return 0; }
void otk_conv_images(
  const float *w, int m, int channels, const float *xt, int images, const otk_window *win, int p, long q0, long q1,
  float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch) {
  (void)w; (void)m; (void)channels; (void)xt; (void)images; (void)win; (void)p; (void)q0; (void)q1; (void)y;
  (void)y_image; (void)e; (void)scratch;
}
void otk_pointwise_columns(
  const float *w, const float *packed, int m, int k, const float *x, ptrdiff_t x_image, const otk_subsample *in, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch) {
  (void)w; (void)packed; (void)m; (void)k; (void)x; (void)x_image; (void)in; (void)p; (void)col0; (void)col1;
  (void)y; (void)y_image; (void)e; (void)scratch;
}
size_t otk_conv_scratch_size(int m, int k, int taps) { (void)m; (void)k; (void)taps; return 0; }
size_t otk_padded_rows_scratch_size(int m, int k) { (void)m; (void)k; return 0; }
void otk_conv_padded_rows(
  const float *w, const float *packed, int m, int channels, const float *padded, int padded_h, int padded_w,
  int stride, int kernel_h, int kernel_w, int dilation_h, int dilation_w, int out_w, int p, long strip0, long strip1,
  float *y, const otk_epilogue *e, float *scratch) {
  (void)w; (void)packed; (void)m; (void)channels; (void)padded; (void)padded_h; (void)padded_w; (void)kernel_h;
  (void)kernel_w; (void)dilation_h; (void)dilation_w; (void)out_w; (void)p; (void)strip0; (void)strip1; (void)y;
  (void)e; (void)scratch;
}
void otk_conv_columns(
  const float *w, const float *packed, int m, int channels, const float *x, ptrdiff_t x_image, const otk_window *win, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch) {
  (void)w; (void)m; (void)channels; (void)x; (void)x_image; (void)win; (void)p; (void)col0; (void)col1;
  (void)y; (void)y_image; (void)e; (void)scratch;
}
#endif
