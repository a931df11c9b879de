#ifndef ONNX_TUNE_CKERNELS_H
#define ONNX_TUNE_CKERNELS_H
/* Hand-written AVX2/FMA kernels that OpenBLAS has no entry point for (see pointwise.c). */
#include <stddef.h>

/* 1 when this CPU runs the AVX2/FMA kernels below; checked once by the callers. */
int otk_has_avx2_fma(void);

/* The per-output work after the products: dst = act(acc + bias[m] + sum), as ConvEpilogue does
   it in Swift. activation: 0 identity, 1 relu, 2 clip(p0, p1), 3 leaky relu (alpha p0). */
typedef struct {
  const float *bias; /* [M] or NULL */
  const float *sum;  /* same layout as the output, or NULL */
  int activation;
  float p0, p1;
} otk_epilogue;

/* Floats of scratch one call of otk_pointwise_columns needs: K·16 + 6·16 (+ alignment). */
size_t otk_pointwise_scratch_size(int k);

/* How output positions read the input planes of a 1×1 convolution with strides: output position
   q (of out_width per row) reads input position (q / out_width)·row_step + (q % out_width)·
   column_step; input channels are plane floats apart. Unstrided: row_step = out_width,
   column_step = 1, plane = p. */
typedef struct {
  int out_width;
  ptrdiff_t row_step, column_step, plane;
} otk_subsample;

/* A 1×1 convolution (group 1, no padding) with weights w [M×K] (row-major) over output columns [col0, col1) of the images side
   by side: column j is output position j % p of image j / p. Input image n, channel k starts at
   x[n·x_image + k·in->plane]; output image n, channel m, position q is y[n·y_image + m·p + q]
   (and so is the epilogue's sum). Every output of those columns is written. Only on CPUs with
   AVX2 and FMA. */
void otk_pointwise_columns(
  const float *w, int m, int k, const float *x, ptrdiff_t x_image, const otk_subsample *in, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch);

#endif
