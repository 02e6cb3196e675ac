#ifndef HQ_CBLAS_SHIM_H
#define HQ_CBLAS_SHIM_H
// OpenBLAS's cblas.h (pkg-config `openblas` puts its include dir on the path). Linked explicitly
// against libopenblas: the generic `blas` alternative may silently resolve to the reference BLAS.
#include <cblas.h>
// Thread control, so the embedder can size BLAS parallelism against its own worker threads.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
