/* Depthwise 3×3 convolution, one NCHW plane at a time, eight output positions per vector.
 *
 * Each input plane is copied once into a zero-bordered scratch plane (at stride 2 its even and
 * odd columns apart), so that every tap of eight neighbouring outputs is one unaligned load,
 * whatever the pads; the bias, residual sum and activation are applied in the same pass as the
 * nine taps, and the row is stored straight into the output plane. Each output starts from the
 * bias and adds the taps row by row with FMA (so it can differ from ConvKernel.depthwise's
 * multiply-then-add sums by rounding).
 */
#include "CKernels.h"

#include <string.h>

/* Output positions per row, rounded up to whole vectors. */
static inline int round8(int n) { return (n + 7) & ~7; }

/* The scratch plane's row width (floats): stride 1, the bordered row (every tap of every vector
   inside it); stride 2, each of the even and odd halves. */
static inline int scratch_width(const otk_depthwise_window *g) { return round8(g->out_w) + 8; }

static inline int scratch_rows(const otk_depthwise_window *g) { return (g->out_h - 1) * g->stride_h + 3; }

/* Floats of one bordered plane (both halves at stride 2). */
static inline size_t bordered_floats(const otk_depthwise_window *g) {
  size_t plane = (size_t)scratch_rows(g) * (size_t)scratch_width(g);
  return g->stride_w == 1 ? plane : 2 * plane;
}

size_t otk_depthwise3x3_scratch_size(const otk_depthwise_window *g) { return bordered_floats(g) + 8; }

#if defined(__x86_64__)
#include "activate.h"

/* Copies input row `src` (in_w floats) into bordered row `row` of the scratch: at stride 1 to
   columns pad_w + ix; at stride 2, bordered column c = pad_w + ix to the even half (c/2) when c
   is even, else to the odd half. Only columns some tap reads are copied (the rest stays zero). */
__attribute__((target("avx2,fma"))) static void copy_row(
  const otk_depthwise_window *g, const float *src, float *scratch, int row) {
  const int width = scratch_width(g);
  const int pw = g->pad_w;
  if (g->stride_w == 1) {
    int cols = g->in_w < width - pw ? g->in_w : width - pw;
    float *dst = scratch + (size_t)row * width + pw;
    int ix = 0;
    for (; ix + 8 <= cols; ix += 8) _mm256_storeu_ps(dst + ix, _mm256_loadu_ps(src + ix));
    for (; ix < cols; ix++) dst[ix] = src[ix];
    return;
  }
  /* Bordered columns up to 2·out_w are read (the last vector's taps read further, into zeros). */
  int reach = 2 * round8(g->out_w) + 1;
  int cols = g->in_w < reach - pw ? g->in_w : reach - pw;
  float *even = scratch + (size_t)row * width;
  float *odd = scratch + ((size_t)scratch_rows(g) + row) * width;
  /* Input column ix goes to half (ix + pw) % 2, index (ix + pw) / 2: the input's evens to one
     half and its odds to the other. */
  float *to_even_ix = (pw % 2 == 0) ? even + pw / 2 : odd + pw / 2;
  float *to_odd_ix = (pw % 2 == 0) ? odd + pw / 2 : even + (pw + 1) / 2;
  int ix = 0;
  for (; ix + 16 <= cols; ix += 16) {
    __m256 a = _mm256_loadu_ps(src + ix), b = _mm256_loadu_ps(src + ix + 8);
    /* a0 a2 b0 b2 | a4 a6 b4 b6, then the middle pairs swapped: 0 2 4 6 8 10 12 14 */
    __m256 e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    __m256 o = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    _mm256_storeu_ps(to_even_ix + ix / 2, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xD8)));
    _mm256_storeu_ps(to_odd_ix + ix / 2, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), 0xD8)));
  }
  if (ix + 8 <= cols) {
    /* 0 2 4 6 | 1 3 5 7 */
    __m256 v = _mm256_permutevar8x32_ps(_mm256_loadu_ps(src + ix), _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
    _mm_storeu_ps(to_even_ix + ix / 2, _mm256_castps256_ps128(v));
    _mm_storeu_ps(to_odd_ix + ix / 2, _mm256_extractf128_ps(v, 1));
    ix += 8;
  }
  for (; ix < cols; ix++) {
    if (ix % 2 == 0) to_even_ix[ix / 2] = src[ix];
    else to_odd_ix[ix / 2] = src[ix];
  }
}

/* The image area of bordered plane `into` from input plane `src`. */
__attribute__((target("avx2,fma"))) static void load_plane(
  const otk_depthwise_window *g, const float *src, int rows, float *into) {
  for (int r = 0; r < rows; r++) copy_row(g, src + (long)r * g->in_w, into, r + g->pad_h);
}

/* acc = fma(w8, t8, ... fma(w1, t1, fma(w0, t0, bias))). */
#define TAP(acc, wv, ptr) acc = _mm256_fmadd_ps(wv, _mm256_loadu_ps(ptr), acc)

__attribute__((target("avx2,fma")))
void otk_depthwise3x3(
  const float *x, const otk_depthwise_window *g, const float *w, const otk_epilogue *e, long plane0, long plane1,
  float *y, float *scratch) {
  const int width = scratch_width(g);
  const int rows = scratch_rows(g);
  const size_t plane_floats = (size_t)rows * width;
  memset(scratch, 0, otk_depthwise3x3_scratch_size(g) * sizeof(float));
  const int oh = g->out_h, ow = g->out_w, sh = g->stride_h;
  const long out_plane = (long)oh * ow;
  const long in_plane = (long)g->in_h * g->in_w;
  const int in_rows = g->in_h < rows - g->pad_h ? g->in_h : rows - g->pad_h;
  const int activation = e->activation;
  const float p0 = e->p0, p1 = e->p1;
  const int input_channels = g->channels / g->multiplier;
  long loaded = -1;
  for (long p = plane0; p < plane1; p++) {
    const int m = (int)(p % g->channels);
    const long source = (p / g->channels) * input_channels + m / g->multiplier;
    if (source != loaded) {
      /* Only the image area changes from plane to plane; the border stays zero. */
      load_plane(g, x + source * in_plane, in_rows, scratch);
      loaded = source;
    }
    const float *bordered = scratch;
    const float *wk = w + (size_t)m * 9;
    const __m256 w0 = _mm256_set1_ps(wk[0]), w1 = _mm256_set1_ps(wk[1]), w2 = _mm256_set1_ps(wk[2]);
    const __m256 w3 = _mm256_set1_ps(wk[3]), w4 = _mm256_set1_ps(wk[4]), w5 = _mm256_set1_ps(wk[5]);
    const __m256 w6 = _mm256_set1_ps(wk[6]), w7 = _mm256_set1_ps(wk[7]), w8 = _mm256_set1_ps(wk[8]);
    const __m256 bias = _mm256_set1_ps(e->bias ? e->bias[m] : 0.0f);
    float *dst = y + p * out_plane;
    const float *sum = e->sum ? e->sum + p * out_plane : NULL;
    for (int o = 0; o < oh; o++) {
      const float *a = bordered + (size_t)o * sh * width;
      const float *b = a + width, *c = b + width;
      /* Stride 2: the odd half of the same rows. */
      const float *ao = a + plane_floats, *bo = b + plane_floats, *co = c + plane_floats;
      float *d = dst + (long)o * ow;
      const float *s = sum ? sum + (long)o * ow : NULL;
      for (int j0 = 0; j0 < ow; j0 += 8) {
        /* Without a sum, a row's last partial vector is the last eight outputs, overlapping the
           vector before it (which it rewrites with the same floats). */
        const int j = !s && j0 + 8 > ow && ow >= 8 ? ow - 8 : j0;
        __m256 acc = bias;
        if (g->stride_w == 1) {
          TAP(acc, w0, a + j); TAP(acc, w1, a + j + 1); TAP(acc, w2, a + j + 2);
          TAP(acc, w3, b + j); TAP(acc, w4, b + j + 1); TAP(acc, w5, b + j + 2);
          TAP(acc, w6, c + j); TAP(acc, w7, c + j + 1); TAP(acc, w8, c + j + 2);
        } else {
          TAP(acc, w0, a + j); TAP(acc, w1, ao + j); TAP(acc, w2, a + j + 1);
          TAP(acc, w3, b + j); TAP(acc, w4, bo + j); TAP(acc, w5, b + j + 1);
          TAP(acc, w6, c + j); TAP(acc, w7, co + j); TAP(acc, w8, c + j + 1);
        }
        if (j + 8 <= ow) {
          if (s) acc = _mm256_add_ps(acc, _mm256_loadu_ps(s + j));
          _mm256_storeu_ps(d + j, activate8(acc, activation, p0, p1));
        } else {
          /* The row's last ow % 8 outputs through a buffer (with a sum, or rows under 8). */
          float buffer[8];
          int left = ow - j;
          if (s) {
            for (int i = 0; i < 8; i++) buffer[i] = i < left ? s[j + i] : 0.0f;
            acc = _mm256_add_ps(acc, _mm256_loadu_ps(buffer));
          }
          _mm256_storeu_ps(buffer, activate8(acc, activation, p0, p1));
          for (int i = 0; i < left; i++) d[j + i] = buffer[i];
        }
      }
    }
  }
}
#undef TAP
#else
void otk_depthwise3x3(
  const float *x, const otk_depthwise_window *g, const float *w, const otk_epilogue *e, long plane0, long plane1,
  float *y, float *scratch) {
  (void)x; (void)g; (void)w; (void)e; (void)plane0; (void)plane1; (void)y; (void)scratch;
}
#endif
