#include <cblas.h>
/* glibc's mallopt, for TuneRuntime's AllocatorTuning (the Glibc module leaves malloc.h out). */
#include <malloc.h>
