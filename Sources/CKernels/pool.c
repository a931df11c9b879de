/* The worker pool numeric kernels split their work over (ParallelKernels in TuneTensor).
 *
 * Dispatch's concurrentPerform woke its second thread tens of microseconds late on every call
 * (a MobileNetV2 inference makes ~60), and now and then not at all for a while: whole layers then
 * ran on one core (tune-kernel-bench rows at half their two-thread rate, seen in one run of
 * three). Here the workers are our own threads: after a job they spin for up to ~100 µs on the
 * job counter (the next op usually follows within that), then sleep on a condition variable.
 * Tasks are claimed one index at a time from a shared counter; the calling thread works too and
 * returns when every task has finished. One job at a time: a call made while another is running
 * (another thread's kernels, or a task that itself calls the pool) runs its tasks itself, in
 * order.
 */
#define _GNU_SOURCE
#include "CKernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define otk_relax() _mm_pause()
#else
#define otk_relax() ((void)0)
#endif

enum { MAX_WORKERS = 255 };

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER; /* held by the running job's caller */
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static _Atomic unsigned generation;   /* bumped (release) when a job is published */
static _Atomic int remaining;         /* tasks of the job not yet finished */
/* The job's generation (high 32 bits) and next unclaimed task index (low 32 bits): a worker that
   still holds the previous generation fails to claim anything of the next job. */
static _Atomic unsigned long long claim;
/* The job, written before it is published; read by a worker before it claims a task (a claim
   only succeeds while the job it read is still the current one). */
static _Atomic(otk_pool_task) job_task;
static _Atomic(void *) job_context;
static _Atomic int job_count;
static _Atomic int job_helpers;       /* workers (by id) that take part in this job */
static int started;                   /* workers started so far (under job_lock) */
static _Thread_local int inside;      /* this thread is running a task */

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Claims and runs tasks of job `gen` until none is left (or another job has replaced it). */
static void work(unsigned gen) {
  const int count = atomic_load_explicit(&job_count, memory_order_relaxed);
  const otk_pool_task task = atomic_load_explicit(&job_task, memory_order_relaxed);
  void *const context = atomic_load_explicit(&job_context, memory_order_relaxed);
  unsigned long long c = atomic_load(&claim);
  for (;;) {
    if ((unsigned)(c >> 32) != gen || (int)(c & 0xffffffffu) >= count) return;
    if (!atomic_compare_exchange_weak(&claim, &c, c + 1)) continue;
    task(context, (int)(c & 0xffffffffu));
    atomic_fetch_sub_explicit(&remaining, 1, memory_order_release);
    c = atomic_load(&claim);
  }
}

/* How long an idle worker spins before it sleeps (20 µs, 100 µs and 1 ms measured alike on
   ResNet-18 and MobileNetV2 at batch 1 and 32). */
static const double spin_seconds = 100e-6;

static void *worker_main(void *argument) {
  const int id = (int)(size_t)argument;
  inside = 1;
  unsigned seen = atomic_load_explicit(&generation, memory_order_acquire);
  for (;;) {
    unsigned now = atomic_load_explicit(&generation, memory_order_acquire);
    if (now == seen) {
      /* Spin for ~100 µs, then sleep until the next job. */
      double until = seconds() + spin_seconds;
      for (int spins = 1; (now = atomic_load_explicit(&generation, memory_order_acquire)) == seen; spins++) {
        otk_relax();
        if ((spins & 255) == 0 && seconds() > until) {
          pthread_mutex_lock(&sleep_lock);
          while ((now = atomic_load_explicit(&generation, memory_order_acquire)) == seen) {
            pthread_cond_wait(&wake, &sleep_lock);
          }
          pthread_mutex_unlock(&sleep_lock);
          break;
        }
      }
    }
    seen = now;
    if (id < atomic_load_explicit(&job_helpers, memory_order_relaxed)) work(now);
  }
  return NULL;
}

void otk_pool_run(int count, int threads, otk_pool_task task, void *context) {
  if (count <= 0) return;
  if (inside || threads <= 1 || count == 1 || pthread_mutex_trylock(&job_lock) != 0) {
    for (int i = 0; i < count; i++) task(context, i);
    return;
  }
  int helpers = threads - 1 < MAX_WORKERS ? threads - 1 : MAX_WORKERS;
  while (started < helpers) {
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    int failed = pthread_create(&thread, &attributes, worker_main, (void *)(size_t)started);
    pthread_attr_destroy(&attributes);
    if (failed) break;
    started++;
  }
  if (helpers > started) helpers = started;
  atomic_store_explicit(&job_task, task, memory_order_relaxed);
  atomic_store_explicit(&job_context, context, memory_order_relaxed);
  atomic_store_explicit(&job_count, count, memory_order_relaxed);
  atomic_store_explicit(&job_helpers, helpers, memory_order_relaxed);
  atomic_store(&remaining, count);
  unsigned gen = atomic_load_explicit(&generation, memory_order_relaxed) + 1;
  atomic_store(&claim, (unsigned long long)gen << 32);
  pthread_mutex_lock(&sleep_lock);
  atomic_store_explicit(&generation, gen, memory_order_release);
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&sleep_lock);
  inside = 1;
  work(gen);
  inside = 0;
  while (atomic_load_explicit(&remaining, memory_order_acquire) > 0) otk_relax();
  pthread_mutex_unlock(&job_lock);
}
