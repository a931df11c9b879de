#ifndef ONNX_TUNE_CKERNELS_H
#define ONNX_TUNE_CKERNELS_H
/* Hand-written AVX2/FMA kernels that OpenBLAS has no entry point for (see pointwise.c). */
#include <stddef.h>

/* 1 when this CPU runs the AVX2/FMA kernels below; checked once by the callers. */
int otk_has_avx2_fma(void);
/* 1 when this CPU has AVX-512F (OpenBLAS then has wider kernels than ours). */
int otk_has_avx512f(void);

/* The per-output work after the products: dst = act(acc + bias[m] + sum), as ConvEpilogue does
   it in Swift. activation: 0 identity, 1 relu, 2 clip(p0, p1), 3 leaky relu (alpha p0). */
typedef struct {
  const float *bias; /* [M] or NULL */
  const float *sum;  /* same layout as the output, or NULL */
  int activation;
  float p0, p1;
} otk_epilogue;

/* At most this many strips of 16 columns (1–8, default 8) share one pass over the weights in
   the kernels below; set before any of them runs (a switch for benchmarks). */
void otk_set_strip_group_limit(int limit);
/* A/B switch (benchmarks): 0 makes the pointwise kernel copy every strip into a panel. */
void otk_set_rows_in_place(int on);
/* A/B switch (benchmarks): 0 turns off the in-place pointwise kernel's prefetching of the next rows. */
void otk_set_prefetch_rows(int on);
void otk_set_in_place_max_k(int k);

/* Floats of scratch one call of otk_pointwise_columns needs. */
size_t otk_pointwise_scratch_size(int m, int k);

/* The weights [M×K] rearranged for the kernels below: blocks of six rows, each K×6 (rows past M
   zero), otk_packed_weights_size(m, k) floats. Worth it when many strips read them. */
size_t otk_packed_weights_size(int m, int k);
void otk_pack_weights(const float *w, int m, int k, float *packed);

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
   x[n·x_image + k·in->plane]; `packed` is NULL or otk_pack_weights(w) (same results). Output image n, channel m, position q is y[n·y_image + m·p + q]
   (and so is the epilogue's sum). Every output of those columns is written. Only on CPUs with
   AVX2 and FMA. */
void otk_pointwise_columns(
  const float *w, const float *packed, int m, int k, const float *x, ptrdiff_t x_image, const otk_subsample *in, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch);

/* A 2-D convolution window: input planes in_h×in_w, output rows of out_w positions. */
typedef struct {
  int in_h, in_w, out_w;
  int kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
} otk_window;

/* Floats of scratch one call of otk_conv_columns needs (k = channels·taps, taps = kernel_h·kernel_w). */
size_t otk_conv_scratch_size(int m, int k, int taps);

/* A 2-D convolution (group 1) with weights w [M×K], K = channels·kernel_h·kernel_w (row-major,
   as ONNX stores them), over output columns [col0, col1) of the images side by side (column j:
   output position j % p of image j / p): each strip of 16 columns is gathered into a K×16 panel
   straight from the NCHW images (zeros outside them), then multiplied as otk_pointwise_columns
   does. Input image n, channel c starts at x[n·x_image + c·in_h·in_w]; the output and epilogue as
   for otk_pointwise_columns. Only on CPUs with AVX2 and FMA. */
void otk_conv_columns(
  const float *w, const float *packed, int m, int channels, const float *x, ptrdiff_t x_image, const otk_window *win, int p, long col0,
  long col1, float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch);

/* Floats of scratch one call of otk_conv_padded_rows needs. */
size_t otk_padded_rows_scratch_size(int m, int k);

/* A 2-D convolution (group 1, strides 1 or 2 on both axes) of ONE image whose output rows are
   whole strips (out_w a multiple of 16), read straight from `padded`: the image's channels with
   a zero border (the image at the begin pads' offset, and every window inside). At stride 1
   each channel is one padded_h × padded_w plane; at stride 2 it is four such planes, phase
   (a, b) (index 2a + b) holding the bordered rows ≡ a and columns ≡ b (mod 2), at half their
   row and column index. Strips [strip0, strip1) of the image, strip s being positions
   16·(s % (out_w/16)) to +16 of output row s / (out_w/16); y and the epilogue's sum point at the
   image's output (p positions per channel). Weights as for otk_conv_columns. Only on CPUs with
   AVX2 and FMA. */
void otk_conv_padded_rows(
  const float *w, const float *packed, int m, int channels, const float *padded, int padded_h, int padded_w,
  int stride, int kernel_h, int kernel_w, int dilation_h, int dilation_w, int out_w, int p, long strip0, long strip1,
  float *y, const otk_epilogue *e, float *scratch);

/* Floats of the images-last copy of a batch (images rounded up to 16). */
size_t otk_images_layout_size(int images, int channels, long plane);

/* Channels [c0, c1) of NCHW `x` (`images` images of `channels` planes of `plane` floats) into
   the images-last layout: xt[c·(plane·padded + 16) + q·padded + n], padded = images rounded up
   to 16, zero for n ≥ images. */
void otk_images_layout(const float *x, int images, int channels, long plane, int c0, int c1, float *xt);

/* Floats of scratch one call of otk_conv_images over `positions` positions needs. */
size_t otk_conv_images_scratch_size(long positions, int images);

/* A 2-D convolution (group 1, at most 64 taps) with weights w [M×K] (row-major, K =
   channels·taps) over output positions [q0, q1) of all `images` images, from the
   otk_images_layout copy `xt` of the input: each strip is one position of 16 images, its taps
   that fall outside the image are skipped. Output image n, channel m, position q is
   y[n·y_image + m·p + q] (and so is the epilogue's sum). Only on CPUs with AVX2 and FMA. */
void otk_conv_images(
  const float *w, int m, int channels, const float *xt, int images, const otk_window *win, int p, long q0, long q1,
  float *y, ptrdiff_t y_image, const otk_epilogue *e, float *scratch);

/* A depthwise 3×3 convolution's shape: undilated, strides 1 or 2, pads ≥ 0; `channels` output
   channels, `multiplier` of them per input channel. */
typedef struct {
  int in_h, in_w, out_h, out_w, stride_h, stride_w, pad_h, pad_w, channels, multiplier;
} otk_depthwise_window;

/* Floats of scratch one call of otk_depthwise3x3 needs. */
size_t otk_depthwise3x3_scratch_size(const otk_depthwise_window *g);

/* Output planes [plane0, plane1) (plane n·channels + m: image n, output channel m) of the
   depthwise 3×3 convolution of NCHW `x` with weights w [channels×9], then the epilogue (bias[m],
   the sum plane at the same offset as the output's, the activation), into NCHW `y`. Each output
   is summed as ConvKernel.depthwise does (bias, then the taps row by row, without FMA). Only on
   CPUs with AVX2 and FMA (depthwise.c). */
void otk_depthwise3x3(
  const float *x, const otk_depthwise_window *g, const float *w, const otk_epilogue *e, long plane0, long plane1,
  float *y, float *scratch);

/* One task of a pool job: index in [0, count). */
typedef void (*otk_pool_task)(void *context, int index);

/* Runs task(context, i) for i in [0, count) on the calling thread and up to threads − 1 pool
   workers (pool.c), returning when all have finished. Serially, in order, when threads ≤ 1,
   count is 1, another job is running, or it is called from inside a task. */
void otk_pool_run(int count, int threads, otk_pool_task task, void *context);

/* OpenBLAS's kernel set (openblas_get_corename, e.g. "Haswell"), or NULL when the BLAS does not say. */
const char *otk_blas_core(void);

/* On AMD Zen 4, when OPENBLAS_CORETYPE is unset and OpenBLAS chose its AVX-512 kernels (Cooper
   Lake, SkylakeX), switches it to its Haswell (AVX2) kernels, faster there (blas_core.c). Call
   before any BLAS call, from one thread. Returns 1 when it switched. */
int otk_blas_prefer_avx2_on_zen4(void);

/* Joins OpenBLAS's own idle worker threads (after it was made single-threaded), if the
   library exports blas_thread_shutdown_; OpenBLAS restarts them when a call needs them. */
void otk_blas_stop_idle_threads(void);

#endif
