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
#else
int otk_has_avx2_fma(void) { return 0; }
#endif

enum { ROWS = 6, COLS = 16 };

/* Panel (K×16, plus 16 spare floats), result tile (6×16), partial sums (blocks·6·16), alignment. */
size_t otk_pointwise_scratch_size(int m, int k) {
  return (size_t)k * COLS + COLS + ROWS * COLS + (size_t)((m + ROWS - 1) / ROWS) * ROWS * COLS + 16;
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
/* dst[i] = act(src[i] + bias (+ sum[i])) for i < len, one loop per activation so that each
   vectorizes. */
__attribute__((target("avx2,fma"))) static inline void store_row(
  float *restrict dst, const float *restrict src, int len, float bias, const float *restrict sum, int activation,
  float p0, float p1) {
  float v[COLS];
  if (sum) {
    for (int i = 0; i < len; i++) v[i] = (src[i] + bias) + sum[i];
  } else {
    for (int i = 0; i < len; i++) v[i] = src[i] + bias;
  }
  switch (activation) {
  case 1:
    for (int i = 0; i < len; i++) dst[i] = v[i] < 0 ? 0 : v[i];
    break;
  case 2:
    for (int i = 0; i < len; i++) {
      float a = v[i] < p0 ? p0 : v[i];
      dst[i] = a > p1 ? p1 : a;
    }
    break;
  case 3:
    for (int i = 0; i < len; i++) dst[i] = v[i] >= 0 ? v[i] : p0 * v[i];
    break;
  default:
    for (int i = 0; i < len; i++) dst[i] = v[i];
  }
}

/* act(v) with ConvEpilogue's rules: ordered comparisons, so NaN passes through. */
__attribute__((target("avx2,fma"))) static inline __m256 activate8(__m256 v, int activation, float p0, float p1) {
  const __m256 zero = _mm256_setzero_ps();
  switch (activation) {
  case 1: return _mm256_blendv_ps(v, zero, _mm256_cmp_ps(v, zero, _CMP_LT_OQ));
  case 2: {
    __m256 lo = _mm256_set1_ps(p0), hi = _mm256_set1_ps(p1);
    __m256 a = _mm256_blendv_ps(v, lo, _mm256_cmp_ps(v, lo, _CMP_LT_OQ));
    return _mm256_blendv_ps(a, hi, _mm256_cmp_ps(a, hi, _CMP_GT_OQ));
  }
  case 3:
    return _mm256_blendv_ps(_mm256_mul_ps(_mm256_set1_ps(p0), v), v, _mm256_cmp_ps(v, zero, _CMP_GE_OQ));
  default: return v;
  }
}

/* Splits the strip of `width` columns from column j0 (column j: position j % p of image j / p)
   into runs within one image: image, first position, offset in the strip, length. Returns the
   number of runs. */
static inline int strip_segments(long j0, int width, int p, long *seg_image, int *seg_pos, int *seg_off, int *seg_len) {
  int segs = 0;
  for (int off = 0; off < width;) {
    long j = j0 + off;
    long n = j / p;
    int q = (int)(j % p);
    int len = p - q < width - off ? p - q : width - off;
    seg_image[segs] = n;
    seg_pos[segs] = q;
    seg_off[segs] = off;
    seg_len[segs] = len;
    segs++;
    off += len;
  }
  return segs;
}

/* acc[rows×16] (+)= `rows` (2, 4 or 6) weight rows · panel[kc×16], in registers; row r's
   element kk is a_r[kk·step]. `from` (or zero) holds the starting sums. Inlined with constant
   rows and step (1: rows in place; ROWS: packed), so each variant keeps only its own
   accumulators. */
__attribute__((target("avx2,fma"), always_inline)) static inline void kernel_rows_x16(
  const int rows, const float *a0, const float *a1, const float *a2, const float *a3, const float *a4,
  const float *a5, const ptrdiff_t step, const float *bp, int kc, const float *from, float *acc) {
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
    __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
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
    bp += COLS;
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

/* One block of up to six weight rows (`rows` of them are outputs): the 2-, 4- or 6-row kernel. */
__attribute__((target("avx2,fma"), always_inline)) static inline void kernel_block(
  int rows, const float *a0, const float *a1, const float *a2, const float *a3, const float *a4, const float *a5,
  const ptrdiff_t step, const float *bp, int kc, const float *from, float *acc) {
  if (rows > 4) {
    kernel_rows_x16(6, a0, a1, a2, a3, a4, a5, step, bp, kc, from, acc);
  } else if (rows > 2) {
    kernel_rows_x16(4, a0, a1, a2, a3, a4, a5, step, bp, kc, from, acc);
  } else {
    kernel_rows_x16(2, a0, a1, a2, a3, a4, a5, step, bp, kc, from, acc);
  }
}

/* Reduction rows per pass over the weight blocks: a 256×16 slice of the panel (16 KiB) stays in
   the first-level cache while every block of six weight rows runs over it. */
enum { KC = 256 };

/* The products of one strip: C[m×16] = W[m×k] · panel[k×16], six rows at a time, K in slices of
   KC (partial sums kept in `partial`, blocks·6·16 floats, between slices; each output is still
   one sum in K order), each row finished (bias, sum, activation) while it is stored into NCHW.
   W is read in place (row-major M×K) or, when `packed`, from otk_pack_weights's layout. The
   strip's columns are `segs` runs of positions within one image: image, first position, offset
   in the strip, length. */
__attribute__((target("avx2,fma"))) static void multiply_and_store(
  const float *w, const float *packed, int m, int k, const float *panel, float *tile, float *partial, int segs,
  const long *seg_image, const int *seg_pos, const int *seg_off, const int *seg_len, int width, int p, float *y,
  ptrdiff_t y_image, const otk_epilogue *e) {
  int blocks = (m + ROWS - 1) / ROWS;
  /* (Copied out of *e so that the store loops need not reload them after every store.) */
  const int activation = e->activation;
  const float p0 = e->p0, p1 = e->p1;
  for (int k0 = 0; k0 < k || k0 == 0; k0 += KC) {
    int kc = k - k0 < KC ? k - k0 : KC;
    int last = k0 + kc >= k;
    for (int b = 0; b < blocks; b++) {
      const float *from = k0 == 0 ? NULL : partial + b * ROWS * COLS;
      float *acc = last ? tile : partial + b * ROWS * COLS;
      const float *bp = panel + (size_t)k0 * COLS;
      int rows = m - b * ROWS < ROWS ? m - b * ROWS : ROWS;
      if (packed) {
        const float *a = packed + ((size_t)b * k + k0) * ROWS;
        kernel_block(rows, a, a + 1, a + 2, a + 3, a + 4, a + 5, ROWS, bp, kc, from, acc);
      } else {
        /* The block's six weight rows, read in place (the last row again past M). */
        const float *a0 = w + (size_t)(b * ROWS + 0 < m ? b * ROWS + 0 : m - 1) * k + k0;
        const float *a1 = w + (size_t)(b * ROWS + 1 < m ? b * ROWS + 1 : m - 1) * k + k0;
        const float *a2 = w + (size_t)(b * ROWS + 2 < m ? b * ROWS + 2 : m - 1) * k + k0;
        const float *a3 = w + (size_t)(b * ROWS + 3 < m ? b * ROWS + 3 : m - 1) * k + k0;
        const float *a4 = w + (size_t)(b * ROWS + 4 < m ? b * ROWS + 4 : m - 1) * k + k0;
        const float *a5 = w + (size_t)(b * ROWS + 5 < m ? b * ROWS + 5 : m - 1) * k + k0;
        kernel_block(rows, a0, a1, a2, a3, a4, a5, 1, bp, kc, from, acc);
      }
      if (!last) continue;
      if (segs == 1 && width == COLS) {
        /* The whole strip is 16 positions of one image: two vectors per row. */
        for (int r = 0; r < rows; r++) {
          int row = b * ROWS + r;
          __m256 bias = _mm256_set1_ps(e->bias ? e->bias[row] : 0.0f);
          ptrdiff_t at = seg_image[0] * y_image + (ptrdiff_t)row * p + seg_pos[0];
          __m256 v0 = _mm256_add_ps(_mm256_load_ps(tile + r * COLS), bias);
          __m256 v1 = _mm256_add_ps(_mm256_load_ps(tile + r * COLS + 8), bias);
          if (e->sum) {
            v0 = _mm256_add_ps(v0, _mm256_loadu_ps(e->sum + at));
            v1 = _mm256_add_ps(v1, _mm256_loadu_ps(e->sum + at + 8));
          }
          _mm256_storeu_ps(y + at, activate8(v0, activation, p0, p1));
          _mm256_storeu_ps(y + at + 8, activate8(v1, activation, p0, p1));
        }
        continue;
      }
      for (int r = 0; r < rows; r++) {
        int row = b * ROWS + r;
        float bias = e->bias ? e->bias[row] : 0.0f;
        const float *t = tile + r * COLS;
        for (int s = 0; s < segs; s++) {
          ptrdiff_t at = seg_image[s] * y_image + (ptrdiff_t)row * p + seg_pos[s];
          store_row(y + at, t + seg_off[s], seg_len[s], bias, e->sum ? e->sum + at : NULL, activation, p0, p1);
        }
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
  /* 32-byte aligned panel and result tile inside the scratch. */
  float *panel = (float *)(((size_t)scratch + 31) & ~(size_t)31);
  float *tile = panel + (size_t)k * COLS + COLS;
  float *partial = tile + ROWS * COLS;
  /* The strip's runs of columns within one image: image, first position, offset, length. */
  long seg_image[COLS + 1];
  int seg_pos[COLS + 1], seg_off[COLS + 1], seg_len[COLS + 1];
  for (long j0 = col0; j0 < col1; j0 += COLS) {
    int width = (int)(col1 - j0 < COLS ? col1 - j0 : COLS);
    int segs = strip_segments(j0, width, p, seg_image, seg_pos, seg_off, seg_len);
    /* The K×16 panel of this strip (zero past the last column). */
    if (contiguous && segs == 1 && width == COLS) {
      const float *src = x + seg_image[0] * x_image + seg_pos[0];
      for (int kk = 0; kk < k; kk++) {
        _mm256_store_ps(panel + (size_t)kk * COLS, _mm256_loadu_ps(src + (ptrdiff_t)kk * plane));
        _mm256_store_ps(panel + (size_t)kk * COLS + 8, _mm256_loadu_ps(src + (ptrdiff_t)kk * plane + 8));
      }
    } else {
      /* Where each column of the strip reads, then a gather per input channel. */
      ptrdiff_t from[COLS];
      for (int s = 0; s < segs; s++) {
        for (int i = 0; i < seg_len[s]; i++) {
          int q = seg_pos[s] + i;
          ptrdiff_t at = contiguous ? q : (ptrdiff_t)(q / in->out_width) * in->row_step + (ptrdiff_t)(q % in->out_width) * in->column_step;
          from[seg_off[s] + i] = seg_image[s] * x_image + at;
        }
      }
      for (int kk = 0; kk < k; kk++) {
        float *dst = panel + (size_t)kk * COLS;
        const float *src = x + (ptrdiff_t)kk * plane;
        for (int c = 0; c < width; c++) dst[c] = src[from[c]];
        for (int c = width; c < COLS; c++) dst[c] = 0;
      }
    }
    multiply_and_store(w, packed, m, k, panel, tile, partial, segs, seg_image, seg_pos, seg_off, seg_len, width, p, y, y_image, e);
  }
}

/* One panel entry: where a run of a strip's columns reads for one kernel tap (relative to the
   input channel's plane), and which of its columns are inside the image. */
typedef struct {
  ptrdiff_t src;
  int off, len, lo, hi;
} tap_run;

size_t otk_conv_scratch_size(int m, int k, int taps) {
  /* otk_pointwise_columns's, then the tap runs (six floats each) and their load masks (32 ints) */
  return otk_pointwise_scratch_size(m, k) + (size_t)taps * COLS * (6 + 32) + 16;
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
  float *panel = (float *)(((size_t)scratch + 31) & ~(size_t)31);
  float *tile = panel + (size_t)k * COLS + COLS;
  float *partial = tile + ROWS * COLS;
  int32_t *masks = (int32_t *)(partial + (size_t)((m + ROWS - 1) / ROWS) * ROWS * COLS);
  tap_run *entries = (tap_run *)(masks + (size_t)taps * COLS * 32);
  long seg_image[COLS + 1];
  int seg_pos[COLS + 1], seg_off[COLS + 1], seg_len[COLS + 1];
  for (long j0 = col0; j0 < col1; j0 += COLS) {
    int width = (int)(col1 - j0 < COLS ? col1 - j0 : COLS);
    int segs = strip_segments(j0, width, p, seg_image, seg_pos, seg_off, seg_len);
    /* Runs of columns within one output row: the first input row and column of their windows. */
    int runs = 0;
    int run_off[COLS], run_len[COLS], run_y[COLS], run_x[COLS];
    ptrdiff_t run_base[COLS];
    for (int s = 0; s < segs; s++) {
      int q = seg_pos[s], off = seg_off[s], left = seg_len[s];
      while (left > 0) {
        int oy = q / ow, ox = q % ow;
        int len = ow - ox < left ? ow - ox : left;
        run_off[runs] = off;
        run_len[runs] = len;
        run_y[runs] = oy * win->stride_h - win->pad_h;
        run_x[runs] = ox * sw - win->pad_w;
        run_base[runs] = seg_image[s] * x_image;
        runs++;
        q += len;
        off += len;
        left -= len;
      }
    }
    /* Per tap and run: the source offset and the columns inside the image (none when the row is
       outside), with their load masks. */
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
        /* Stride 1: lane j of the load at h reads column h + j. Stride 2: lane j of the two loads
           at 2h and 2h + 8 reads column h + j/2 (resp. h + 4 + j/2) when j is even. */
        int32_t *mk = masks + (size_t)(t * runs + r) * 32;
        if (sw == 1) {
          for (int j = 0; j < 16; j++) mk[j] = j >= lo && j < hi ? -1 : 0;
        } else if (sw == 2) {
          for (int j = 0; j < 32; j++) {
            int i = (j / 16) * 8 + ((j / 8) % 2) * 4 + (j % 8) / 2;
            mk[j] = j % 2 == 0 && i >= lo && i < hi ? -1 : 0;
          }
        }
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
        const int32_t *mk = masks + (size_t)t * runs * 32;
        if (sw == 1) {
          for (int r = 0; r < runs; r++, mk += 32) {
            const float *src = xc + en[r].src;
            _mm256_storeu_ps(dst + en[r].off, _mm256_maskload_ps(src, _mm256_loadu_si256((const __m256i *)mk)));
            if (en[r].len > 8) {
              _mm256_storeu_ps(
                dst + en[r].off + 8, _mm256_maskload_ps(src + 8, _mm256_loadu_si256((const __m256i *)(mk + 8))));
            }
          }
        } else if (sw == 2) {
          for (int r = 0; r < runs; r++, mk += 32) {
            const float *src = xc + en[r].src;
            for (int h = 0; h < en[r].len; h += 8) {
              const int32_t *m2 = mk + h * 2;
              __m256 v0 = _mm256_maskload_ps(src + 2 * h, _mm256_loadu_si256((const __m256i *)m2));
              __m256 v1 = _mm256_maskload_ps(src + 2 * h + 8, _mm256_loadu_si256((const __m256i *)(m2 + 8)));
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
    multiply_and_store(w, packed, m, k, panel, tile, partial, segs, seg_image, seg_pos, seg_off, seg_len, width, p, y, y_image, e);
  }
}
#else
void otk_pointwise_columns(
  const float *w, const float *packed, int m, int k, const float *x, ptrdiff_t x_image, const otk_subsample *in, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch) {
  (void)w; (void)packed; (void)m; (void)k; (void)x; (void)x_image; (void)in; (void)p; (void)col0; (void)col1;
  (void)y; (void)y_image; (void)e; (void)scratch;
}
size_t otk_conv_scratch_size(int m, int k, int taps) { (void)m; (void)k; (void)taps; return 0; }
void otk_conv_columns(
  const float *w, const float *packed, int m, int channels, const float *x, ptrdiff_t x_image, const otk_window *win, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch) {
  (void)w; (void)m; (void)channels; (void)x; (void)x_image; (void)win; (void)p; (void)col0; (void)col1;
  (void)y; (void)y_image; (void)e; (void)scratch;
}
#endif
