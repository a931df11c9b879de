/* The activations of otk_epilogue on eight floats, shared by the AVX2 kernels (internal). */
#ifndef ONNX_TUNE_CKERNELS_ACTIVATE_H
#define ONNX_TUNE_CKERNELS_ACTIVATE_H
#include <immintrin.h>

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

/* The same on one float. */
static inline float activate1(float v, int activation, float p0, float p1) {
  switch (activation) {
  case 1: return v < 0 ? 0 : v;
  case 2: v = v < p0 ? p0 : v; return v > p1 ? p1 : v;
  case 3: return v >= 0 ? v : p0 * v;
  default: return v;
  }
}

#endif
