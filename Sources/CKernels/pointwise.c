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

size_t otk_pointwise_scratch_size(int k) { return (size_t)k * COLS + ROWS * COLS + 16; }

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

__attribute__((target("avx2,fma")))
void otk_pointwise_columns(
  const float *w, int m, int k, const float *x, ptrdiff_t x_image, const otk_subsample *in, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch) {
  /* Output position q reads input position (q / out_width)·row_step + (q % out_width)·column_step
     of each input plane (plane floats apart); q itself when the input is not subsampled. */
  const int contiguous = in->row_step == in->out_width && in->column_step == 1;
  const ptrdiff_t plane = in->plane;
  /* 32-byte aligned panel and result tile inside the scratch. */
  float *panel = (float *)(((size_t)scratch + 31) & ~(size_t)31);
  float *tile = panel + (size_t)k * COLS;
  int blocks = (m + ROWS - 1) / ROWS;
  /* (Copied out of *e so that the store loops need not reload them after every store.) */
  const int activation = e->activation;
  const float p0 = e->p0, p1 = e->p1;
  /* The strip's runs of columns within one image: image, first position, offset, length. */
  long seg_image[COLS + 1];
  int seg_pos[COLS + 1], seg_off[COLS + 1], seg_len[COLS + 1];
  for (long j0 = col0; j0 < col1; j0 += COLS) {
    int width = (int)(col1 - j0 < COLS ? col1 - j0 : COLS);
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
    for (int b = 0; b < blocks; b++) {
      /* The block's six weight rows, read in place (the last row again past M). */
      const float *a0 = w + (size_t)(b * ROWS + 0 < m ? b * ROWS + 0 : m - 1) * k;
      const float *a1 = w + (size_t)(b * ROWS + 1 < m ? b * ROWS + 1 : m - 1) * k;
      const float *a2 = w + (size_t)(b * ROWS + 2 < m ? b * ROWS + 2 : m - 1) * k;
      const float *a3 = w + (size_t)(b * ROWS + 3 < m ? b * ROWS + 3 : m - 1) * k;
      const float *a4 = w + (size_t)(b * ROWS + 4 < m ? b * ROWS + 4 : m - 1) * k;
      const float *a5 = w + (size_t)(b * ROWS + 5 < m ? b * ROWS + 5 : m - 1) * k;
      const float *bp = panel;
      __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
      __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
      __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
      __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
      __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
      __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
      for (int kk = 0; kk < k; kk++) {
        __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
        __m256 v;
        v = _mm256_broadcast_ss(a0 + kk); c00 = _mm256_fmadd_ps(v, b0, c00); c01 = _mm256_fmadd_ps(v, b1, c01);
        v = _mm256_broadcast_ss(a1 + kk); c10 = _mm256_fmadd_ps(v, b0, c10); c11 = _mm256_fmadd_ps(v, b1, c11);
        v = _mm256_broadcast_ss(a2 + kk); c20 = _mm256_fmadd_ps(v, b0, c20); c21 = _mm256_fmadd_ps(v, b1, c21);
        v = _mm256_broadcast_ss(a3 + kk); c30 = _mm256_fmadd_ps(v, b0, c30); c31 = _mm256_fmadd_ps(v, b1, c31);
        v = _mm256_broadcast_ss(a4 + kk); c40 = _mm256_fmadd_ps(v, b0, c40); c41 = _mm256_fmadd_ps(v, b1, c41);
        v = _mm256_broadcast_ss(a5 + kk); c50 = _mm256_fmadd_ps(v, b0, c50); c51 = _mm256_fmadd_ps(v, b1, c51);
        bp += COLS;
      }
      _mm256_store_ps(tile + 0 * COLS, c00); _mm256_store_ps(tile + 0 * COLS + 8, c01);
      _mm256_store_ps(tile + 1 * COLS, c10); _mm256_store_ps(tile + 1 * COLS + 8, c11);
      _mm256_store_ps(tile + 2 * COLS, c20); _mm256_store_ps(tile + 2 * COLS + 8, c21);
      _mm256_store_ps(tile + 3 * COLS, c30); _mm256_store_ps(tile + 3 * COLS + 8, c31);
      _mm256_store_ps(tile + 4 * COLS, c40); _mm256_store_ps(tile + 4 * COLS + 8, c41);
      _mm256_store_ps(tile + 5 * COLS, c50); _mm256_store_ps(tile + 5 * COLS + 8, c51);
      int rows = m - b * ROWS < ROWS ? m - b * ROWS : ROWS;
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
#else
void otk_pointwise_columns(
  const float *w, int m, int k, const float *x, ptrdiff_t x_image, const otk_subsample *in, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch) {
  (void)w; (void)m; (void)k; (void)x; (void)x_image; (void)in; (void)p; (void)col0; (void)col1;
  (void)y; (void)y_image; (void)e; (void)scratch;
}
#endif
