/* Which OpenBLAS kernels run on AMD Zen 4.
 *
 * OpenBLAS builds with DYNAMIC_ARCH pick their kernels once, when the library loads. Debian 12's
 * OpenBLAS 0.3.21 sees Zen 4's AVX-512 and picks its Cooper Lake kernels, which on Zen 4 (512-bit
 * instructions split into two 256-bit halves) run single-precision GEMM ~13% slower than its
 * Haswell (AVX2) kernels on the convolution shapes of ResNet-18 (BENCHMARKS.md). The library
 * reads OPENBLAS_CORETYPE only while loading, so the choice is redone here, through the
 * library's own exported entry points: gotoblas_dynamic_quit forgets the choice and
 * gotoblas_dynamic_init makes it again (reading OPENBLAS_CORETYPE) and initializes the chosen
 * kernel table. The symbols are looked up at run time, so a library without them (a build for
 * one CPU, another BLAS) is left alone.
 */
#define _GNU_SOURCE
#include "CKernels.h"

#include <dlfcn.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* AMD family 19h with AVX-512F: Zen 4 (Zen 3, the same family, has no AVX-512; Zen 5 is family
   1Ah and runs 512-bit instructions at full width). Read with cpuid: the compiler runtime's
   __builtin_cpu_is may predate Zen 4. */
static int is_zen4(void) {
#if defined(__x86_64__)
  unsigned int a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
  if (!(b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163)) return 0; /* "AuthenticAMD" */
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  unsigned int family = ((a >> 8) & 0xf) + (((a >> 8) & 0xf) == 0xf ? ((a >> 20) & 0xff) : 0);
  if (family != 0x19) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  return (b >> 16) & 1; /* AVX-512F */
#else
  return 0;
#endif
}

const char *otk_blas_core(void) {
  char *(*corename)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
  return corename ? corename() : NULL;
}

int otk_blas_prefer_avx2_on_zen4(void) {
  if (getenv("OPENBLAS_CORETYPE") != NULL || !is_zen4()) return 0;
  const char *core = otk_blas_core();
  if (core == NULL || (strcasecmp(core, "cooperlake") != 0 && strcasecmp(core, "skylakex") != 0)) return 0;
  void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
  void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
  if (quit == NULL || init == NULL) return 0;
  setenv("OPENBLAS_CORETYPE", "Haswell", 1);
  quit();
  init();
  unsetenv("OPENBLAS_CORETYPE");
  core = otk_blas_core();
  return core != NULL && strcasecmp(core, "haswell") == 0;
}

/* OpenBLAS starts its own worker threads when it loads (one per core but the caller's). Once it
   is single-threaded (openblas_set_num_threads(1)) they only wait, but for their first 2^28
   time-stamp ticks (~0.1 s) they wait spinning on sched_yield, taking a core from our own
   workers at start-up (seen in `perf` as __sched_yield in a thread of OpenBLAS's). Its exported
   blas_thread_shutdown_ joins them; OpenBLAS starts them again by itself if a later call wants
   more than one thread (exec_blas_async). */
void otk_blas_stop_idle_threads(void) {
  int (*shutdown)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");
  if (shutdown) shutdown();
}
